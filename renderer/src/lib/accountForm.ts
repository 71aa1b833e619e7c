/**
 * The account form's model: flat string fields in, a validated `SaveAccountInput` out.
 *
 * Validation is the contract's own `saveAccountSchema`, so the form and main agree on every
 * rule; each problem is mapped back to the field that shows it. Fields the form does not show
 * (passwordEnv, openIdConfigUrl, …) are carried over unchanged when editing, so saving from
 * the form never loses configuration. The secret is write-only: it is never filled in from a
 * stored account, and an empty secret while editing means "keep the stored one".
 */
import { saveAccountSchema, type AccountSummary, type SaveAccountInput } from '../../../electron/contract.js';

export interface AccountFormValues {
  provider: 'ucwa' | 'graph';
  displayName: string;
  /** UCWA password or Graph client secret; never prefilled. */
  secret: string;
  caFile: string;
  declineReason: string;
  // UCWA
  sipAddress: string;
  username: string;
  discoveryUrl: string;
  payloadFormat: '' | 'json' | 'xml';
  /** Call-forwarding contacts, one `Label = sip:user@domain` (or tel:) per line. */
  forwardContacts: string;
  /** 'no' turns off mirroring Do Not Disturb into presence (default: mirrored). */
  mirrorDndToPresence: 'yes' | 'no';
  // Graph
  tenantId: string;
  /** Further tenants whose calls may ring, separated by commas or spaces. */
  allowedTenants: string;
  clientId: string;
  credential: 'secret' | 'certificate';
  certFile: string;
  keyFile: string;
  apiVersion: '' | 'v1.0' | 'beta';
  rejectPath: '' | 'communications' | 'app';
  callbackHost: string;
  callbackPort: string;
  callbackPath: string;
  /** "Forward to…" targets, one per line: `Label, +14255550100` or `Label, <user object id>`. */
  forwardTargets: string;
}

export type FieldName = keyof AccountFormValues;
export type FieldErrors = Partial<Record<FieldName | 'form', string>>;

export function emptyForm(provider: 'ucwa' | 'graph' = 'ucwa'): AccountFormValues {
  return {
    provider,
    displayName: '',
    secret: '',
    caFile: '',
    declineReason: '',
    sipAddress: '',
    username: '',
    discoveryUrl: '',
    payloadFormat: '',
    forwardContacts: '',
    mirrorDndToPresence: 'yes',
    tenantId: '',
    allowedTenants: '',
    clientId: '',
    credential: 'secret',
    certFile: '',
    keyFile: '',
    apiVersion: '',
    rejectPath: '',
    callbackHost: '',
    callbackPort: '',
    callbackPath: '',
    forwardTargets: '',
  };
}

export function formFromAccount(a: AccountSummary): AccountFormValues {
  const base = { ...emptyForm(a.provider), displayName: a.displayName ?? '', caFile: a.caFile ?? '' };
  if (a.provider === 'ucwa') {
    return {
      ...base,
      sipAddress: a.sipAddress,
      username: a.username,
      discoveryUrl: a.discoveryUrl ?? '',
      payloadFormat: a.payloadFormat ?? '',
      declineReason: a.declineReason ?? '',
      forwardContacts: (a.forwardContacts ?? []).map((c) => `${c.label} = ${c.sipUri}`).join('\n'),
      mirrorDndToPresence: a.mirrorDndToPresence === false ? 'no' : 'yes',
    };
  }
  return {
    ...base,
    tenantId: a.tenantId,
    allowedTenants: (a.allowedTenants ?? []).join(', '),
    clientId: a.clientId,
    credential: a.certificate ? 'certificate' : 'secret',
    certFile: a.certificate?.certFile ?? '',
    keyFile: a.certificate?.keyFile ?? '',
    apiVersion: a.apiVersion ?? '',
    rejectPath: a.rejectPath ?? '',
    callbackHost: a.callback.host ?? '',
    callbackPort: String(a.callback.port),
    callbackPath: a.callback.path ?? '',
    declineReason: a.declineReason ?? '',
    forwardTargets: formatForwardTargets(a.forwardTargets),
  };
}

type ForwardTargetLine = { label: string; userId?: string; phone?: string };

/** The saved targets as the form's text: one `Label, value` per line. */
export function formatForwardTargets(targets: readonly ForwardTargetLine[] | undefined): string {
  return (targets ?? []).map((t) => `${t.label}, ${t.phone ?? t.userId ?? ''}`).join('\n');
}

/**
 * The form's text as targets: each non-empty line is `Label, value`, split at the last comma;
 * a value starting with + is a phone number (E.164), anything else a Teams user's object id.
 * Returns the line-numbered problem when a line has no comma.
 */
export function parseForwardTargets(text: string): { targets: ForwardTargetLine[] } | { error: string } {
  const targets: ForwardTargetLine[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const comma = line.lastIndexOf(',');
    if (comma < 0) return { error: `line ${i + 1}: write "Label, +14255550123" or "Label, user id"` };
    const label = line.slice(0, comma).trim();
    const value = line.slice(comma + 1).trim();
    targets.push(value.startsWith('+') ? { label, phone: value } : { label, userId: value });
  }
  return { targets };
}

/** A valid, unused account id derived from the address or client id. */
export function makeAccountId(v: AccountFormValues, taken: ReadonlySet<string>): string {
  const raw = v.provider === 'ucwa' ? v.sipAddress.trim().replace(/^sip:/i, '') : `graph-${v.clientId.trim()}`;
  let base =
    raw
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || v.provider;
  if (!/^[A-Za-z0-9._-]+$/.test(base)) base = v.provider;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

const opt = (s: string) => (s.trim() === '' ? undefined : s.trim());

/** Keys the form owns; anything else on an edited account is carried over as it was. */
const UCWA_KEYS = [
  'displayName',
  'sipAddress',
  'username',
  'discoveryUrl',
  'declineReason',
  'payloadFormat',
  'caFile',
  'password',
  'forwardContacts',
  'mirrorDndToPresence',
];
const GRAPH_KEYS = [
  'displayName',
  'tenantId',
  'allowedTenants',
  'clientId',
  'clientSecret',
  'certificate',
  'apiVersion',
  'rejectPath',
  'callback',
  'caFile',
  'declineReason',
  'forwardTargets',
];

function carried(existing: AccountSummary | null, provider: 'ucwa' | 'graph'): Record<string, unknown> {
  if (!existing || existing.provider !== provider) return {};
  const owned = new Set([...(provider === 'ucwa' ? UCWA_KEYS : GRAPH_KEYS), 'id', 'provider', 'hasSecret']);
  return Object.fromEntries(Object.entries(existing).filter(([k]) => !owned.has(k)));
}

/** "a, b c" → ['a', 'b', 'c']; nothing → undefined (the key is left out). */
function tenantList(text: string): string[] | undefined {
  const list = text.split(/[\s,;]+/).filter((t) => t !== '');
  return list.length > 0 ? list : undefined;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export type BuildResult = { ok: true; input: SaveAccountInput } | { ok: false; errors: FieldErrors };

/**
 * Turns the form into the input of `bridge.saveAccount`, validated with the contract's schema.
 * `existing` is the account being edited (null when adding); `takenIds` are the other ids.
 */
export function buildSaveInput(
  v: AccountFormValues,
  existing: AccountSummary | null,
  takenIds: ReadonlySet<string>,
): BuildResult {
  const errors: FieldErrors = {};
  const id = existing?.id ?? makeAccountId(v, takenIds);
  let account: Record<string, unknown>;

  if (v.provider === 'ucwa') {
    account = stripUndefined({
      ...carried(existing, 'ucwa'),
      id,
      provider: 'ucwa',
      displayName: opt(v.displayName),
      sipAddress: v.sipAddress.trim(),
      username: v.username.trim(),
      discoveryUrl: opt(v.discoveryUrl),
      caFile: opt(v.caFile),
      declineReason: opt(v.declineReason),
      payloadFormat: opt(v.payloadFormat),
      forwardContacts: parseForwardContacts(v.forwardContacts, errors),
      mirrorDndToPresence: v.mirrorDndToPresence === 'no' ? false : undefined,
    });
  } else {
    const portText = v.callbackPort.trim();
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!Number.isInteger(port) || port > 65535) errors.callbackPort = 'enter a port number from 0 to 65535';
    const forward = parseForwardTargets(v.forwardTargets);
    if ('error' in forward) errors.forwardTargets = forward.error;
    account = stripUndefined({
      ...carried(existing, 'graph'),
      id,
      provider: 'graph',
      displayName: opt(v.displayName),
      tenantId: v.tenantId.trim(),
      allowedTenants: tenantList(v.allowedTenants),
      clientId: v.clientId.trim(),
      certificate:
        v.credential === 'certificate' ? { certFile: v.certFile.trim(), keyFile: v.keyFile.trim() } : undefined,
      apiVersion: opt(v.apiVersion),
      rejectPath: opt(v.rejectPath),
      callback: stripUndefined({
        host: opt(v.callbackHost),
        port: Number.isNaN(port) ? 0 : port,
        path: opt(v.callbackPath),
        maxConnections: existing?.provider === 'graph' ? existing.callback.maxConnections : undefined,
      }),
      caFile: opt(v.caFile),
      declineReason: opt(v.declineReason),
      forwardTargets: 'targets' in forward && forward.targets.length > 0 ? forward.targets : undefined,
    });
    if (v.credential === 'certificate') delete account.clientSecretEnv;
  }

  const secret = v.provider === 'ucwa' || v.credential === 'secret' ? opt(v.secret) : undefined;
  const sameProvider = existing?.provider === v.provider;
  const storedSecret = sameProvider && existing.hasSecret;
  if (!secret) {
    if (v.provider === 'ucwa' && !storedSecret && !('passwordEnv' in account)) {
      errors.secret = 'enter the password (it is stored encrypted and never shown again)';
    }
    if (v.provider === 'graph' && v.credential === 'secret' && !storedSecret && !('clientSecretEnv' in account)) {
      errors.secret = 'enter the client secret, or use a certificate';
    }
  }

  const parsed = saveAccountSchema.safeParse(secret ? { account, secret } : { account });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldFor(issue.path);
      const message =
        field === 'form'
          ? `${issue.path.map(String).join('.')}: ${issue.message}`
          : field === 'forwardTargets'
            ? forwardTargetProblem(v.forwardTargets, issue.path, issue.message)
            : issue.message;
      if (!errors[field]) errors[field] = message;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (!parsed.success) return { ok: false, errors: { form: 'the account is not valid' } };
  return { ok: true, input: parsed.data };
}

/** `line 2 (phone): must be an E.164 …` — the schema's index mapped back to the text's line. */
function forwardTargetProblem(text: string, path: readonly PropertyKey[], message: string): string {
  const index = Number(path[2]);
  if (!Number.isInteger(index)) return message;
  const lines = text.split(/\r?\n/);
  let seen = -1;
  const line = lines.findIndex((l) => l.trim() !== '' && ++seen === index);
  const key = path[3] === undefined ? '' : ` (${String(path[3])})`;
  return `line ${line + 1}${key}: ${message}`;
}

/** `Label = sip:user@domain` lines → contacts (undefined when none); a malformed line is an error. */
export function parseForwardContacts(
  text: string,
  errors: FieldErrors,
): { label: string; sipUri: string }[] | undefined {
  const contacts: { label: string; sipUri: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const at = line.lastIndexOf('=');
    const label = at > 0 ? line.slice(0, at).trim() : '';
    const sipUri = at > 0 ? line.slice(at + 1).trim() : '';
    if (!label || !sipUri) {
      errors.forwardContacts ??= `line ${i + 1}: write Label = sip:user@domain (or tel:+number)`;
      return;
    }
    contacts.push({ label, sipUri });
  });
  return contacts.length ? contacts : undefined;
}

/** Maps a schema issue path (`account.callback.port`) to the form field that shows it. */
export function fieldFor(path: readonly PropertyKey[]): FieldName | 'form' {
  const [head, ...rest] = path.map(String);
  if (head === 'secret') return 'secret';
  if (head !== 'account' || rest.length === 0) return 'form';
  const key = rest.join('.');
  switch (key) {
    case 'callback.port':
      return 'callbackPort';
    case 'callback.host':
      return 'callbackHost';
    case 'callback.path':
      return 'callbackPath';
    case 'certificate.certFile':
      return 'certFile';
    case 'certificate.keyFile':
      return 'keyFile';
    case 'id':
      return 'form';
  }
  if (rest[0] === 'forwardTargets') return 'forwardTargets';
  const known: FieldName[] = [
    'displayName',
    'caFile',
    'declineReason',
    'sipAddress',
    'username',
    'discoveryUrl',
    'payloadFormat',
    'forwardContacts',
    'tenantId',
    'allowedTenants',
    'clientId',
    'apiVersion',
    'rejectPath',
  ];
  return (known as string[]).includes(rest[0] ?? '') ? (rest[0] as FieldName) : 'form';
}
