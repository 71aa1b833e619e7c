import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { CALL_DECLINE_REASONS, GRAPH_REJECT_REASONS, type AccountSummary } from '../../../electron/contract.js';
import {
  buildSaveInput,
  emptyForm,
  formFromAccount,
  type AccountFormValues,
  type FieldErrors,
  type FieldName,
} from '../lib/accountForm.js';
import { reasonLabel } from '../lib/labels.js';
import { useSoftphone } from '../store/context.js';

export interface AccountFormProps {
  existing: AccountSummary | null;
  takenIds: ReadonlySet<string>;
  onDone(): void;
}

const LABELS: Partial<Record<FieldName, string>> = {
  displayName: 'Name',
  sipAddress: 'SIP address',
  username: 'User name',
  secret: 'Password',
  discoveryUrl: 'Discovery URL',
  caFile: 'CA certificate file',
  declineReason: 'Decline reason',
  payloadFormat: 'Request format',
  forwardContacts: 'Call forwarding contacts',
  mirrorDndToPresence: 'Do Not Disturb sets presence',
  tenantId: 'Tenant id',
  allowedTenants: 'Other allowed tenants',
  clientId: 'Client (application) id',
  certFile: 'Certificate file',
  keyFile: 'Private key file',
  apiVersion: 'API version',
  rejectPath: 'Reject endpoint',
  callbackHost: 'Callback host',
  callbackPort: 'Callback port',
  callbackPath: 'Callback path',
  forwardTargets: 'Forward to…',
};

export function AccountForm({ existing, takenIds, onDone }: AccountFormProps) {
  const saveAccount = useSoftphone((s) => s.saveAccount);
  const [values, setValues] = useState<AccountFormValues>(() => (existing ? formFromAccount(existing) : emptyForm()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const uid = useId();
  const idOf = (f: string) => `${uid}-${f}`;

  const set = <K extends FieldName>(key: K, value: AccountFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const others = new Set([...takenIds].filter((id) => id !== existing?.id));
  const hasStoredSecret = existing?.provider === values.provider && existing.hasSecret;
  const isGraph = values.provider === 'graph';

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const built = buildSaveInput(values, existing, others);
    if (!built.ok) {
      setErrors(built.errors);
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setSaving(true);
    setErrors({});
    try {
      await saveAccount(built.input);
      setValues((v) => ({ ...v, secret: '' }));
      onDone();
    } catch (err) {
      const message = (err as { message?: unknown }).message;
      setErrors({ form: typeof message === 'string' ? message : String(err) });
    } finally {
      setSaving(false);
    }
  };

  const text = (
    field: FieldName,
    opts: { hint?: string; type?: string; required?: boolean; autoComplete?: string; placeholder?: string } = {},
  ) => (
    <Field
      id={idOf(field)}
      label={field === 'secret' && isGraph ? 'Client secret' : (LABELS[field] ?? field)}
      error={errors[field]}
      hint={opts.hint}
      required={opts.required}
    >
      {(describedBy) => (
        <input
          id={idOf(field)}
          type={opts.type ?? 'text'}
          value={values[field] as string}
          required={opts.required}
          autoComplete={opts.autoComplete ?? 'off'}
          spellCheck={false}
          placeholder={opts.placeholder}
          aria-invalid={errors[field] ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => set(field, e.currentTarget.value as never)}
        />
      )}
    </Field>
  );

  const select = (field: FieldName, options: { value: string; label: string }[], hint?: string) => (
    <Field id={idOf(field)} label={LABELS[field] ?? field} error={errors[field]} hint={hint}>
      {(describedBy) => (
        <select
          id={idOf(field)}
          value={values[field] as string}
          aria-invalid={errors[field] ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => set(field, e.currentTarget.value as never)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  const errorCount = Object.values(errors).filter(Boolean).length;

  return (
    <form
      ref={formRef}
      className="account-form"
      noValidate
      onSubmit={(e) => void onSubmit(e)}
      aria-labelledby={idOf('title')}
    >
      <h3 id={idOf('title')}>{existing ? `Edit ${existing.displayName || existing.id}` : 'Add an account'}</h3>
      {errorCount > 0 && (
        <div className="form-errors" role="alert">
          {errors.form ? (
            <p>{errors.form}</p>
          ) : (
            <p>Please fix {errorCount === 1 ? 'the field' : `${errorCount} fields`} marked below.</p>
          )}
        </div>
      )}

      <fieldset disabled={saving || existing !== null} className="provider-choice">
        <legend>Server type</legend>
        <label>
          <input type="radio" name={idOf('provider')} checked={!isGraph} onChange={() => set('provider', 'ucwa')} />{' '}
          Skype for Business (UCWA)
        </label>
        <label>
          <input type="radio" name={idOf('provider')} checked={isGraph} onChange={() => set('provider', 'graph')} />{' '}
          Microsoft Teams (Graph calling app)
        </label>
      </fieldset>

      <fieldset disabled={saving} className="form-grid">
        <legend className="visually-hidden">Account details</legend>
        {text('displayName', { hint: 'Optional; shown on toasts and in the list.' })}
        {!isGraph ? (
          <>
            {text('sipAddress', { required: true, placeholder: 'user@example.com', autoComplete: 'username' })}
            {text('username', { required: true, placeholder: 'DOMAIN\\user or user@example.com' })}
            {text('secret', {
              type: 'password',
              autoComplete: 'new-password',
              required: !hasStoredSecret,
              hint: hasStoredSecret
                ? 'A password is stored. Leave empty to keep it.'
                : 'Stored encrypted; never shown again.',
            })}
            {text('discoveryUrl', {
              hint: 'Optional. Leave empty to discover the pool from the SIP domain.',
              placeholder: 'https://lyncdiscover.example.com/',
            })}
            {text('caFile', { hint: 'Optional path to a PEM file for an enterprise certificate authority.' })}
            {select('declineReason', [
              { value: '', label: 'Use the default from settings' },
              ...CALL_DECLINE_REASONS.map((r) => ({ value: r, label: reasonLabel('ucwa', r) })),
            ])}
            {select('payloadFormat', [
              { value: '', label: 'JSON (default)' },
              { value: 'json', label: 'JSON' },
              { value: 'xml', label: 'XML' },
            ])}
            {select(
              'mirrorDndToPresence',
              [
                { value: 'yes', label: 'Yes: other devices stop ringing too' },
                { value: 'no', label: 'No: decline here only' },
              ],
              'While Do Not Disturb is on, set this account’s presence to Do Not Disturb.',
            )}
            <Field
              id={idOf('forwardContacts')}
              label={LABELS.forwardContacts ?? 'forwardContacts'}
              error={errors.forwardContacts}
              hint="One per line: Label = sip:user@domain or tel:+number. Offered in the tray’s call-forwarding menu."
            >
              {(describedBy) => (
                <textarea
                  id={idOf('forwardContacts')}
                  rows={3}
                  value={values.forwardContacts}
                  spellCheck={false}
                  placeholder="Reception = sip:reception@contoso.com"
                  aria-invalid={errors.forwardContacts ? true : undefined}
                  aria-describedby={describedBy}
                  onChange={(e) => set('forwardContacts', e.currentTarget.value)}
                />
              )}
            </Field>
          </>
        ) : (
          <>
            {text('tenantId', { required: true })}
            {text('allowedTenants', {
              hint: 'Optional: more tenant ids whose calls may ring (a multi-tenant bot), separated by commas.',
            })}
            {text('clientId', { required: true })}
            <fieldset className="credential-choice span-2">
              <legend>Credential</legend>
              <label>
                <input
                  type="radio"
                  name={idOf('credential')}
                  checked={values.credential === 'secret'}
                  onChange={() => set('credential', 'secret')}
                />{' '}
                Client secret
              </label>
              <label>
                <input
                  type="radio"
                  name={idOf('credential')}
                  checked={values.credential === 'certificate'}
                  onChange={() => set('credential', 'certificate')}
                />{' '}
                Certificate
              </label>
            </fieldset>
            {values.credential === 'secret' ? (
              text('secret', {
                type: 'password',
                autoComplete: 'new-password',
                required: !hasStoredSecret,
                hint: hasStoredSecret
                  ? 'A client secret is stored. Leave empty to keep it.'
                  : 'Stored encrypted; never shown again.',
              })
            ) : (
              <>
                {text('certFile', { required: true, hint: 'Path to the certificate (PEM).' })}
                {text('keyFile', { required: true, hint: 'Path to its private key (PEM).' })}
              </>
            )}
            {select('apiVersion', [
              { value: '', label: 'v1.0 (default)' },
              { value: 'v1.0', label: 'v1.0' },
              { value: 'beta', label: 'beta' },
            ])}
            {select('rejectPath', [
              { value: '', label: '/communications/calls (default)' },
              { value: 'communications', label: '/communications/calls' },
              { value: 'app', label: '/app/calls (older beta)' },
            ])}
            {text('callbackHost', {
              hint: 'Address the notification receiver listens on (default: loopback).',
              placeholder: '127.0.0.1',
            })}
            {text('callbackPort', {
              required: true,
              type: 'text',
              placeholder: '8443',
              hint: 'Port of the notification receiver.',
            })}
            {text('callbackPath', { placeholder: '/callback' })}
            {text('caFile', { hint: 'Optional path to a PEM file for an enterprise certificate authority.' })}
            {select('declineReason', [
              { value: '', label: 'Use the default from settings' },
              ...GRAPH_REJECT_REASONS.map((r) => ({
                value: r,
                label: r === 'none' ? 'Decline (no reason)' : reasonLabel('graph', r),
              })),
            ])}
            <Field
              id={idOf('forwardTargets')}
              label={LABELS.forwardTargets ?? 'forwardTargets'}
              error={errors.forwardTargets}
              hint={
                'Optional. One per line: a label, a comma, then a phone number in E.164 (+14255550123) ' +
                'or a Teams user’s object id. Offered on the toast as “Forward to…”.'
              }
            >
              {(describedBy) => (
                <textarea
                  id={idOf('forwardTargets')}
                  className="span-2"
                  rows={3}
                  value={values.forwardTargets}
                  spellCheck={false}
                  placeholder={'Reception, +14255550100\nLee Gu, 5a2c1e7d-3b4f-4e2a-9c1d-8f6b0a3e2d17'}
                  aria-invalid={errors.forwardTargets ? true : undefined}
                  aria-describedby={describedBy}
                  onChange={(e) => set('forwardTargets', e.currentTarget.value)}
                />
              )}
            </Field>
          </>
        )}
      </fieldset>

      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : existing ? 'Save changes' : 'Add account'}
        </button>
        <button type="button" className="btn btn-quiet" disabled={saving} onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Field({
  id,
  label,
  error,
  hint,
  required,
  children,
}: {
  id: string;
  label: string;
  error: string | undefined;
  hint?: string | undefined;
  required?: boolean | undefined;
  children: (describedBy: string | undefined) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {children(describedBy)}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
