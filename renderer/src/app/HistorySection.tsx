import { callerAddress, forwardTargetText, kindLabel, OUTCOME_LABELS, reasonLabel } from '../lib/labels.js';
import { useSoftphone } from '../store/context.js';
import { accountLabel } from '../store/reducer.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function HistorySection() {
  const history = useSoftphone((s) => s.history);
  const accountConfigs = useSoftphone((s) => s.accountConfigs);
  return (
    <section aria-labelledby="history-h" className="panel">
      <h2 id="history-h">Recent</h2>
      {history.length === 0 ? (
        <p className="muted">Nothing yet: declined, missed and cancelled invitations appear here.</p>
      ) : (
        <div className="table-wrap">
          <table className="history">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Caller</th>
                <th scope="col">Kind</th>
                <th scope="col">Outcome</th>
                <th scope="col">Account</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={`${h.invitation.id}-${h.endedAt}`} className={`outcome-${h.outcome}`}>
                  <td>
                    <time dateTime={new Date(h.endedAt).toISOString()}>{timeFormat.format(h.endedAt)}</time>
                  </td>
                  <td>
                    <span className="caller-name">{h.invitation.from.name || h.invitation.from.uri}</span>
                    {h.invitation.from.name && callerAddress(h.invitation) && (
                      <span className="caller-uri">{callerAddress(h.invitation)}</span>
                    )}
                  </td>
                  <td>{kindLabel(h.invitation)}</td>
                  <td>
                    {OUTCOME_LABELS[h.outcome]}
                    {h.outcome === 'declined' && h.declineReason && h.reply === undefined && (
                      <span className="muted"> ({reasonLabel(h.invitation.provider, h.declineReason)})</span>
                    )}
                    {h.outcome === 'forwarded' && h.forwardedTo && <> to {forwardTargetText(h.forwardedTo)}</>}
                    {h.reply !== undefined && <span className="history-reply"> · replied: {h.reply}</span>}
                    {h.replyError && <span className="inline-error"> — the reply could not be sent</span>}
                  </td>
                  <td>{accountLabel({ accountConfigs }, h.invitation.accountId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
