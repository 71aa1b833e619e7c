/**
 * The provider's one way to talk HTTP: URL safety, `Accept`, bearer tokens, the 401 dance and
 * per-request timeouts on the injected clock.
 *
 * Tokens are only ever sent to an origin that challenged us: an origin is bound to a token
 * endpoint when it answers 401 with an MsRtcOAuth challenge. A request with a token that the
 * server answers 401 triggers one re-grant and one retry of the *same* request (same URL,
 * same body) [PROTOCOL.md §4.1].
 */
import type { Clock, Fetch, Logger } from '../deps.js';
import { findMsRtcOAuth, wwwAuthenticateOf, type Token, type TokenCache } from './auth.js';
import { UcwaError } from './errors.js';
import { assertSafeUrl, describeHref, sameSite, UnsafeLinkError } from './links.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Lower-cased media type without parameters ('' when absent). */
  mediaType: string;
  text: string;
  /** Parsed JSON body when the body is JSON, else undefined. */
  json: unknown;
  url: string;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Abort when no complete answer arrived within this many ms (default 30 s). */
  timeoutMs?: number;
  /** Send/obtain a token (default true). */
  auth?: boolean;
  /** Called right after fetch was called (the request is on its way). */
  onIssued?: () => void;
}

/** The request did not get an HTTP answer (network error, timeout). */
export class NetworkError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

/** The request was aborted by our own signal (stop()). */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

export interface UcwaHttpOptions {
  fetch: Fetch;
  clock: Clock;
  logger: Logger;
  tokens: TokenCache;
  userAgent?: string;
}

export class UcwaHttp {
  /** origin → token endpoint that origin challenged us with. */
  private readonly authority = new Map<string, string>();

  constructor(private readonly opts: UcwaHttpOptions) {}

  get tokens(): TokenCache {
    return this.opts.tokens;
  }

  /** Forgets which origins use which token endpoints (sign-out / rediscovery). */
  resetAuthorities(): void {
    this.authority.clear();
  }

  async request(method: string, url: string, o: RequestOptions = {}): Promise<HttpResult> {
    try {
      assertSafeUrl(url);
    } catch (err) {
      if (err instanceof UnsafeLinkError) {
        throw new UcwaError(
          null,
          'UnsafeLink',
          null,
          `The server sent a link this app will not follow: ${err.problem}.`,
        );
      }
      throw err;
    }
    const useAuth = o.auth !== false;
    const origin = new URL(url).origin;
    let tokenUrl = useAuth ? this.authority.get(origin) : undefined;
    let token: Token | undefined = tokenUrl ? await this.opts.tokens.get(tokenUrl, o.signal) : undefined;

    let res = await this.send(method, url, o, token);
    if (res.status !== 401 || !useAuth) return res;

    const challenge = findMsRtcOAuth(wwwAuthenticateOf(res.headers), url);
    if (!challenge) return res;
    if (!challenge.grantTypes.includes('password') && challenge.grantTypes.length > 0) {
      throw new UcwaError(
        401,
        'UnsupportedSignIn',
        null,
        `The server does not offer password sign-in (it offers: ${challenge.grantTypes.join(', ')}).`,
      );
    }
    if (!sameSite(challenge.href, url)) {
      // The password only ever goes to a token endpoint of the server that asked for it.
      throw new UcwaError(
        401,
        'UntrustedSignIn',
        null,
        `${new URL(url).host} asked to sign in at ${new URL(challenge.href).host}, another site; the password was not sent.`,
      );
    }
    if (token && tokenUrl === challenge.href) this.opts.tokens.invalidate(tokenUrl, token);
    tokenUrl = challenge.href;
    this.authority.set(origin, tokenUrl);
    token = await this.opts.tokens.get(tokenUrl, o.signal);
    this.opts.logger.debug('retrying with a fresh token', { method, url: describeHref(url) });
    res = await this.send(method, url, { ...o, onIssued: undefined }, token);
    return res;
  }

  private async send(method: string, url: string, o: RequestOptions, token: Token | undefined): Promise<HttpResult> {
    const { fetch, clock } = this.opts;
    const headers: Record<string, string> = { Accept: o.accept ?? 'application/json' };
    if (token) headers.Authorization = `${token.tokenType} ${token.accessToken}`;
    if (o.contentType) headers['Content-Type'] = o.contentType;
    if (this.opts.userAgent) headers['User-Agent'] = this.opts.userAgent;
    let body: string | undefined = o.body;
    if (body === undefined && method === 'POST') body = ''; // Content-Length: 0 [ReceiveAnIM.md step 13]

    const timeout = new AbortController();
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      timeout.abort(new Error('timeout'));
    }, o.timeoutMs ?? 30_000);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout.signal]) : timeout.signal;
    try {
      if (o.signal?.aborted) throw new AbortedError();
      const pending = fetch(url, { method, headers, body, signal, redirect: 'manual' });
      o.onIssued?.();
      const res = await pending;
      const text = await res.text();
      const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      let json: unknown;
      if (mediaType.includes('json') || (mediaType === '' && /^\s*[{[]/.test(text))) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status: res.status, headers: res.headers, mediaType, text, json, url };
    } catch (err) {
      if (err instanceof AbortedError || (o.signal?.aborted && !timedOut)) throw new AbortedError();
      const reason = timedOut
        ? 'no answer in time'
        : (((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
      throw new NetworkError(url, `${method} ${describeHref(url)} failed: ${reason}`, timedOut);
    } finally {
      clock.clearTimeout(timer);
    }
  }
}
