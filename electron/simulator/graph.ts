/**
 * Microsoft Graph half of the embedded simulator. On one SimServer it plays three parts:
 *
 * - **Token authority** (Microsoft Entra): `/{tenant}/v2.0/.well-known/openid-configuration`,
 *   `/{tenant}/discovery/v2.0/keys`, and the client-credentials token endpoint
 *   `/{tenant}/oauth2/v2.0/token`, which accepts `client_secret` or a `client_assertion`
 *   signed with the key of a trusted certificate.
 * - **Graph**: `POST /graph/{v1.0|beta}/communications/calls/{id}/reject` (202, empty) and the
 *   seed's `POST /graph/beta/app/calls/{id}/reject` (200 + the seed's commsOperation). Bearer
 *   token and body are validated; every request is recorded in `rejects`.
 * - **Microsoft's notification sender**: `ringCall()` POSTs a signed incoming-call
 *   notification (the seed's JSON verbatim, or today's shape) to the receiver; `deleted`
 *   follows a reject, a hang-up, or the 15 s answer window closing. The signing keys are
 *   published at `/aps/v1/.well-known/OpenIdConfiguration` → `/aps/v1/keys`.
 *
 * On command it misbehaves: forged notifications (bad signature, wrong audience or issuer,
 * expired, no token, no tid, unknown key), and reject answers 404, 429 (Retry-After) or 5xx.
 */
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { ServerResponse } from 'node:http';
import {
  SignJWT,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { GraphAccount } from '../core/config.js';
import { sendEmpty, sendJson, type SimContext, type SimServer } from './server.js';
import { SEED_CALL_ID, SEED_REJECT_RESPONSE } from './graph/seed.js';
import { GraphRedirectSim } from './graph/redirect.js';
import { deletedCallBody, incomingCallBody, type NotificationShape, type SimCaller } from './graph/shapes.js';

export {
  SEED_CALL_ID,
  SEED_CALLER_NAME,
  SEED_INCOMING_NOTIFICATION,
  SEED_DELETED_NOTIFICATION,
  SEED_REJECT_RESPONSE,
} from './graph/seed.js';
export type { NotificationShape, SimCaller, CallerKind } from './graph/shapes.js';

export const SIM_TENANT_ID = '5f2b6a58-8c1d-4d5e-9f3b-2a7c1e0d9b41';
export const SIM_CLIENT_ID = '0efc74f7-41c3-47a4-8775-7259bfef4241';
export const SIM_CLIENT_SECRET = 'sim-graph-secret';
const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const REJECT_REASONS = ['none', 'busy', 'forbidden'];

export type ForgeKind =
  'badSignature' | 'wrongAudience' | 'wrongIssuer' | 'expired' | 'noToken' | 'noTid' | 'unknownKey';
export const FORGE_KINDS: readonly ForgeKind[] = [
  'badSignature',
  'wrongAudience',
  'wrongIssuer',
  'expired',
  'noToken',
  'noTid',
  'unknownKey',
];

export interface GraphSimOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** PEM certificates whose private keys may sign client assertions. */
  certificates?: string[];
  /** `iss` of callback tokens (default https://api.botframework.com). */
  callbackIssuer?: string;
  /** Lifetime of issued Graph tokens in seconds (default 3599). */
  tokenLifetimeSec?: number;
  /** Where notifications go by default (the receiver's URL). */
  receiverUrl?: string;
  /** Graph drops a call nobody answered after this long and says `deleted` (default 15 000; null: never). */
  ringTimeoutMs?: number | null;
  /** Send `deleted` after a successful reject (default true). */
  deleteAfterReject?: boolean;
  /** Time source for token claims (default Date.now). */
  now?: () => number;
}

export interface RingOptions {
  /** 'seed' (default): the seed page's notification verbatim; 'current': today's shape. */
  shape?: NotificationShape;
  from?: SimCaller;
  callId?: string;
  receiverUrl?: string;
  /** Request video (default: true for the seed, which asks for audio+video; false otherwise). */
  video?: boolean;
  /** Send a forged notification instead of a correctly signed one (no call is created). */
  forge?: ForgeKind;
}

export interface NotificationResult {
  callId: string;
  /** The receiver's HTTP status (null when it could not be reached). */
  status: number | null;
  body: string;
}

export interface RejectRecord {
  seq: number;
  callId: string;
  path: string;
  /** 'communications' (v1.0/beta) or 'app' (the seed's beta path). */
  route: 'communications' | 'app';
  version: 'v1.0' | 'beta';
  /** Raw request body. */
  body: string;
  /** `reason` from the body, or null when absent/unparseable. */
  reason: string | null;
  status: number;
  /** The body the simulator answered with ('' for 202). */
  response: string;
  at: number;
}

export interface SentNotification {
  callId: string;
  changeType: 'created' | 'deleted';
  forged: ForgeKind | null;
  status: number | null;
  at: number;
}

export interface TokenIssue {
  credential: 'secret' | 'certificate';
  at: number;
}

export interface SimGraphCall {
  id: string;
  shape: NotificationShape;
  receiverUrl: string;
  state: 'ringing' | 'rejected' | 'hungUp' | 'timedOut' | 'redirected';
  rejectReason: string | null;
  createdAt: number;
}

export interface RejectFailure {
  status: 404 | 429 | 500 | 502 | 503 | 504;
  /** Retry-After header value (e.g. "2.128"). */
  retryAfter?: string;
  /** How many rejects it answers (default 1). */
  times?: number;
}

export type TokenFailure =
  | { status: number; error: string; description: string; times?: number }
  /** Drops the connection without an answer (a network failure). */
  | { status: 'drop'; times?: number };

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

export class GraphSim {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly origin: string;
  /** The OpenID configuration of the notification signer (→ its JWKS). */
  readonly openIdConfigUrl: string;
  readonly jwksUrl: string;
  /** The token authority's host (authority = `${authorityHost}/${tenantId}`). */
  readonly authorityHost: string;
  readonly tokenUrl: string;
  /** Base URL of Graph (`${graphBaseUrl}/v1.0/...`). */
  readonly graphBaseUrl: string;
  receiverUrl: string | null;

  readonly rejects: RejectRecord[] = [];
  readonly notifications: SentNotification[] = [];
  readonly tokensIssued: TokenIssue[] = [];
  readonly calls = new Map<string, SimGraphCall>();
  /** Redirect ("forward") at the three reject paths: records, waitFor, fail (graph/redirect.ts). */
  readonly redirects: GraphRedirectSim;

  private readonly certificates: X509Certificate[] = [];
  private readonly rejectFailures: RejectFailure[] = [];
  private readonly tokenFailures: TokenFailure[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly rejectWaiters = new Set<{ pred: (r: RejectRecord) => boolean; done: (r: RejectRecord) => void }>();
  private readonly callbackIssuer: string;
  private readonly tokenLifetimeSec: number;
  private readonly ringTimeoutMs: number | null;
  private readonly now: () => number;
  private deleteAfterReject: boolean;
  private deleteFirst = false;
  private rejectSeq = 0;
  private demoTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  private constructor(
    readonly server: SimServer,
    private readonly callbackKey: SigningKey,
    private readonly authorityKey: SigningKey,
    private readonly attackerKey: SigningKey,
    opts: GraphSimOptions,
  ) {
    this.tenantId = opts.tenantId ?? SIM_TENANT_ID;
    this.clientId = opts.clientId ?? SIM_CLIENT_ID;
    this.clientSecret = opts.clientSecret ?? SIM_CLIENT_SECRET;
    this.origin = server.origin;
    this.openIdConfigUrl = `${this.origin}/aps/v1/.well-known/OpenIdConfiguration`;
    this.jwksUrl = `${this.origin}/aps/v1/keys`;
    this.authorityHost = this.origin;
    this.tokenUrl = `${this.origin}/${this.tenantId}/oauth2/v2.0/token`;
    this.graphBaseUrl = `${this.origin}/graph`;
    this.receiverUrl = opts.receiverUrl ?? null;
    this.callbackIssuer = opts.callbackIssuer ?? 'https://api.botframework.com';
    this.tokenLifetimeSec = opts.tokenLifetimeSec ?? 3599;
    this.ringTimeoutMs = opts.ringTimeoutMs === undefined ? 15_000 : opts.ringTimeoutMs;
    this.deleteAfterReject = opts.deleteAfterReject ?? true;
    this.now = opts.now ?? Date.now;
    for (const pem of opts.certificates ?? []) this.trustCertificate(pem);
    server.use((ctx) => this.route(ctx));
    this.redirects = new GraphRedirectSim(this);
  }

  /** Generates the signing keys and registers the routes on `server`. */
  static async create(server: SimServer, opts: GraphSimOptions = {}): Promise<GraphSim> {
    const [callbackKey, authorityKey, attackerKey] = await Promise.all([
      signingKey('callback'),
      signingKey('authority'),
      signingKey('attacker'),
    ]);
    return new GraphSim(server, callbackKey, authorityKey, attackerKey, opts);
  }

  // ───────────────────────── configuration ─────────────────────────

  /** Where notifications go from now on (the receiver's bound URL). */
  setReceiver(url: string): void {
    this.receiverUrl = checkLoopback(url);
  }

  /** Accepts client assertions signed by this certificate's key. */
  trustCertificate(pem: string): void {
    this.certificates.push(new X509Certificate(pem));
  }

  /** The next `times` rejects answer `status` (404 "Call not found.", 429 + Retry-After, 5xx). */
  failRejects(failure: RejectFailure): void {
    this.rejectFailures.push({ times: 1, ...failure });
  }

  /** The next `times` token requests fail with this OAuth error. */
  failTokens(failure: TokenFailure): void {
    this.tokenFailures.push({ times: 1, ...failure });
  }

  setDeleteAfterReject(on: boolean): void {
    this.deleteAfterReject = on;
  }

  /** Deliver `deleted` before answering the reject (the race a client must survive). */
  setDeleteBeforeAnswer(on: boolean): void {
    this.deleteFirst = on;
  }

  // ───────────────────────── notifications ─────────────────────────

  /**
   * Rings a call: POSTs a signed incoming-call notification to the receiver and resolves
   * with the receiver's answer (202 when it accepted it).
   */
  async ringCall(opts: RingOptions = {}): Promise<NotificationResult> {
    const shape = opts.shape ?? 'seed';
    const callId =
      opts.callId ?? (shape === 'seed' && !this.calls.has(SEED_CALL_ID) ? SEED_CALL_ID : this.newCallId(shape));
    const receiverUrl = checkLoopback(opts.receiverUrl ?? this.requireReceiver());
    const body = incomingCallBody({
      shape,
      callId,
      from: opts.from ?? {},
      video: opts.video ?? shape === 'seed',
      tenantId: this.tenantId,
      botAppId: this.clientId,
      botName: 'Softphone Bot',
      callbackUri: receiverUrl,
    });
    if (!opts.forge) {
      const call: SimGraphCall = {
        id: callId,
        shape,
        receiverUrl,
        state: 'ringing',
        rejectReason: null,
        createdAt: this.now(),
      };
      this.calls.set(callId, call);
      if (this.ringTimeoutMs !== null) {
        this.later(this.ringTimeoutMs, () => {
          if (call.state !== 'ringing') return;
          call.state = 'timedOut';
          void this.sendDeleted(call);
        });
      }
    }
    return this.post(receiverUrl, body, callId, 'created', opts.forge ?? null);
  }

  /** Sends a forged incoming-call notification (the receiver must refuse it). */
  sendForged(kind: ForgeKind, opts: Omit<RingOptions, 'forge'> = {}): Promise<NotificationResult> {
    return this.ringCall({ shape: 'current', ...opts, forge: kind });
  }

  /** The caller hangs up: the call is gone and `deleted` is sent. */
  async hangUp(callId: string): Promise<NotificationResult> {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`GraphSim: no call "${callId}"`);
    if (call.state === 'ringing') call.state = 'hungUp';
    return this.sendDeleted(call);
  }

  /**
   * POSTs any body (text or JSON) to the receiver with a valid token (default), no token
   * (`token: null`), or the given token.
   */
  async postNotification(
    body: string | object,
    opts: { receiverUrl?: string; token?: string | null; callId?: string } = {},
  ): Promise<NotificationResult> {
    const url = checkLoopback(opts.receiverUrl ?? this.requireReceiver());
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const token = opts.token === undefined ? await this.signCallbackToken() : opts.token;
    return this.deliver(url, text, token, opts.callId ?? '', 'created', null);
  }

  /** A callback token as Microsoft signs it; `claims` override (undefined deletes a claim). */
  async signCallbackToken(claims: Record<string, unknown> = {}, key: SigningKey = this.callbackKey): Promise<string> {
    const now = Math.floor(this.now() / 1000);
    const payload: JWTPayload = {
      iss: this.callbackIssuer,
      aud: this.clientId,
      tid: this.tenantId,
      appid: 'e6c1e4e5-8c35-4f0c-a3a3-6a5f2c4ba0b2',
      nbf: now - 5,
      exp: now + 300,
    };
    for (const [k, v] of Object.entries(claims)) {
      if (v === undefined) delete payload[k];
      else payload[k] = v;
    }
    // Real calling tokens carry cty "JWT" and no iat (PROTOCOL.md §6.1).
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', cty: 'JWT' })
      .sign(key.privateKey);
  }

  /** Resolves with the first reject (recorded or future) matching `pred`. */
  waitForReject(pred: (r: RejectRecord) => boolean = () => true, timeoutMs = 5_000): Promise<RejectRecord> {
    const seen = this.rejects.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        done: (r: RejectRecord) => {
          clearTimeout(timer);
          this.rejectWaiters.delete(waiter);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.rejectWaiters.delete(waiter);
        reject(new Error(`GraphSim: no matching reject within ${timeoutMs} ms`));
      }, timeoutMs);
      this.rejectWaiters.add(waiter);
    });
  }

  /** Demo mode: rings a Graph call after `firstAfterMs`, then every `everyMs` (0: once). */
  startDemo(opts: { firstAfterMs?: number; everyMs?: number } = {}): void {
    this.stopDemo();
    const names = ['Adele Vance', 'Megan Bowen', 'Lee Gu', 'Nestor Wilke', 'Isaiah Langer'];
    let n = 0;
    const ring = () => {
      const name = names[n++ % names.length];
      const phone = n % 4 === 0;
      void this.ringCall({
        shape: 'current',
        from: phone ? { kind: 'phone', id: '+14255550123' } : { name },
        video: n % 3 === 0,
      }).catch(() => undefined);
      if (opts.everyMs) this.demoTimer = unref(setTimeout(ring, opts.everyMs));
    };
    this.demoTimer = unref(setTimeout(ring, opts.firstAfterMs ?? 5_000));
  }

  stopDemo(): void {
    if (this.demoTimer) clearTimeout(this.demoTimer);
    this.demoTimer = null;
  }

  /** Stops timers (ring timeouts, demo); the SimServer is closed by its owner. */
  close(): void {
    this.closed = true;
    this.stopDemo();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ───────────────────────── HTTP routes ─────────────────────────

  private async route(ctx: SimContext): Promise<boolean> {
    const p = ctx.url.pathname;
    const m = ctx.req.method ?? 'GET';
    if (/^\/aps\/v1\/\.well-known\/openidconfiguration$/i.test(p) && m === 'GET') {
      sendJson(ctx.res, 200, {
        issuer: 'https://api.botframework.com',
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: this.jwksUrl,
        id_token_signing_alg_values_supported: ['RSA256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
      return true;
    }
    if (p === '/aps/v1/keys' && m === 'GET') {
      sendJson(ctx.res, 200, { keys: [{ ...this.callbackKey.jwk, endorsements: ['msteams'] }] });
      return true;
    }
    const tenantPrefix = `/${this.tenantId}/`;
    if (p.startsWith(tenantPrefix)) return this.authorityRoute(ctx, p.slice(tenantPrefix.length), m);
    if (p.startsWith('/graph/')) return this.graphRoute(ctx, p, m);
    return false;
  }

  private authorityRoute(ctx: SimContext, rest: string, method: string): boolean | Promise<boolean> {
    const base = `${this.origin}/${this.tenantId}`;
    if (rest === 'v2.0/.well-known/openid-configuration' && method === 'GET') {
      sendJson(ctx.res, 200, {
        token_endpoint: this.tokenUrl,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        tenant_region_scope: 'NA',
        cloud_instance_name: 'softphone.simulator',
      });
      return true;
    }
    if (rest === 'discovery/v2.0/keys' && method === 'GET') {
      sendJson(ctx.res, 200, { keys: [this.authorityKey.jwk] });
      return true;
    }
    if (rest === 'oauth2/v2.0/token' && method === 'POST') return this.tokenEndpoint(ctx);
    return false;
  }

  private async tokenEndpoint(ctx: SimContext): Promise<boolean> {
    const res = ctx.res;
    const oauthError = (status: number, error: string, description: string) => {
      sendJson(res, status, {
        error,
        error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date(this.now()).toISOString()}`,
        error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
      });
      return true;
    };
    const failure = this.tokenFailures[0];
    if (failure) {
      if (--failure.times! <= 0) this.tokenFailures.shift();
      if (failure.status === 'drop') {
        res.destroy();
        return true;
      }
      return oauthError(failure.status, failure.error, failure.description);
    }
    const form = new URLSearchParams(ctx.body);
    if (!String(ctx.req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      return oauthError(
        400,
        'invalid_request',
        'AADSTS900144: The request body must be application/x-www-form-urlencoded.',
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(
        400,
        'unsupported_grant_type',
        `AADSTS70003: The app requested an unsupported grant type '${form.get('grant_type') ?? ''}'.`,
      );
    }
    if (form.get('client_id') !== this.clientId) {
      return oauthError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
      );
    }
    const scopes = (form.get('scope') ?? '').split(/\s+/);
    if (!scopes.includes(`${GRAPH_AUDIENCE}/.default`)) {
      return oauthError(
        400,
        'invalid_scope',
        `AADSTS1002012: The provided value for scope '${form.get('scope') ?? ''}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    let credential: TokenIssue['credential'];
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== this.clientSecret) {
        return oauthError(
          401,
          'invalid_client',
          `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`,
        );
      }
      credential = 'secret';
    } else if (assertion !== null) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
        return oauthError(
          400,
          'invalid_request',
          'AADSTS50027: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.',
        );
      }
      const problem = await this.checkAssertion(assertion);
      if (problem) return oauthError(401, 'invalid_client', problem);
      credential = 'certificate';
    } else {
      return oauthError(
        401,
        'invalid_client',
        "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const now = Math.floor(this.now() / 1000);
    const accessToken = await new SignJWT({
      aud: GRAPH_AUDIENCE,
      iss: `https://sts.windows.net/${this.tenantId}/`,
      tid: this.tenantId,
      appid: this.clientId,
      idtyp: 'app',
      roles: ['Calls.Initiate.All', 'Calls.AccessMedia.All'],
      oid: 'f3c1c8a2-3e36-4e3b-b0bb-5d9c1f8e2a11',
      iat: now,
      nbf: now,
      exp: now + this.tokenLifetimeSec,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.authorityKey.kid, typ: 'JWT' })
      .sign(this.authorityKey.privateKey);
    this.tokensIssued.push({ credential, at: this.now() });
    sendJson(res, 200, {
      token_type: 'Bearer',
      expires_in: this.tokenLifetimeSec,
      ext_expires_in: this.tokenLifetimeSec,
      access_token: accessToken,
    });
    return true;
  }

  /** Null when the client assertion is acceptable, else an AADSTS description. */
  private async checkAssertion(assertion: string): Promise<string | null> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      return 'AADSTS50027: JWT token is invalid or malformed.';
    }
    const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : null;
    const x5t = typeof header.x5t === 'string' ? header.x5t : null;
    const cert = this.certificates.find((c) => {
      const der = c.raw;
      return (
        (x5tS256 !== null && createHash('sha256').update(der).digest('base64url') === x5tS256) ||
        (x5t !== null && createHash('sha1').update(der).digest('base64url') === x5t)
      );
    });
    if (!cert) {
      return `AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${x5tS256 ?? x5t ?? ''}']`;
    }
    try {
      await jwtVerify(assertion, cert.publicKey, {
        algorithms: ['PS256', 'RS256'],
        audience: this.tokenUrl,
        issuer: this.clientId,
        subject: this.clientId,
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(this.now()),
        clockTolerance: 300,
      });
    } catch (err) {
      return `AADSTS700027: Client assertion failed signature validation or claims check. (${err instanceof Error ? err.message : String(err)})`;
    }
    return null;
  }

  private async graphRoute(ctx: SimContext, p: string, method: string): Promise<boolean> {
    const m =
      /^\/graph\/(v1\.0|beta)\/communications\/calls\/([^/]+)\/reject$/.exec(p) ??
      /^\/graph\/(beta)\/app\/calls\/([^/]+)\/reject$/.exec(p);
    if (!m) return false;
    const version = m[1] as 'v1.0' | 'beta';
    const route = p.includes('/app/calls/') ? 'app' : 'communications';
    const callId = decodeURIComponent(m[2]!);
    const res = ctx.res;
    let reason: string | null = null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(ctx.body);
      const r = (parsed as { reason?: unknown } | null)?.reason;
      reason = typeof r === 'string' ? r : null;
    } catch {
      parsed = undefined;
    }
    const record = (status: number, response = '') => {
      const rec: RejectRecord = {
        seq: ++this.rejectSeq,
        callId,
        path: p,
        route,
        version,
        body: ctx.body,
        reason,
        status,
        response,
        at: this.now(),
      };
      this.rejects.push(rec);
      for (const w of [...this.rejectWaiters]) if (w.pred(rec)) w.done(rec);
    };
    const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      const body = {
        error: {
          code,
          message,
          innerError: {
            date: new Date(this.now()).toISOString(),
            'request-id': randomUUID(),
            'client-request-id': randomUUID(),
          },
        },
      };
      record(status, JSON.stringify(body));
      sendJson(res, status, body, headers);
      return true;
    };

    if (method !== 'POST')
      return graphError(405, 'BadRequest', `The HTTP method '${method}' is not allowed for reject.`, { Allow: 'POST' });
    if (!(await this.validGraphToken(ctx.req.headers.authorization))) {
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience, signature or expiry.',
      );
    }
    const failure = this.rejectFailures[0];
    if (failure) {
      if (--failure.times! <= 0) this.rejectFailures.shift();
      switch (failure.status) {
        case 404:
          return graphError(404, '9997', 'Call not found.');
        case 429:
          return graphError(
            429,
            'TooManyRequests',
            'Too many requests. Retry after the interval in Retry-After.',
            failure.retryAfter !== undefined ? { 'Retry-After': failure.retryAfter } : {},
          );
        default:
          return graphError(
            failure.status,
            failure.status === 500 ? 'InternalServerError' : 'ServiceUnavailable',
            'The service is temporarily unavailable.',
            failure.retryAfter !== undefined ? { 'Retry-After': failure.retryAfter } : {},
          );
      }
    }
    if (
      !String(ctx.req.headers['content-type'] ?? '')
        .toLowerCase()
        .startsWith('application/json')
    ) {
      return graphError(415, 'BadRequest', 'Content-Type must be application/json.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return graphError(400, 'BadRequest', 'The request body must be a JSON object.');
    }
    const rawReason = (parsed as { reason?: unknown }).reason;
    if (rawReason !== undefined && (typeof rawReason !== 'string' || !REJECT_REASONS.includes(rawReason))) {
      return graphError(
        400,
        'BadRequest',
        `Invalid value '${String(rawReason)}' for 'reason'; expected one of: ${REJECT_REASONS.join(', ')} (lowercase).`,
      );
    }
    const call = this.calls.get(callId);
    if (!call || call.state !== 'ringing') return graphError(404, '9997', 'Call not found.');

    call.state = 'rejected';
    call.rejectReason = reason ?? 'none';
    if (this.deleteFirst) {
      // The `deleted` notification overtakes the reject's answer.
      await this.sendDeleted(call);
    }
    if (route === 'app') {
      record(200, SEED_REJECT_RESPONSE);
      ctx.res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(SEED_REJECT_RESPONSE),
      });
      ctx.res.end(SEED_REJECT_RESPONSE);
    } else {
      record(202);
      sendEmpty(ctx.res, 202);
    }
    if (this.deleteAfterReject && !this.deleteFirst) {
      // Graph confirms the teardown asynchronously, after answering the reject.
      afterFinish(ctx.res, () => void this.sendDeleted(call));
    }
    return true;
  }

  /** @internal used by graph/redirect.ts */
  async validGraphToken(authorization: string | undefined): Promise<boolean> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m?.[1]) return false;
    try {
      await jwtVerify(m[1], this.authorityKey.publicKey, {
        algorithms: ['RS256'],
        audience: [GRAPH_AUDIENCE, GRAPH_APP_ID],
        issuer: `https://sts.windows.net/${this.tenantId}/`,
        currentDate: new Date(this.now()),
      });
      return true;
    } catch {
      return false;
    }
  }

  // ───────────────────────── delivery ─────────────────────────

  /** @internal used by graph/redirect.ts */
  sendDeleted(call: SimGraphCall): Promise<NotificationResult> {
    return this.post(call.receiverUrl, deletedCallBody(call.shape, call.id), call.id, 'deleted', null);
  }

  private async post(
    url: string,
    body: string,
    callId: string,
    changeType: SentNotification['changeType'],
    forge: ForgeKind | null,
  ): Promise<NotificationResult> {
    let token: string | null;
    switch (forge) {
      case null:
        token = await this.signCallbackToken();
        break;
      case 'noToken':
        token = null;
        break;
      case 'badSignature':
        // Our kid, somebody else's key.
        token = await this.signCallbackToken({}, { ...this.attackerKey, kid: this.callbackKey.kid });
        break;
      case 'unknownKey':
        token = await this.signCallbackToken({}, this.attackerKey);
        break;
      case 'wrongAudience':
        token = await this.signCallbackToken({ aud: 'b1b0d6f4-0000-4000-8000-000000000000' });
        break;
      case 'wrongIssuer':
        token = await this.signCallbackToken({ iss: 'https://sts.windows.net/attacker/' });
        break;
      case 'expired': {
        const now = Math.floor(this.now() / 1000);
        token = await this.signCallbackToken({ nbf: now - 3600, exp: now - 600 });
        break;
      }
      case 'noTid':
        token = await this.signCallbackToken({ tid: undefined });
        break;
    }
    return this.deliver(url, body, token, callId, changeType, forge);
  }

  private async deliver(
    url: string,
    body: string,
    token: string | null,
    callId: string,
    changeType: SentNotification['changeType'],
    forge: ForgeKind | null,
  ): Promise<NotificationResult> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      Accept: 'application/json',
      'User-Agent': 'Microsoft-Skype/3.0,(Calling/1.0)',
      'X-Microsoft-Skype-Chain-ID': randomUUID(),
      'X-Microsoft-Skype-Message-ID': randomUUID(),
      'Scenario-ID': randomUUID(),
    };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const sent: SentNotification = { callId, changeType, forged: forge, status: null, at: this.now() };
    this.notifications.push(sent);
    if (this.closed) return { callId, status: null, body: '' };
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      sent.status = res.status;
      return { callId, status: res.status, body: await res.text() };
    } catch {
      return { callId, status: null, body: '' };
    }
  }

  private requireReceiver(): string {
    if (!this.receiverUrl) {
      throw new Error('GraphSim: no receiver URL; call setReceiver(provider.callbackUrl) or pass receiverUrl');
    }
    return this.receiverUrl;
  }

  private newCallId(shape: NotificationShape): string {
    const uuid = randomUUID();
    // The seed writes call ids as 32 uppercase hex digits; today's docs use dashed GUIDs.
    return shape === 'seed' ? uuid.replace(/-/g, '').toUpperCase() : uuid;
  }

  private later(ms: number, fn: () => void): void {
    const t = unref(
      setTimeout(() => {
        this.timers.delete(t);
        fn();
      }, ms),
    );
    this.timers.add(t);
  }
}

/**
 * A Graph account whose every URL points at the simulator: its token authority, its
 * notification signer's OpenID configuration and its Graph, with the callback receiver on
 * 127.0.0.1 (port 0 = ephemeral: tell the simulator with `sim.setReceiver(provider.callbackUrl)`;
 * a fixed port sets the simulator's receiver URL right away).
 */
export function demoGraphAccount(
  sim: GraphSim | { graph: GraphSim },
  receiverPort = 0,
  overrides: Partial<GraphAccount> = {},
): GraphAccount {
  const g = sim instanceof GraphSim ? sim : sim.graph;
  const account: GraphAccount = {
    id: 'demo-graph',
    provider: 'graph',
    displayName: 'Teams calls (simulator)',
    tenantId: g.tenantId,
    clientId: g.clientId,
    clientSecret: g.clientSecret,
    callback: { host: '127.0.0.1', port: receiverPort, path: '/callback' },
    openIdConfigUrl: g.openIdConfigUrl,
    authorityHost: g.authorityHost,
    graphBaseUrl: g.graphBaseUrl,
    ...overrides,
  };
  if (receiverPort !== 0 && !g.receiverUrl) {
    g.setReceiver(`http://127.0.0.1:${receiverPort}${account.callback.path ?? '/callback'}`);
  }
  return account;
}

/** A free TCP port on 127.0.0.1 (for a demo receiver the simulator must know in advance). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * RSA key generation costs up to a second on a small machine, and every simulator needs three
 * keys: they are made once per process and role, and shared by the simulators it starts.
 */
const keyCache = new Map<string, Promise<SigningKey>>();
function signingKey(role: 'callback' | 'authority' | 'attacker'): Promise<SigningKey> {
  let key = keyCache.get(role);
  if (!key) {
    key = newSigningKey();
    keyCache.set(role, key);
  }
  return key;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  return { kid, privateKey, publicKey, jwk };
}

function checkLoopback(url: string): string {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\./.test(host))) {
    throw new Error(`GraphSim: refusing to send notifications off the machine (${u.host})`);
  }
  return url;
}

function afterFinish(res: ServerResponse, fn: () => void): void {
  if (res.writableFinished) setImmediate(fn);
  else res.once('finish', () => setImmediate(fn));
}

function unref<T>(t: T): T {
  (t as { unref?: () => void }).unref?.();
  return t;
}
