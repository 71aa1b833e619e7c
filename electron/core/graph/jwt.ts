/**
 * Validates the bearer JWT that Microsoft puts on every calling-webhook notification
 * (PROTOCOL.md §6): RS256 signature against the keys of the configured OpenID configuration
 * (default https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration → its `jwks_uri`),
 * issuer https://api.botframework.com or https://graph.microsoft.com, audience = the app's
 * client id, a `tid` claim, expiry and not-before with 5 minutes of clock skew.
 *
 * Keys are fetched through the injected fetch only (jose's `customFetch`) and cached by jose;
 * the OpenID configuration itself is re-read every 2 hours, as Microsoft's samples do. A token
 * naming an unknown `kid` makes the key set be fetched again, at most once per `keyCooldownMs`
 * (on the injected clock); inside that cooldown the answer is 503 — the key may have been
 * published since our last fetch, and Microsoft retries a 503 — and a fetch is scheduled for
 * the end of the cooldown, so the retry finds the key. A token without `kid` is checked
 * against every published key. A failed warm-up is retried in the background with backoff
 * (`startWarming`), not only when a notification arrives.
 */
import {
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { isAllowedUrl } from '../config.js';
import type { Clock, Fetch, Logger, TimerHandle } from '../deps.js';

export const DEFAULT_OPENID_CONFIG_URL = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration';
export const CALLBACK_ISSUERS = ['https://api.botframework.com', 'https://graph.microsoft.com'] as const;

/** Why a notification was refused. `status` is what the receiver answers. */
export class CallbackAuthError extends Error {
  constructor(
    /** 401: no bearer token; 403: a token that does not validate; 503: keys unavailable. */
    readonly status: 401 | 403 | 503,
    /** Short machine-readable reason (never contains the token). */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackAuthError';
  }
}

export interface CallbackClaims {
  tid: string;
  iss: string;
  aud: string | string[];
  exp: number;
  appid?: string;
}

export interface CallbackVerifierOptions {
  /** The app registration's client id: the expected `aud`. */
  audience: string;
  openIdConfigUrl?: string;
  fetch: Fetch;
  clock: Clock;
  logger: Logger;
  /** How often the OpenID configuration is re-read (default 2 h). */
  refreshMs?: number;
  /** Allowed clock skew in seconds (default 300). */
  clockToleranceSec?: number;
  /** Timeout of one OpenID configuration or JWKS request (default 5 s). */
  requestTimeoutMs?: number;
  /** The key set is fetched again for an unknown `kid` at most this often (default 5 s). */
  keyCooldownMs?: number;
}

/** Delays between background warm-up attempts after a failure (the last repeats). */
const WARM_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

interface KeySource {
  jwksUri: string;
  getKey: JWTVerifyGetKey;
  /** Fetches the key set now (ignoring the cooldown). */
  reload(): Promise<void>;
  loadedAt: number;
}

export class CallbackVerifier {
  private readonly openIdConfigUrl: string;
  private readonly refreshMs: number;
  private readonly toleranceSec: number;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private keys: KeySource | null = null;
  private loading: Promise<KeySource> | null = null;
  /** After a failed refresh, when the next attempt may be made (the old keys stay in use). */
  private retryAfter = 0;
  private readonly cooldownMs: number;
  /** clock.now() of the last key-set fetch (started). */
  private lastKeyFetchAt = Number.NEGATIVE_INFINITY;
  private scheduledReload: TimerHandle | null = null;
  private warmTimer: TimerHandle | null = null;
  private warmFailures = 0;
  private stopped = false;

  constructor(private readonly opts: CallbackVerifierOptions) {
    this.openIdConfigUrl = opts.openIdConfigUrl ?? DEFAULT_OPENID_CONFIG_URL;
    this.refreshMs = opts.refreshMs ?? 2 * 60 * 60 * 1000;
    this.toleranceSec = opts.clockToleranceSec ?? 300;
    this.timeoutMs = opts.requestTimeoutMs ?? 5_000;
    this.log = opts.logger.child('jwt');
    this.cooldownMs = opts.keyCooldownMs ?? 5_000;
  }

  /** Loads the OpenID configuration and the key set ahead of the first notification. */
  async warmUp(): Promise<void> {
    const source = await this.keySource();
    await source.reload();
  }

  /**
   * Warms up in the background and, when that fails, tries again with backoff until it
   * succeeds or `stop()` is called. Never rejects.
   */
  startWarming(): void {
    this.stopped = false;
    if (this.warmTimer !== null) return;
    const attempt = () => {
      this.warmTimer = null;
      if (this.stopped) return;
      this.warmUp().then(
        () => {
          if (this.warmFailures > 0) this.log.info('notification signing keys loaded', { after: this.warmFailures });
          this.warmFailures = 0;
        },
        (err: unknown) => {
          if (this.stopped) return;
          const wait = WARM_RETRY_MS[Math.min(this.warmFailures, WARM_RETRY_MS.length - 1)] ?? 60_000;
          this.warmFailures++;
          this.log.warn('could not load the notification signing keys; retrying', {
            detail: errorText(err),
            retryInMs: wait,
          });
          this.warmTimer = this.opts.clock.setTimeout(attempt, wait);
        },
      );
    };
    attempt();
  }

  /** Re-reads the OpenID configuration and the keys in the background (after a wake). */
  refreshInBackground(): void {
    if (this.stopped) return;
    this.retryAfter = 0;
    const current = this.keys;
    if (current) this.keys = { ...current, loadedAt: Number.NEGATIVE_INFINITY };
    this.warmUp().catch((err: unknown) => {
      this.log.warn('could not refresh the notification signing keys', { detail: errorText(err) });
      if (this.warmTimer === null) this.startWarming();
    });
  }

  /** Cancels background warm-up and scheduled key fetches. */
  stop(): void {
    this.stopped = true;
    if (this.warmTimer !== null) this.opts.clock.clearTimeout(this.warmTimer);
    if (this.scheduledReload !== null) this.opts.clock.clearTimeout(this.scheduledReload);
    this.warmTimer = null;
    this.scheduledReload = null;
  }

  /**
   * Validates `Authorization: Bearer <jwt>`. Resolves with the claims, or rejects with a
   * CallbackAuthError whose message names the reason and never includes the token.
   */
  async verify(authorization: string | undefined): Promise<CallbackClaims> {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!authorization || !authorization.trim()) {
      throw new CallbackAuthError(401, 'missing', 'the notification carries no Authorization header');
    }
    if (!match?.[1]) {
      throw new CallbackAuthError(401, 'notBearer', 'the Authorization header is not a Bearer token');
    }
    const token = match[1];
    const source = await this.keySource();
    const options = {
      issuer: [...CALLBACK_ISSUERS],
      audience: this.opts.audience,
      algorithms: ['RS256'],
      clockTolerance: this.toleranceSec,
      currentDate: new Date(this.opts.clock.now()),
      requiredClaims: ['exp'],
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, source.getKey, options));
    } catch (err) {
      if (!(err instanceof joseErrors.JWKSMultipleMatchingKeys)) throw toAuthError(err);
      // No `kid` in the header: the token must verify with one of the published keys.
      payload = await verifyWithAnyKey(token, err, options);
    }
    if (typeof payload.tid !== 'string' || payload.tid.length === 0) {
      throw new CallbackAuthError(403, 'noTid', 'the token has no "tid" (tenant) claim');
    }
    const claims: CallbackClaims = {
      tid: payload.tid,
      iss: String(payload.iss),
      aud: payload.aud ?? '',
      exp: payload.exp ?? 0,
    };
    if (typeof payload.appid === 'string') claims.appid = payload.appid;
    return claims;
  }

  /** Fetches the key set once `ms` from now (one pending fetch at most). */
  private reloadAfter(ms: number, reload: () => Promise<void>): void {
    if (this.scheduledReload !== null || this.stopped) return;
    this.scheduledReload = this.opts.clock.setTimeout(() => {
      this.scheduledReload = null;
      reload().catch((err: unknown) =>
        this.log.warn('could not fetch the notification signing keys', { detail: errorText(err) }),
      );
    }, ms);
  }

  /** The key resolver for the current OpenID configuration, re-read every `refreshMs`. */
  private async keySource(): Promise<KeySource> {
    const now = this.opts.clock.now();
    const current = this.keys;
    if (current && now - current.loadedAt < this.refreshMs) return current;
    if (current && now < this.retryAfter) return current;
    if (!this.loading) {
      this.loading = this.loadKeySource(current)
        .then((s) => {
          this.keys = s;
          return s;
        })
        .finally(() => {
          this.loading = null;
        });
    }
    try {
      return await this.loading;
    } catch (err) {
      if (current) {
        // Keep validating with the keys we have; try the configuration again in a minute.
        this.retryAfter = this.opts.clock.now() + 60_000;
        this.log.warn('could not refresh the OpenID configuration; keeping the cached keys', { err });
        return current;
      }
      throw err;
    }
  }

  private async loadKeySource(previous: KeySource | null): Promise<KeySource> {
    const url = this.openIdConfigUrl;
    let doc: unknown;
    try {
      const res = await this.opts.fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      doc = await res.json();
    } catch (err) {
      throw new CallbackAuthError(
        503,
        'keysUnavailable',
        `could not read the OpenID configuration at ${url}: ${errorText(err)}`,
      );
    }
    const jwksUri = (doc as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string' || !isAllowedUrl(jwksUri)) {
      throw new CallbackAuthError(
        503,
        'keysUnavailable',
        `the OpenID configuration at ${url} has no usable "jwks_uri" (an https:// URL is required)`,
      );
    }
    const loadedAt = this.opts.clock.now();
    if (previous && previous.jwksUri === jwksUri) return { ...previous, loadedAt };
    const fetchImpl = this.opts.fetch;
    const remote = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.timeoutMs,
      cacheMaxAge: this.refreshMs,
      // jose never re-fetches on its own for an unknown kid: the cooldown below does, on the
      // injected clock, and answers 503 (retry) instead of 403 inside it.
      cooldownDuration: Number.POSITIVE_INFINITY,
      [customFetch]: (u, init) => fetchImpl(u, init),
    });
    const unavailable = (err: unknown) =>
      new CallbackAuthError(503, 'keysUnavailable', `could not read the signing keys at ${jwksUri}: ${errorText(err)}`);
    let reloading: Promise<void> | null = null;
    const reload = (): Promise<void> => {
      this.lastKeyFetchAt = this.opts.clock.now();
      reloading ??= remote
        .reload()
        .catch((err: unknown) => {
          throw unavailable(err);
        })
        .finally(() => {
          reloading = null;
        });
      return reloading;
    };
    // Separate "the token is bad" (403) from "we cannot get keys right now" (503).
    const getKey: JWTVerifyGetKey = async (header, token) => {
      if (!remote.fresh) await reload();
      try {
        return await remote(header, token);
      } catch (err) {
        if (err instanceof joseErrors.JWKSMultipleMatchingKeys) throw err;
        if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw unavailable(err);
      }
      if (reloading) {
        // A fetch is under way (warm-up, the end of a cooldown): its keys decide.
        await reloading;
        return await remote(header, token);
      }
      const since = this.opts.clock.now() - this.lastKeyFetchAt;
      if (since < this.cooldownMs) {
        this.reloadAfter(this.cooldownMs - since, reload);
        throw new CallbackAuthError(
          503,
          'keyNotYetKnown',
          'the token is signed with a key we have not fetched yet; the keys are fetched again shortly (retry)',
        );
      }
      await reload();
      return await remote(header, token);
    };
    this.log.info('using notification signing keys', { jwksUri });
    return { jwksUri, getKey, reload, loadedAt };
  }
}

/** Tries each candidate key of a token without `kid`; the first that verifies wins. */
async function verifyWithAnyKey(
  token: string,
  candidates: joseErrors.JWKSMultipleMatchingKeys,
  options: Parameters<typeof jwtVerify>[2],
): Promise<JWTPayload> {
  let last: unknown = candidates;
  for await (const key of candidates as unknown as AsyncIterable<CryptoKey>) {
    try {
      return (await jwtVerify(token, key, options)).payload;
    } catch (err) {
      last = err;
      // A claim problem is the same under every key: stop there.
      if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) break;
    }
  }
  throw toAuthError(last instanceof joseErrors.JWKSMultipleMatchingKeys ? new joseErrors.JWKSNoMatchingKey() : last);
}

function toAuthError(err: unknown): CallbackAuthError {
  if (err instanceof CallbackAuthError) return err;
  if (err instanceof joseErrors.JWTExpired) {
    return new CallbackAuthError(403, 'expired', 'the token has expired');
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = err.claim;
    const reason =
      claim === 'aud' ? 'audience' : claim === 'iss' ? 'issuer' : claim === 'nbf' ? 'notYetValid' : `claim:${claim}`;
    return new CallbackAuthError(403, reason, `the token's "${claim}" claim is not acceptable (${err.reason})`);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new CallbackAuthError(403, 'signature', 'the token signature does not verify');
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) {
    return new CallbackAuthError(
      403,
      'unknownKey',
      'the token is signed with a key that is not in the published key set',
    );
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return new CallbackAuthError(403, 'algorithm', 'the token is not signed with RS256');
  }
  if (err instanceof joseErrors.JOSEError) {
    return new CallbackAuthError(403, 'malformed', `the token is not a valid JWT (${err.code})`);
  }
  return new CallbackAuthError(403, 'invalid', `the token could not be validated: ${errorText(err)}`);
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
