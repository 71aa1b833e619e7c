import { useMemo } from 'react';
import { kindLabel } from '../lib/labels.js';
import { useSoftphone } from '../store/context.js';

/**
 * What rings right now, also in the main window: where the toast window cannot be shown
 * (native Wayland), or for an invitation the user ignored and wants to decline after all.
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
          </li>
        ))}
      </ul>
    </section>
  );
}
