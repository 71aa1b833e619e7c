/**
 * One ringing invitation: who, what, why, how long, and what to do about it.
 *
 * Everything the server sent (names, addresses, subjects, messages, error texts) is rendered
 * as text by React; nothing here ever sets HTML.
 */
import { useId, type KeyboardEvent } from 'react';
import type { ToastEntry } from '../store/reducer.js';
import {
  callerAddress,
  formatElapsed,
  forwardTargetText,
  kindLabel,
  kindPhrase,
  reasonLabel,
  secondsLeft,
} from '../lib/labels.js';
import type { ForwardTarget } from '../../../electron/contract.js';
import { DeclineMenu } from './DeclineMenu.js';
import { ForwardMenu } from './ForwardMenu.js';
import { ReplyMenu } from './ReplyMenu.js';

export interface ToastProps {
  entry: ToastEntry;
  /** Epoch ms, ticking. */
  now: number;
  accountName: string;
  onDecline(id: string, reason?: string): void;
  onRetry(id: string): void;
  onIgnore(id: string): void;
  /** Graph calls: the account's forward targets ("Forward to…" is absent when empty). */
  forwardTargets?: readonly ForwardTarget[];
  onForward?(id: string, target: ForwardTarget): void;
  /** "Reply with a message" (UCWA invitations only; absent: no reply menu). */
  quickReplies?: readonly string[];
  onReply?(id: string, text: string): void;
  onCustomReply?(id: string): void;
}

const IMPORTANCE_TEXT = { urgent: 'Urgent', emergency: 'Emergency' } as const;

export function Toast({
  entry,
  now,
  accountName,
  onDecline,
  onRetry,
  onIgnore,
  forwardTargets = [],
  onForward,
  quickReplies,
  onReply,
  onCustomReply,
}: ToastProps) {
  const baseId = useId();
  const titleId = `${baseId}-title`;
  const descId = `${baseId}-desc`;
  const inv = entry.invitation;

  if (entry.phase === 'ended') {
    return (
      <section className="toast toast-farewell" role="status" aria-labelledby={titleId}>
        <h2 id={titleId} className="toast-caller">
          <span className="visually-hidden">{kindPhrase(inv)}</span> {inv.from.name || inv.from.uri}
        </h2>
        <p className="toast-farewell-message">{entry.endedMessage}</p>
      </section>
    );
  }

  // Busy while a decline or a forward is under way: nothing else may be sent.
  const declining = entry.phase === 'declining' || entry.phase === 'forwarding';
  const importance = inv.importance === 'normal' ? null : IMPORTANCE_TEXT[inv.importance];
  const name = inv.from.name.trim() || inv.from.uri || 'Unknown caller';
  const address = callerAddress(inv);
  const showAddress = address !== '' && address !== name;

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Escape' && !declining) {
      e.preventDefault();
      onIgnore(inv.id);
    }
  };

  return (
    <section
      className={`toast importance-${inv.importance}${declining ? ' is-declining' : ''}`}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={descId}
      aria-busy={declining}
      data-invitation-id={inv.id}
      onKeyDown={onKeyDown}
    >
      <div className="toast-meta">
        <span className="badge badge-kind">{kindLabel(inv)}</span>
        {importance && (
          <span className={`badge badge-${inv.importance}`}>
            <span aria-hidden="true">! </span>
            {importance}
          </span>
        )}
        <span className="toast-elapsed">
          Ringing{' '}
          <time dateTime={`PT${Math.max(0, Math.floor((now - inv.receivedAt) / 1000))}S`}>
            {formatElapsed(now - inv.receivedAt)}
          </time>
        </span>
      </div>

      <h2 id={titleId} className="toast-caller">
        <span className="visually-hidden">{kindPhrase(inv)}</span> {name}
      </h2>

      <div id={descId} className="toast-body">
        {showAddress && <p className="toast-address">{address}</p>}
        {inv.subject && (
          <p className="toast-subject">
            <span className="visually-hidden">Subject:</span> {inv.subject}
          </p>
        )}
        {inv.message && (
          <blockquote className="toast-message">
            <span className="visually-hidden">Message:</span> {inv.message}
          </blockquote>
        )}
        <p className="toast-account">
          <span className="visually-hidden">Account:</span> <span aria-hidden="true">to </span>
          {accountName}
        </p>
      </div>

      {inv.expiresAt !== null && <Countdown receivedAt={inv.receivedAt} expiresAt={inv.expiresAt} now={now} />}

      {entry.error && !declining && (
        <p className="toast-error" role="alert">
          <strong>
            {entry.forwardTo
              ? 'Forward failed:'
              : entry.failedReply !== undefined
                ? 'Decline failed, so the reply was not sent:'
                : 'Decline failed:'}
          </strong>{' '}
          {entry.error.message}
        </p>
      )}

      {declining && (
        <p className="toast-progress" role="status">
          {entry.phase === 'forwarding' && entry.forwardTo
            ? `Forwarding to ${forwardTargetText(entry.forwardTo)}…`
            : 'Declining…'}
        </p>
      )}

      <div className="toast-actions">
        {entry.error && !declining ? (
          <button type="button" className="btn btn-danger" onClick={() => onRetry(inv.id)}>
            Retry
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-danger"
            disabled={declining}
            title={reasonLabel(inv.provider, inv.defaultDeclineReason)}
            onClick={() => onDecline(inv.id)}
          >
            Decline
          </button>
        )}
        <DeclineMenu invitation={inv} disabled={declining} onChoose={(r) => onDecline(inv.id, r)} />
        {inv.provider === 'graph' && onForward && (
          <ForwardMenu targets={forwardTargets} disabled={declining} onChoose={(t) => onForward(inv.id, t)} />
        )}
        {inv.provider === 'ucwa' && onReply && onCustomReply && (
          <ReplyMenu
            quickReplies={quickReplies ?? []}
            disabled={declining}
            onReply={(text) => onReply(inv.id, text)}
            onCustom={() => onCustomReply(inv.id)}
          />
        )}
        <button
          type="button"
          className="btn btn-quiet"
          disabled={declining}
          title="Hide this notification here and let it ring out (Escape)"
          aria-keyshortcuts="Escape"
          onClick={() => onIgnore(inv.id)}
        >
          Ignore
        </button>
      </div>
    </section>
  );
}

function Countdown({ receivedAt, expiresAt, now }: { receivedAt: number; expiresAt: number; now: number }) {
  const total = Math.max(1, expiresAt - receivedAt);
  // A tick that predates the invitation never shows more than its whole window.
  const left = Math.min(secondsLeft(expiresAt, now), Math.ceil(total / 1000));
  const fraction = Math.min(1, Math.max(0, (expiresAt - now) / total));
  return (
    <div className={`toast-countdown${left <= 5 ? ' is-low' : ''}`}>
      <p>{left > 0 ? `Answer window closes in ${left} s` : 'Answer window closed'}</p>
      <div className="countdown-track" aria-hidden="true">
        <div className="countdown-bar" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
