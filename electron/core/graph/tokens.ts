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
    readonly code: 'NoCredential' | 'BadCertificate' | 'AuthorityUnavailable' | 'TokenRequestFailed',
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
/** Retry delays after a failed acquisition (the last one repeats). */
const RETRY_DELAYS_MS = [5_000, 15_000, 30_000, 60_000, 300_000];

export class GraphTokens {
  private app: ConfidentialClientApplication | null = null;
  private appPromise: Promise<ConfidentialClientApplication> | null = null;
  private held: Held | null = null;
  private inflight: Promise<Held> | null = null;
  private timer: TimerHandle | null = null;
  private failures = 0;
  private stopped = false;
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

  private refresh(skipCache: boolean): Promise<Held> {
    if (!this.inflight) {
      this.inflight = this.acquire(skipCache)
        .then((held) => {
          this.held = held;
          this.failures = 0;
          this.scheduleRefresh(held);
          this.onStatus({ ok: true });
          return held;
        })
        .catch((err: unknown) => {
          const e = toTokenError(err, this.authority);
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
    const app = await this.application();
    const realBefore = Date.now();
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache });
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
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.refresh(true).catch(() => this.scheduleRetry());
    }, wait);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    const wait = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)] ?? 300_000;
    this.failures++;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.refresh(true).catch(() => this.scheduleRetry());
    }, wait);
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
      const metadata = await this.readAuthorityMetadata();
      auth.authorityMetadata = JSON.stringify(metadata);
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
        networkClient: fetchNetworkModule(this.deps.fetch),
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
export function fetchNetworkModule(fetch: Fetch, defaultTimeoutMs = 10_000): INetworkModule {
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
  const e = err as { errorCode?: string; errorMessage?: string; message?: string; status?: number };
  if (e.errorCode === 'network_error') {
    // msal's own text is only a link; nobody refused anything: the authority was not reached.
    return new GraphTokenError(
      'AuthorityUnavailable',
      `could not reach Microsoft Entra at ${authority} to get a token (network error); retrying`,
    );
  }
  const detail = e.errorMessage || e.message || String(err);
  // AADSTS messages carry trace ids and timestamps after the first line; keep the sentence.
  const firstLine = detail.split(/\r?\n/)[0]?.trim() ?? detail;
  return new GraphTokenError(
    'TokenRequestFailed',
    `Microsoft Entra refused the token request${e.errorCode ? ` (${e.errorCode})` : ''}: ${firstLine}`,
    typeof e.status === 'number' ? e.status : null,
  );
}
