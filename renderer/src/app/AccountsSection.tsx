import { useMemo, useState } from 'react';
import type { AccountSummary } from '../../../electron/contract.js';
import { ACCOUNT_STATE_LABELS } from '../lib/labels.js';
import { useSoftphone } from '../store/context.js';
import type { AccountRow } from '../store/reducer.js';
import { AccountForm } from './AccountForm.js';

type Editing = { mode: 'add' } | { mode: 'edit'; account: AccountSummary } | null;

export function AccountsSection() {
  const configs = useSoftphone((s) => s.accountConfigs);
  const accounts = useSoftphone((s) => s.accounts);
  const demo = useSoftphone((s) => s.demo);
  const removeAccount = useSoftphone((s) => s.removeAccount);
  const [editing, setEditing] = useState<Editing>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const statusOf = useMemo(() => new Map(accounts.map((a) => [a.accountId, a] as const)), [accounts]);
  const configured = new Set(configs.map((c) => c.id));
  const builtIn = accounts.filter((a) => !configured.has(a.accountId) && a.state !== 'stopped');

  return (
    <section aria-labelledby="accounts-h" className="panel">
      <h2 id="accounts-h">Accounts</h2>
      {configs.length === 0 && builtIn.length === 0 && <p className="muted">No account yet.</p>}
      <ul className="accounts">
        {configs.map((c) => (
          <li key={c.id} className="account">
            <div className="account-head">
              <span className="account-name">
                {c.displayName || (c.provider === 'ucwa' ? c.sipAddress : c.clientId)}
              </span>
              <span className="badge">{c.provider === 'ucwa' ? 'Skype for Business' : 'Teams (Graph)'}</span>
              {demo && <span className="badge">Built-in demo</span>}
              <AccountStatus row={statusOf.get(c.id)} />
            </div>
            {c.provider === 'ucwa' && c.displayName && <p className="muted">{c.sipAddress}</p>}
            <RetryButton row={statusOf.get(c.id)} name={c.displayName || c.id} />
            {/* Demo accounts belong to the simulator: adding a real account replaces them. */}
            {!demo && (
              <div className="button-row">
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setEditing({ mode: 'edit', account: c })}
                >
                  Edit <span className="visually-hidden">{c.displayName || c.id}</span>
                </button>
                {confirming === c.id ? (
                  <>
                    <button
                      type="button"
                      className="btn btn-danger btn-small"
                      onClick={() => {
                        setConfirming(null);
                        if (editing?.mode === 'edit' && editing.account.id === c.id) setEditing(null);
                        void removeAccount(c.id);
                      }}
                    >
                      Confirm removal <span className="visually-hidden">of {c.displayName || c.id}</span>
                    </button>
                    <button type="button" className="btn btn-quiet btn-small" onClick={() => setConfirming(null)}>
                      Keep it
                    </button>
                  </>
                ) : (
                  <button type="button" className="btn btn-quiet btn-small" onClick={() => setConfirming(c.id)}>
                    Remove <span className="visually-hidden">{c.displayName || c.id}</span>
                  </button>
                )}
              </div>
            )}
          </li>
        ))}
        {builtIn.map((a) => (
          <li key={a.accountId} className="account">
            <div className="account-head">
              <span className="account-name">{a.accountId}</span>
              <span className="badge">{demo ? 'Built-in demo' : 'Built-in'}</span>
              <AccountStatus row={a} />
            </div>
            <RetryButton row={a} name={a.accountId} />
          </li>
        ))}
      </ul>
      {editing ? (
        <AccountForm
          key={editing.mode === 'edit' ? editing.account.id : 'new'}
          existing={editing.mode === 'edit' ? editing.account : null}
          takenIds={new Set([...configs.map((c) => c.id), ...accounts.map((a) => a.accountId)])}
          onDone={() => setEditing(null)}
        />
      ) : (
        <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'add' })}>
          Add account
        </button>
      )}
    </section>
  );
}

/**
 * An account in error (above all, one whose password the server refused, which is never sent
 * again on its own) signs in again only when the user asks.
 */
function RetryButton({ row, name }: { row: AccountRow | undefined; name: string }) {
  const retryAccount = useSoftphone((s) => s.retryAccount);
  if (row?.state !== 'error') return null;
  return (
    <div className="button-row">
      <button type="button" className="btn btn-small" onClick={() => void retryAccount(row.accountId)}>
        Try signing in again <span className="visually-hidden">with {name}</span>
      </button>
    </div>
  );
}

function AccountStatus({ row }: { row: AccountRow | undefined }) {
  if (!row) return <span className="status status-unknown">Not started</span>;
  return (
    <span className="account-status">
      <span className={`status status-${row.state}`}>{ACCOUNT_STATE_LABELS[row.state]}</span>
      {row.lastHeardAt ? (
        <span className="account-heard muted">
          last heard from the server at{' '}
          <time dateTime={new Date(row.lastHeardAt).toISOString()}>
            {new Date(row.lastHeardAt).toLocaleTimeString()}
          </time>
        </span>
      ) : null}
      {row.error && (
        <span className="account-error">
          {row.error.message}
          {row.error.status ? ` (HTTP ${row.error.status})` : ''}
        </span>
      )}
    </span>
  );
}
