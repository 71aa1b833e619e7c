import { useEffect, useMemo, useRef, useState } from 'react';
import { MAX_REPLY_LENGTH } from '../../../electron/contract.js';
import { kindLabel } from '../lib/labels.js';
import { useSoftphone } from '../store/context.js';
import type { ToastEntry } from '../store/reducer.js';

/**
 * What rings right now, also in the main window: where the toast window cannot be shown
 * (native Wayland), or for an invitation the user ignored and wants to decline after all.
 * A Skype for Business invitation can also be answered with a typed message here ("Custom…"
 * on a toast opens this entry with its text field focused).
 */
export function RingingSection() {
  const toasts = useSoftphone((s) => s.toasts);
  const decline = useSoftphone((s) => s.decline);
  const ringing = useMemo(() => toasts.filter((t) => t.phase !== 'ended').sort((a, b) => b.seq - a.seq), [toasts]);
  if (ringing.length === 0) return null;
  return (
    <section aria-labelledby="ringing-h" className="panel">
      <h2 id="ringing-h">Ringing now</h2>
      <ul className="ringing-list">
        {ringing.map((t) => (
          <li key={t.invitation.id}>
            <span>
              <strong>{t.invitation.from.name || t.invitation.from.uri}</strong> · {kindLabel(t.invitation)}
              {t.error && <span className="inline-error"> — {t.error.message}</span>}
            </span>
            <button
              type="button"
              className="btn btn-danger btn-small"
              disabled={t.phase === 'declining' || t.phase === 'forwarding'}
              onClick={() => void decline(t.invitation.id, t.reason ?? undefined)}
            >
              {t.phase === 'declining'
                ? 'Declining…'
                : t.phase === 'forwarding'
                  ? 'Forwarding…'
                  : t.error
                    ? 'Retry decline'
                    : 'Decline'}{' '}
              <span className="visually-hidden">{t.invitation.from.name || t.invitation.from.uri}</span>
            </button>
            {t.invitation.provider === 'ucwa' && <ReplyComposer entry={t} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ReplyComposer({ entry }: { entry: ToastEntry }) {
  const id = entry.invitation.id;
  const composeFor = useSoftphone((s) => s.composeFor);
  const reply = useSoftphone((s) => s.reply);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const fieldRef = useRef<HTMLInputElement>(null);
  const asked = composeFor === id;
  const shown = open || asked;
  useEffect(() => {
    if (asked) fieldRef.current?.focus();
  }, [asked]);
  const who = entry.invitation.from.name || entry.invitation.from.uri;
  if (!shown) {
    return (
      <button
        type="button"
        className="btn btn-quiet btn-small"
        disabled={entry.phase === 'declining'}
        onClick={() => {
          setOpen(true);
          requestAnimationFrame(() => fieldRef.current?.focus());
        }}
      >
        Reply with a message… <span className="visually-hidden">{who}</span>
      </button>
    );
  }
  const trimmed = text.trim();
  return (
    <form
      className="reply-form"
      aria-label={`Reply to ${who}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!trimmed) return;
        void reply(id, trimmed);
      }}
    >
      <label htmlFor={`reply-${id}`} className="visually-hidden">
        Message to {who}
      </label>
      <input
        id={`reply-${id}`}
        ref={fieldRef}
        type="text"
        maxLength={MAX_REPLY_LENGTH}
        placeholder="Declines, then sends this as an IM"
        value={text}
        disabled={entry.phase === 'declining'}
        onChange={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" className="btn btn-small" disabled={!trimmed || entry.phase === 'declining'}>
        Send
      </button>
    </form>
  );
}
