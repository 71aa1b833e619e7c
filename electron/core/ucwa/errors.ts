/**
 * UCWA error bodies → errors a person understands.
 *
 * Shape [PROTOCOL.md §2.4]: `{code, subcode?, message?, debugInfo?, parameters?}` (JSON) or
 * `<reason><property name="code">…` (XML). Only `code` is guaranteed; unknown subcodes are
 * tolerated; a body that is neither JSON nor XML came from an intermediary (proxy), not UCWA.
 */
import type { DeclineError } from '../invitation.js';
import type { AccountError } from '../provider.js';

export interface UcwaErrorBody {
  code: string;
  subcode: string | null;
  /** The server's own text (may be localized or technical); null when absent. */
  message: string | null;
}

/** Where an error happened; it changes what a sentence should say. */
export type ErrorContext =
  'decline' | 'events' | 'application' | 'makeMeAvailable' | 'reportMyActivity' | 'discovery' | 'signIn' | 'request';

/** A failed UCWA exchange, thrown inside the provider and turned into an AccountError. */
export class UcwaError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string,
    readonly subcode: string | null,
    message: string,
    /** True when retrying later may help (network, 5xx, throttling). */
    readonly transient: boolean = false,
  ) {
    super(message);
    this.name = 'UcwaError';
  }

  toAccountError(): AccountError {
    return { status: this.status, code: this.code, subcode: this.subcode, message: this.message };
  }
}

function str(v: unknown, max = 500): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : null;
}

/** Parses a UCWA error body (JSON or XML). Returns null when it is not one. Never throws. */
export function parseErrorBody(text: string, contentType: string | null): UcwaErrorBody | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const trimmed = text.trim();
  if (type.includes('json') || trimmed.startsWith('{')) {
    try {
      const o = JSON.parse(trimmed) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) {
        const r = o as Record<string, unknown>;
        const code = str(r.code, 100);
        if (code) return { code, subcode: str(r.subcode, 100), message: str(r.message) };
      }
    } catch {
      /* not JSON after all */
    }
    return null;
  }
  if (type.includes('xml') || trimmed.startsWith('<')) {
    const prop = (name: string) => {
      const m = new RegExp(`<property\\s+name="${name}"\\s*>([^<]*)</property>`, 'i').exec(trimmed);
      return m ? str(xmlUnescape(m[1]!), name === 'message' ? 500 : 100) : null;
    };
    const code = prop('code');
    if (code) return { code, subcode: prop('subcode'), message: prop('message') };
  }
  return null;
}

/** Reads the `reason` block of an event (same shape as an error body); null when unusable. */
export function reasonOf(v: unknown): UcwaErrorBody | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  const code = str(r.code, 100);
  const subcode = str(r.subcode, 100);
  if (!code && !subcode) return null;
  return { code: code ?? 'None', subcode, message: str(r.message) };
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

const BY_SUBCODE: Record<string, string> = {
  CallbackChannelError: "The server could not reach this device's event channel.",
  PGetReplaced:
    "Another copy of this app (or another device signed in with the same endpoint) took over this account's event channel, so this copy stopped listening.",
  ApplicationNotFound: 'The server no longer knows this session; it has to be signed in again.',
  InactiveApplicationExpired:
    'The server ended this session because it looked inactive for too long. Restart the account to sign in again.',
  TooManyApplications:
    'Too many apps are signed in to this account at the same time. Close one of them and restart this account.',
  UserAgentNotAllowed: 'The server does not allow this app to sign in (its user agent is blocked by policy).',
  CannotRedirect: 'The server could not hand this session over to a backup pool.',
  MakeMeAvailableRequired: 'The server had not yet made this account reachable.',
  ResourceNotFound: 'The invitation no longer exists on the server (it has already ended).',
  AlreadyExists: 'The server says this has already been done.',
  ParameterValidationFailure: 'The server did not accept the request (a value was missing or invalid).',
  DeserializationFailure: 'The server could not read the request.',
  UnsupportedMediaType:
    'The server does not accept this request format; try the other payload format (JSON or XML) in the account settings.',
  AnonymousNotAllowed: 'The server does not allow anonymous sessions to do this.',
  InvalidExchangeServerVersion: 'The server reported a problem with its Exchange connection.',
  TooManyGroups: 'The server refused: too many contact groups.',
};

const BY_STATUS: Record<number, string> = {
  400: 'The server did not accept the request.',
  401: 'The server did not accept the sign-in.',
  403: 'The server refused: this account is not allowed to do that.',
  404: 'The server could not find what was asked for.',
  409: 'The server reported a conflict with the current state.',
  410: 'The server says this session is gone.',
  412: 'The server rejected the request because the resource changed in the meantime.',
  415: 'The server does not accept this request format.',
  429: 'The server is throttling requests; it will be tried again later.',
  500: 'The server failed to handle the request.',
  502: 'A gateway between here and the server failed.',
  503: 'The server is unavailable at the moment.',
  504: 'The server did not answer in time.',
};

const CONTEXT_PREFIX: Partial<Record<ErrorContext, string>> = {
  decline: 'Decline failed',
  events: 'The event channel failed',
  application: 'Could not start a session',
  makeMeAvailable: 'Could not make the account reachable',
  reportMyActivity: 'Could not report activity',
};

/**
 * One sentence (or two) for a person: what went wrong and, where it helps, what to do.
 * `status` is the HTTP status (null when no response came).
 */
export function describeUcwaError(
  status: number | null,
  body: UcwaErrorBody | null,
  context: ErrorContext = 'request',
): string {
  if (body?.subcode && BY_SUBCODE[body.subcode]) return BY_SUBCODE[body.subcode]!;
  if (status === 404 && context === 'decline') return BY_SUBCODE.ResourceNotFound!;
  let sentence: string;
  if (status === null) sentence = 'No answer came from the server (network problem or timeout).';
  else if (!body && status >= 400)
    sentence = `A proxy or gateway between here and the server answered HTTP ${status} instead of the server.`;
  else sentence = BY_STATUS[status] ?? `The server answered HTTP ${status}.`;
  const detail = body
    ? ` (${[body.code, body.subcode].filter(Boolean).join('/')}${body.message ? `: ${body.message}` : ''})`
    : '';
  const prefix = CONTEXT_PREFIX[context];
  return prefix ? `${prefix}: ${lowerFirst(sentence)}${detail}`.replace(/\.\s*\(/, ' (') : `${sentence}${detail}`;
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** The fallback code when a body gave none: the HTTP reason phrase as UCWA spells codes. */
export function codeForStatus(status: number | null): string {
  if (status === null) return 'NetworkError';
  const codes: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Gone',
    412: 'PreconditionFailed',
    415: 'UnsupportedMediaType',
    428: 'PreconditionRequired',
    429: 'TooManyRequests',
    500: 'ServiceFailure',
    502: 'BadGateway',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return codes[status] ?? `Http${status}`;
}

export function toDeclineError(status: number | null, body: UcwaErrorBody | null): DeclineError {
  return {
    status,
    code: body?.code ?? codeForStatus(status),
    subcode: body?.subcode ?? null,
    message: describeUcwaError(status, body, 'decline'),
  };
}

export function toUcwaError(status: number | null, body: UcwaErrorBody | null, context: ErrorContext): UcwaError {
  const transient = status === null || status >= 500 || status === 429;
  return new UcwaError(
    status,
    body?.code ?? codeForStatus(status),
    body?.subcode ?? null,
    describeUcwaError(status, body, context),
    transient,
  );
}

export function toAccountError(status: number | null, body: UcwaErrorBody | null, context: ErrorContext): AccountError {
  return toUcwaError(status, body, context).toAccountError();
}
