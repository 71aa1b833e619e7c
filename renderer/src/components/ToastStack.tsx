/**
 * The toast window's content: ringing invitations, newest on top, at most four at once,
 * a "+N more" row beyond that and "Decline all" while two or more ring.
 *
 * It reports its own size through the bridge whenever it changes, so main can size and place
 * the (transparent, non-focusable) window around it; height 0 means "nothing to show".
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { SoftphoneBridge } from '../../../electron/contract.js';
import { useNow } from '../lib/useNow.js';
import { useSoftphone } from '../store/context.js';
import { accountLabel, visibleToasts } from '../store/reducer.js';
import { forwardTargetsOf } from './ForwardMenu.js';
import { Toast } from './Toast.js';

export const MAX_TOASTS = 4;

export interface ToastStackProps {
  reportSize?: SoftphoneBridge['reportToastSize'];
}

export function ToastStack({ reportSize }: ToastStackProps) {
  const toasts = useSoftphone((s) => s.toasts);
  const ignored = useSoftphone((s) => s.ignored);
  const accountConfigs = useSoftphone((s) => s.accountConfigs);
  const decline = useSoftphone((s) => s.decline);
  const retry = useSoftphone((s) => s.retry);
  const ignore = useSoftphone((s) => s.ignore);
  const declineAll = useSoftphone((s) => s.declineAll);
  const forward = useSoftphone((s) => s.forward);
  const quickReplies = useSoftphone((s) => s.settings.quickReplies);
  const reply = useSoftphone((s) => s.reply);
  const composeReply = useSoftphone((s) => s.composeReply);

  const visible = useMemo(() => visibleToasts({ toasts, ignored }), [toasts, ignored]);
  const shown = visible.slice(0, MAX_TOASTS);
  const more = visible.length - shown.length;
  const ringingCount = visible.filter((t) => t.phase === 'ringing').length;
  // UCWA toasts show whole seconds; a Graph toast's answer-window bar moves every half second.
  const now = useNow(visible.length > 0, shown.some((t) => t.invitation.expiresAt !== null) ? 500 : 1000);

  const ref = useRef<HTMLDivElement>(null);
  const last = useRef<string>('');
  const empty = visible.length === 0;

  const report = useRef<() => void>(() => undefined);

  // When the stack empties or fills, and whenever the box resizes (content, fonts, menus,
  // wrapping): the ResizeObserver measures after layout, so no render forces a layout of its own.
  useLayoutEffect(() => {
    report.current = () => {
      const el = ref.current;
      if (!el || !reportSize) return;
      const rect = el.getBoundingClientRect();
      const size = { width: Math.ceil(rect.width), height: empty ? 0 : Math.ceil(rect.height) };
      const key = `${size.width}x${size.height}`;
      if (key === last.current) return;
      last.current = key;
      reportSize(size).catch(() => undefined);
    };
    report.current();
  }, [empty, reportSize]);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => report.current());
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  return (
    <div ref={ref} className={`toast-stack${empty ? ' is-empty' : ''}`}>
      {ringingCount >= 2 && (
        <div className="stack-bar">
          <button type="button" className="btn btn-danger btn-small" onClick={() => void declineAll()}>
            Decline all ({ringingCount})
          </button>
        </div>
      )}
      {shown.map((entry) => (
        <Toast
          key={entry.invitation.id}
          entry={entry}
          now={now}
          accountName={accountLabel({ accountConfigs }, entry.invitation.accountId)}
          onDecline={(id, reason) => void decline(id, reason)}
          onRetry={(id) => void retry(id)}
          forwardTargets={forwardTargetsOf(accountConfigs.find((a) => a.id === entry.invitation.accountId))}
          onForward={(id, target) => void forward(id, target)}
          quickReplies={quickReplies}
          onReply={(id, text) => void reply(id, text)}
          onCustomReply={(id) => void composeReply(id)}
          onIgnore={(id) => {
            const hadFocus = ref.current?.contains(document.activeElement) ?? false;
            ignore(id);
            // Keyboard users land on the next toast instead of nowhere.
            if (hadFocus) {
              requestAnimationFrame(() =>
                ref.current?.querySelector<HTMLButtonElement>('[role="alertdialog"] button:not([disabled])')?.focus(),
              );
            }
          }}
        />
      ))}
      {more > 0 && (
        <p className="stack-more" role="status">
          +{more} more
        </p>
      )}
    </div>
  );
}
