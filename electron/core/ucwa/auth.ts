/**
 * MsRtcOAuth (WebTicket) sign-in [PROTOCOL.md §4.1]: the 401 challenge, the password grant,
 * and a token cache that re-grants before `expires_in` elapses.
 *
 * The challenge arrives as TWO `WWW-Authenticate` headers (a `Bearer` one and the
 * `MsRtcOAuth` one). fetch's `Headers.get` joins repeated headers with ", ", and the
 * MsRtcOAuth `grant_type` value itself contains commas, so the value is parsed as an RFC 7235
 * challenge list (quoted strings respected), not split on commas.
 */
import type { Clock, Fetch, Logger } from '../deps.js';
import { UcwaError } from './errors.js';
import { resolveHref } from './links.js';

export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

export interface MsRtcOAuthChallenge {
  /** Token endpoint, absolute (resolved against the challenged URL). */
  href: string;
  grantTypes: string[];
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

/**
 * Parses a (possibly joined) WWW-Authenticate value into challenges. Tolerant: unknown
 * syntax is skipped, never thrown.
 */
export function parseWwwAuthenticate(value: string | readonly string[] | null | undefined): AuthChallenge[] {
  if (value == null) return [];
  const values = typeof value === 'string' ? [value] : value;
  const out: AuthChallenge[] = [];
  for (const v of values) out.push(...parseOne(v));
  return out;
}

function parseOne(s: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  let current: AuthChallenge | null = null;
  /** True right after a scheme: a bare token there is a token68, not a new scheme. */
  let afterScheme = false;
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = (): string | null => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (!m) return null;
    i = TOKEN.lastIndex;
    return m[0];
  };
  const readQuoted = (): string => {
    i++; // opening quote
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    i++; // closing quote (or end)
    return v;
  };
  /** An unquoted value: lenient, up to the next comma or whitespace. */
  const readBare = (): string => {
    const from = i;
    while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
    return s.slice(from, i);
  };
  const skipItem = () => {
    while (i < s.length && s[i] !== ',') {
      if (s[i] === '"') readQuoted();
      else i++;
    }
  };
  while (i < s.length) {
    skipWs();
    if (i >= s.length) break;
    if (s[i] === ',') {
      i++;
      afterScheme = false;
      continue;
    }
    const tok = readToken();
    if (!tok) {
      skipItem();
      continue;
    }
    skipWs();
    const rest = s.slice(i);
    if (s[i] === '=' && !/^=+\s*(,|$)/.test(rest)) {
      // auth-param: name = token | quoted-string
      i++;
      skipWs();
      const value = s[i] === '"' ? readQuoted() : readBare();
      if (current && !(tok.toLowerCase() in current.params)) current.params[tok.toLowerCase()] = value;
      afterScheme = false;
      skipItem();
      continue;
    }
    if (afterScheme || /^=/.test(rest)) {
      // token68 ("Negotiate abc==")
      while (i < s.length && s[i] === '=') i++;
      afterScheme = false;
      skipItem();
      continue;
    }
    current = { scheme: tok, params: Object.create(null) as Record<string, string> };
    out.push(current);
    afterScheme = true;
  }
  return out;
}

/**
 * Finds the MsRtcOAuth challenge in a response's WWW-Authenticate header(s). `requestUrl`
 * resolves a relative `href`. Returns null when there is none (or its href is unusable).
 */
export function findMsRtcOAuth(
  value: string | readonly string[] | null | undefined,
  requestUrl: string,
): MsRtcOAuthChallenge | null {
  for (const c of parseWwwAuthenticate(value)) {
    if (c.scheme.toLowerCase() !== 'msrtcoauth') continue;
    const href = c.params.href;
    if (!href) continue;
    let resolved: string;
    try {
      resolved = resolveHref(requestUrl, href);
    } catch {
      continue;
    }
    const grantTypes = (c.params.grant_type ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    return { href: resolved, grantTypes };
  }
  return null;
}

/** All WWW-Authenticate values of a response (joined by fetch; see the module comment). */
export function wwwAuthenticateOf(headers: Headers): string | null {
  return headers.get('www-authenticate');
}

export interface Token {
  accessToken: string;
  tokenType: string;
  obtainedAt: number;
  expiresAt: number;
}

export interface Credentials {
  username: string;
  password: string;
}

const TOKEN_ERRORS: Record<string, string> = {
  invalid_grant: 'The server rejected the user name or password.',
  invalid_request: 'The server did not accept the sign-in request.',
  unsupported_grant_type: 'The server does not allow password sign-in.',
  invalid_scope: 'The server refused the requested sign-in scope.',
  server_error: 'The sign-in server failed; it will be tried again later.',
};

export interface TokenCacheOptions {
  fetch: Fetch;
  clock: Clock;
  logger: Logger;
  credentials: () => Promise<Credentials>;
  /** Per-request timeout for the grant, ms. */
  timeoutMs?: number;
}

/** A grant the token endpoint refused for the credentials themselves (not a server failure). */
export function isRefusedGrant(status: number, error: string | null): boolean {
  return error === 'invalid_grant' || ((status === 400 || status === 401) && error !== 'server_error');
}

/**
 * Tokens per token endpoint. A token is re-granted (there is no refresh token: "refresh"
 * means running the grant again) when it is invalidated after a 401 or when less than a
 * margin (10 % of its life, at most 5 minutes) remains. Concurrent callers share one grant.
 */
export class TokenCache {
  private readonly tokens = new Map<string, Token>();
  private readonly inflight = new Map<string, Promise<Token>>();
  /** Set once a token endpoint refused the password: it is never sent again until `allowRetry()`. */
  private refusal: UcwaError | null = null;

  constructor(private readonly opts: TokenCacheOptions) {}

  /** A valid token for `tokenUrl`, granting one if needed. Throws UcwaError. */
  async get(tokenUrl: string, signal?: AbortSignal): Promise<Token> {
    const t = this.tokens.get(tokenUrl);
    if (t && !this.isStale(t)) return t;
    if (this.refusal) throw this.refusal;
    return this.grant(tokenUrl, signal);
  }

  /** The token endpoint refused the password (400/401, invalid_grant); null while it has not. */
  get refused(): UcwaError | null {
    return this.refusal;
  }

  /** The user changed the password or asked to retry: the next grant may send it again. */
  allowRetry(): void {
    this.refusal = null;
  }

  /** The cached token if it is still fresh, without granting. */
  peek(tokenUrl: string): Token | undefined {
    const t = this.tokens.get(tokenUrl);
    return t && !this.isStale(t) ? t : undefined;
  }

  /** Forgets `token` (after the server answered 401 to it); a newer token is kept. */
  invalidate(tokenUrl: string, token: Token): void {
    if (this.tokens.get(tokenUrl) === token) this.tokens.delete(tokenUrl);
  }

  clear(): void {
    this.tokens.clear();
  }

  private isStale(t: Token): boolean {
    const life = t.expiresAt - t.obtainedAt;
    const margin = Math.min(5 * 60_000, life / 10);
    return this.opts.clock.now() >= t.expiresAt - margin;
  }

  private grant(tokenUrl: string, signal?: AbortSignal): Promise<Token> {
    const running = this.inflight.get(tokenUrl);
    if (running) return running;
    const p = this.doGrant(tokenUrl, signal).finally(() => this.inflight.delete(tokenUrl));
    this.inflight.set(tokenUrl, p);
    return p;
  }

  private async doGrant(tokenUrl: string, signal?: AbortSignal): Promise<Token> {
    const { fetch, clock } = this.opts;
    const log = this.opts.logger;
    const creds = await this.opts.credentials();
    const form = new URLSearchParams({ grant_type: 'password', username: creds.username, password: creds.password });
    const ac = new AbortController();
    const timer = clock.setTimeout(() => ac.abort(new Error('timeout')), this.opts.timeoutMs ?? 30_000);
    const sig = signal ? AbortSignal.any([signal, ac.signal]) : ac.signal;
    let res: Response;
    let text: string;
    try {
      log.info('requesting a sign-in token', { endpoint: tokenUrl });
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
          Accept: 'application/json',
        },
        body: form.toString(),
        signal: sig,
        redirect: 'manual',
      });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new UcwaError(
        null,
        'NetworkError',
        null,
        `Could not reach the sign-in server (${(err as Error).message}).`,
        true,
      );
    } finally {
      clock.clearTimeout(timer);
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      /* handled below */
    }
    if (res.status !== 200) {
      const error = typeof body.error === 'string' ? body.error : null;
      const transient = res.status >= 500 || res.status === 429 || error === 'server_error';
      const msg =
        (error && TOKEN_ERRORS[error]) ??
        (transient
          ? `The sign-in server answered HTTP ${res.status}; it will be tried again later.`
          : `The sign-in server refused the request (HTTP ${res.status}).`);
      log.warn('sign-in token refused', { endpoint: tokenUrl, status: res.status, error });
      if (isRefusedGrant(res.status, error)) {
        // Directory lockout: the same password is not sent again until the user acts.
        this.refusal = new UcwaError(
          res.status,
          'InvalidCredentials',
          error,
          'The server refused the password (user name or password is wrong). It will not be sent again until you change it or retry.',
        );
        this.tokens.clear();
        throw this.refusal;
      }
      throw new UcwaError(res.status, 'AuthenticationFailed', error, msg, true);
    }
    const accessToken = typeof body.access_token === 'string' ? body.access_token : '';
    if (!accessToken || /[\r\n]/.test(accessToken)) {
      throw new UcwaError(200, 'AuthenticationFailed', null, 'The sign-in server answered without a usable token.');
    }
    const expiresIn = Number(body.expires_in);
    const seconds = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600;
    const now = clock.now();
    const token: Token = {
      accessToken,
      tokenType: typeof body.token_type === 'string' && /^bearer$/i.test(body.token_type) ? 'Bearer' : 'Bearer',
      obtainedAt: now,
      expiresAt: now + seconds * 1000,
    };
    this.tokens.set(tokenUrl, token);
    log.info('signed in', { endpoint: tokenUrl, expiresInSec: seconds });
    return token;
  }
}
