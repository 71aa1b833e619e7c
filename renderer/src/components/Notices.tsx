import { useMemo } from 'react';
import { useSoftphone } from '../store/context.js';
import { visibleNotices } from '../store/reducer.js';

/** Problems the user should know about, each dismissible. */
export function Notices() {
  const notices = useSoftphone((s) => s.notices);
  const dismissed = useSoftphone((s) => s.dismissedNotices);
  const dismiss = useSoftphone((s) => s.dismissNotice);
  const visible = useMemo(() => visibleNotices({ notices, dismissedNotices: dismissed }), [notices, dismissed]);
  if (visible.length === 0) return null;
  return (
    <div className="notices">
      {visible.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'info' ? 'status' : 'alert'}>
          <p>
            <strong>{n.level === 'error' ? 'Error: ' : n.level === 'warning' ? 'Warning: ' : 'Note: '}</strong>
            {n.message}
          </p>
          <button
            type="button"
            className="btn btn-quiet btn-small"
            onClick={() => dismiss(n.id)}
            aria-label={`Dismiss: ${n.message}`}
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
