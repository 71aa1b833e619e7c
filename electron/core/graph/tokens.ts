/**
 * App-only Microsoft Graph tokens (client credentials, PROTOCOL.md §7) with
 * @azure/msal-node: a client secret from the SecretStore or a certificate (certFile +
 * keyFile; the private key is taken from the SecretStore first — the desktop imports it into
 * the OS-keychain vault when the account is saved — and only then from keyFile). The first token is acquired when the account starts and is refreshed on a Clock
 * timer well before it expires, so a reject inside the 15 s window never waits for one.
 *
 * msal reaches the network only through the injected fetch (`system.networkClient`). For
 * an authority host other than Microsoft's own (the simulator, a sovereign or private
 * authority) the OpenID configuration is read here, through the same fetch, and handed to
 * msal as `authorityMetadata` with the host in `knownAuthorities`, so msal performs no
 * instance discovery against login.microsoftonline.com.
 *
 * **Outages heal in seconds.** msal-node remembers a 429/5xx answer of the token endpoint in
 * its client's cache (msal-common ThrottlingUtils: keyed by the request's thumbprint, for
 * Retry-After seconds or 60 s without one, capped at an hour, on the wall clock) and answers
 * every request inside that window locally with the old error — so retries at +5/+20/+50 s
 * never reached Entra, and the account came back ~95 s after Entra did. msal-node 7 offers no
 * option to bypass that cache (`skipCache` skips only the token cache) and no public way to
 * clear it. So: when Entra answered 429/5xx, the next attempt is made with a **fresh client**
 * (its throttle cache is empty; the token is held here, not in msal's cache, so nothing is
 * lost), a Retry-After that Entra sent is honoured on our own clock (nothing is sent before
 * it), and without one the retries come quickly (1, 2, 4, 8, then every 10 s, with jitter).
 * Errors say what happened: "Microsoft Entra refused the token request (code)", "could not
 * reach Microsoft Entra" (network, 5xx) and "waiting before asking Microsoft Entra again
 * (throttled until HH:MM:SS)".
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile as fsReadFile } from 'node:fs/promises';
import {
  ConfidentialClientApplication,
  LogLevel,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { isAllowedUrl, isLoopbackHost, type GraphAccount } from '../config.js';
import type { Clock, Fetch, Logger, SecretStore, TimerHandle } from '../deps.js';
import type { AccountError } from '../provider.js';
import { retryAfterMs } from './callAction.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Hosts msal-node knows (hard-coded metadata or Microsoft's instance discovery). */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

export type ReadFile = (path: string) => Promise<string>;

/** The SecretStore name of a Graph account's certificate private key (PEM). */
export function certificateKeyName(accountId: string): string {
  return `${accountId}.certificateKey`;
}

export interface TokenDeps {
  fetch: Fetch;
  clock: Clock;
  logger: Logger;
  secrets: SecretStore;
  readFile?: ReadFile;
}

export class GraphTokenError extends Error {
  constructor(
    readonly code: 'NoCredential' | 'BadCertificate' | 'AuthorityUnavailable' | 'TokenRequestFailed' | 'Throttled',
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'GraphTokenError';
  }

  toAccountError(): AccountError {
    return { status: this.status, code: this.code, message: this.message };
  }
}

export interface TokenStatusListener {
  (status: { ok: true } | { ok: false; error: AccountError }): void;
}

interface Held {
  accessToken: string;
  /** clock.now()-based expiry. */
  expiresAt: number;
}

/** A token is used only while it has at least this long to live. */
const MIN_REMAINING_MS = 30_000;
/** Retry delays while Entra is unreachable or failing (5xx), the last repeats; ±10 % jitter. */
const TRANSIENT_RETRY_MS = [1_000, 2_000, 4_000, 8_000, 10_000];
/** Retry delays after Entra refused (a configuration problem: secret, certificate, app id). */
const REFUSED_RETRY_MS = [30_000, 60_000, 300_000];
/** msal caps a Retry-After at an hour; so do we. */
const MAX_RETRY_AFTER_MS = 3_600_000;
/** On wake, a token with less than this left is replaced at once. */
const WAKE_REFRESH_BELOW_MS = 10 * 60_000;

/** What the token endpoint answered to the last request (seen by our network module). */
interface TokenResponseSeen {
  status: number;
  retryAfter: string | null;
}

export class GraphTokens {
  private app: ConfidentialClientApplication | null = null;
  private appPromise: Promise<ConfidentialClientApplication> | null = null;
  private held: Held | null = null;
  private inflight: Promise<Held> | null = null;
  private timer: TimerHandle | null = null;
  private failures = 0;
  private stopped = false;
  /** Entra answered 429/5xx: msal's client now holds a throttle entry; use a fresh one. */
  private clientThrottled = false;
  /** clock.now() before which Entra asked not to be asked again (its Retry-After). */
  private throttledUntil = 0;
  private lastError: GraphTokenError | null = null;
  private lastResponse: TokenResponseSeen | null = null;
  private authorityMetadata: string | null = null;
  private readonly log: Logger;
  private readonly readFile: ReadFile;

  constructor(
    private readonly account: GraphAccount,
    private readonly deps: TokenDeps,
    private readonly onStatus: TokenStatusListener = () => {},
  ) {
    this.log = deps.logger.child('tokens');
    this.readFile = deps.readFile ?? ((p) => fsReadFile(p, 'utf8'));
  }

  /** `${authorityHost}/${tenantId}` as configured. */
  get authority(): string {
    return `${(this.account.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '')}/${this.account.tenantId}`;
  }

  /** Acquires the first token and keeps it warm. Rejects with a GraphTokenError. */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.refresh(false);
    } catch (err) {
      this.scheduleRetry();
      throw err;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** True while a usable token is held. */
  get warm(): boolean {
    return this.held !== null && this.held.expiresAt - this.deps.clock.now() > MIN_REMAINING_MS;
  }

  /**
   * The current token; acquires one only when none is usable (it normally never has to).
   * `force` drops the held token first (after a 401 from Graph).
   */
  async get(force = false): Promise<string> {
    if (!force && this.warm && this.held) return this.held.accessToken;
    return (await this.refresh(force)).accessToken;
  }

  /** clock.now() of the next scheduled attempt or refresh, or null. */
  nextAttemptAt: number | null = null;

  /**
   * After a wake: the timers may have slept with the machine, so a token that is missing,
   * failing or close to expiry is fetched again now, in the background. Never throws.
   */
  wake(): void {
    if (this.stopped) return;
    const remaining = this.held ? this.held.expiresAt - this.deps.clock.now() : 0;
    if (this.held && this.failures === 0 && remaining > WAKE_REFRESH_BELOW_MS) {
      this.scheduleRefresh(this.held);
      return;
    }
    if (this.deps.clock.now() < this.throttledUntil) return; // the retry timer waits for it
    this.refresh(true).catch(() => this.scheduleRetry());
  }

  private refresh(skipCache: boolean): Promise<Held> {
    if (!this.inflight) {
      this.inflight = this.acquire(skipCache)
        .then((held) => {
          this.held = held;
          this.failures = 0;
          this.lastError = null;
          this.scheduleRefresh(held);
          this.onStatus({ ok: true });
          return held;
        })
        .catch((err: unknown) => {
          const e = toTokenError(err, this.authority);
          this.lastError = e;
          this.log.warn('could not get a Graph token', { code: e.code, message: e.message });
          if (!this.warm) this.onStatus({ ok: false, error: e.toAccountError() });
          throw e;
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }

  private async acquire(skipCache: boolean): Promise<Held> {
    const now = this.deps.clock.now();
    if (now < this.throttledUntil) {
      throw new GraphTokenError(
        'Throttled',
        `waiting before asking Microsoft Entra again (throttled until ${clockTime(this.throttledUntil)})`,
        429,
      );
    }
    if (this.clientThrottled) {
      // msal would answer from its throttle cache without asking Entra: start afresh.
      this.app = null;
      this.clientThrottled = false;
    }
    const app = await this.application();
    const realBefore = Date.now();
    this.lastResponse = null;
    let result: Awaited<ReturnType<ConfidentialClientApplication['acquireTokenByClientCredential']>>;
    try {
      result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache });
    } catch (err) {
      throw this.classify(err);
    }
    if (!result?.accessToken) {
      throw new GraphTokenError('TokenRequestFailed', 'the token endpoint answered without an access token');
    }
    // msal keeps real time; map the lifetime onto the injected clock.
    const lifetime = result.expiresOn ? result.expiresOn.getTime() - Math.max(realBefore, Date.now()) : 3_600_000;
    const held = { accessToken: result.accessToken, expiresAt: this.deps.clock.now() + Math.max(0, lifetime) };
    this.log.info('Graph token acquired', { expiresInSec: Math.round(lifetime / 1000) });
    return held;
  }

  private scheduleRefresh(held: Held): void {
    if (this.stopped) return;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    const lifetime = held.expiresAt - this.deps.clock.now();
    // Refresh 5 minutes before expiry (or half-way through a short lifetime).
    const wait = Math.max(1_000, lifetime - Math.min(5 * 60_000, lifetime / 2));
    this.arm(wait, () => this.refresh(true).catch(() => this.scheduleRetry()));
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    const code = this.lastError?.code;
    let wait: number;
    if (code === 'Throttled' && this.throttledUntil > this.deps.clock.now()) {
      wait = this.throttledUntil - this.deps.clock.now();
    } else if (code === 'AuthorityUnavailable' || code === 'Throttled') {
      const base = TRANSIENT_RETRY_MS[Math.min(this.failures, TRANSIENT_RETRY_MS.length - 1)] ?? 10_000;
      wait = Math.round(base * (0.9 + Math.random() * 0.2));
    } else {
      wait = REFUSED_RETRY_MS[Math.min(this.failures, REFUSED_RETRY_MS.length - 1)] ?? 300_000;
    }
    this.failures++;
    this.arm(wait, () => this.refresh(true).catch(() => this.scheduleRetry()));
  }

  private arm(wait: number, fn: () => void): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.nextAttemptAt = this.deps.clock.now() + wait;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.nextAttemptAt = null;
      fn();
    }, wait);
  }

  /** Names what happened, from what the token endpoint answered (if it was reached at all). */
  private classify(err: unknown): GraphTokenError {
    if (err instanceof GraphTokenError) return err;
    const seen = this.lastResponse;
    const e = err as { errorCode?: string; errorMessage?: string; errorNo?: string; message?: string };
    if (!seen) {
      if (e.errorCode === 'network_error' || (err as Error | null)?.name !== 'ServerError') {
        return new GraphTokenError(
          'AuthorityUnavailable',
          `could not reach Microsoft Entra at ${this.authority} to get a token (network error); retrying`,
        );
      }
      // msal answered from its own throttle cache (an earlier client's entry): Entra was not asked.
      this.clientThrottled = true;
      return new GraphTokenError('Throttled', 'waiting before asking Microsoft Entra again (throttled by msal)', 429);
    }
    const retryAfter = retryAfterMs(seen.retryAfter, this.deps.clock.now());
    if (seen.status === 429 || seen.status >= 500 || retryAfter !== null) this.clientThrottled = true;
    if (retryAfter !== null && retryAfter > 0) {
      this.throttledUntil = this.deps.clock.now() + Math.min(retryAfter, MAX_RETRY_AFTER_MS);
      return new GraphTokenError(
        'Throttled',
        `Microsoft Entra answered HTTP ${seen.status}; waiting before asking Microsoft Entra again (throttled until ${clockTime(this.throttledUntil)})`,
        seen.status,
      );
    }
    const detail = firstLine(e.errorMessage || e.message || String(err));
    if (seen.status >= 500 || seen.status === 429) {
      return new GraphTokenError(
        'AuthorityUnavailable',
        `could not reach Microsoft Entra: it answered HTTP ${seen.status}${e.errorCode ? ` (${e.errorCode})` : ''}; retrying`,
        seen.status,
      );
    }
    const code = [e.errorNo ? `AADSTS${e.errorNo}` : null, e.errorCode || null].filter(Boolean).join(' ');
    return new GraphTokenError(
      'TokenRequestFailed',
      `Microsoft Entra refused the token request${code ? ` (${code})` : ''}: ${detail}`,
      seen.status,
    );
  }

  private application(): Promise<ConfidentialClientApplication> {
    if (this.app) return Promise.resolve(this.app);
    if (!this.appPromise) {
      this.appPromise = this.buildApplication()
        .then((app) => (this.app = app))
        .finally(() => {
          this.appPromise = null;
        });
    }
    return this.appPromise;
  }

  private async buildApplication(): Promise<ConfidentialClientApplication> {
    const a = this.account;
    const auth: Configuration['auth'] = { clientId: a.clientId, authority: this.authority };

    if (a.certificate) {
      auth.clientCertificate = await this.loadCertificate(a.certificate.certFile, a.certificate.keyFile);
    } else {
      const secret = await this.deps.secrets.get(`${a.id}.clientSecret`);
      if (!secret) {
        throw new GraphTokenError(
          'NoCredential',
          `account "${a.id}" has no client secret and no certificate: set one to get Microsoft Graph tokens`,
        );
      }
      auth.clientSecret = secret;
    }

    const authorityUrl = new URL(this.authority);
    if (!MICROSOFT_AUTHORITY_HOSTS.has(authorityUrl.hostname.toLowerCase())) {
      // Read once: a fresh client after throttling must not depend on the authority again.
      this.authorityMetadata ??= JSON.stringify(await this.readAuthorityMetadata());
      auth.authorityMetadata = this.authorityMetadata;
      auth.knownAuthorities = [authorityUrl.host];
      if (authorityUrl.protocol === 'http:' && isLoopbackHost(authorityUrl.hostname)) {
        // msal insists on an https authority *name*; every request goes to the endpoints in
        // the metadata above (plain http on loopback: the simulator), never to this name.
        authorityUrl.protocol = 'https:';
        auth.authority = authorityUrl.href.replace(/\/+$/, '');
      }
    }

    const log = this.log;
    return new ConfidentialClientApplication({
      auth,
      system: {
        networkClient: fetchNetworkModule(this.deps.fetch, 10_000, (status, headers) => {
          this.lastResponse = { status, retryAfter: headers['retry-after'] ?? null };
        }),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message, containsPii) => {
            if (containsPii) return;
            if (level <= LogLevel.Error) log.warn(`msal: ${message}`);
            else log.debug(`msal: ${message}`);
          },
        },
      },
    });
  }

  /** `{authority}/v2.0/.well-known/openid-configuration`, read through the injected fetch. */
  private async readAuthorityMetadata(): Promise<Record<string, unknown>> {
    const url = `${this.authority}/v2.0/.well-known/openid-configuration`;
    let doc: unknown;
    try {
      const res = await this.deps.fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      doc = await res.json();
    } catch (err) {
      throw new GraphTokenError(
        'AuthorityUnavailable',
        `could not read the authority's OpenID configuration at ${url}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    const tokenEndpoint = d.token_endpoint;
    if (typeof tokenEndpoint !== 'string' || !isAllowedUrl(tokenEndpoint)) {
      throw new GraphTokenError(
        'AuthorityUnavailable',
        `the OpenID configuration at ${url} has no usable "token_endpoint" (https://, or http:// on loopback)`,
      );
    }
    // msal requires these members to be present even for client credentials.
    return {
      authorization_endpoint: `${this.authority}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${this.authority}/oauth2/v2.0/logout`,
      issuer: `${this.authority}/v2.0`,
      jwks_uri: `${this.authority}/discovery/v2.0/keys`,
      ...d,
    };
  }

  private async loadCertificate(
    certFile: string,
    keyFile: string,
  ): Promise<{ thumbprintSha256: string; privateKey: string }> {
    const read = async (path: string, what: string) => {
      try {
        return await this.readFile(path);
      } catch (err) {
        throw new GraphTokenError(
          'BadCertificate',
          `could not read the certificate ${what} "${path}": ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    };
    // The key imported into the vault wins: the key file may have been deleted since.
    const storedKey = await this.deps.secrets.get(certificateKeyName(this.account.id));
    const [certPem, keyPem] = await Promise.all([read(certFile, 'file'), storedKey ?? read(keyFile, 'key file')]);
    const keySource = storedKey
      ? `the private key stored for account "${this.account.id}" (imported from "${keyFile}")`
      : `"${keyFile}"`;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      throw new GraphTokenError('BadCertificate', `"${certFile}" is not a PEM X.509 certificate`);
    }
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey(keyPem);
    } catch {
      throw new GraphTokenError('BadCertificate', `${keySource} is not an unencrypted PEM private key`);
    }
    if (key.asymmetricKeyType !== 'rsa') {
      throw new GraphTokenError(
        'BadCertificate',
        `${keySource} is not an RSA key (Microsoft Entra needs an RSA certificate)`,
      );
    }
    if (!cert.checkPrivateKey(key)) {
      throw new GraphTokenError(
        'BadCertificate',
        `the key in ${keySource} does not belong to the certificate in "${certFile}"`,
      );
    }
    if (Date.parse(cert.validTo) < Date.now()) {
      this.log.warn('the Graph client certificate has expired', { certFile, validTo: cert.validTo });
    }
    return {
      thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
      privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
}

/** msal's INetworkModule over the injected fetch. */
export function fetchNetworkModule(
  fetch: Fetch,
  defaultTimeoutMs = 10_000,
  /** Told the status and headers of every POST answer (the token endpoint's). */
  onPostResponse: (status: number, headers: Record<string, string>) => void = () => {},
): INetworkModule {
  const send = async <T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> => {
    const init: RequestInit = {
      method,
      headers: options?.headers ?? {},
      signal: AbortSignal.timeout(timeout ?? defaultTimeoutMs),
    };
    if (method === 'POST') init.body = options?.body ?? '';
    const res = await fetch(url, init);
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    if (method === 'POST') onPostResponse(res.status, headers);
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: `HTTP ${res.status} with a body that is not JSON` };
    }
    return { headers, body: body as T, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

function toTokenError(err: unknown, authority: string): GraphTokenError {
  if (err instanceof GraphTokenError) return err;
  const e = err as { errorCode?: string; errorMessage?: string; message?: string };
  if (e.errorCode === 'network_error') {
    return new GraphTokenError(
      'AuthorityUnavailable',
      `could not reach Microsoft Entra at ${authority} to get a token (network error); retrying`,
    );
  }
  return new GraphTokenError(
    'TokenRequestFailed',
    `Microsoft Entra refused the token request${e.errorCode ? ` (${e.errorCode})` : ''}: ${firstLine(e.errorMessage || e.message || String(err))}`,
  );
}

/**
 * The sentence of an Entra error: msal wraps it as "Error(s): … - Description: <text> -
 * Correlation ID: …", and AADSTS texts carry trace ids and timestamps after the first line.
 */
function firstLine(detail: string): string {
  const described = / - Description: ([\s\S]*?)(?: - Correlation ID:|$)/.exec(detail)?.[1] ?? detail;
  return described.split(/\r?\n/)[0]?.trim() ?? described;
}

/** HH:MM:SS (local time) of a clock.now() value. */
function clockTime(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}
