/**
 * Microsoft Graph half of the embedded simulator. On one SimServer it plays three parts, each
 * in its own module under graph/:
 *
 * - **Token authority** (Microsoft Entra, `graph/authority.ts`):
 *   `/{tenant}/v2.0/.well-known/openid-configuration`, `/{tenant}/discovery/v2.0/keys`, and the
 *   client-credentials token endpoint `/{tenant}/oauth2/v2.0/token`, which accepts
 *   `client_secret` or a `client_assertion` signed with the key of a trusted certificate.
 * - **Graph** (`graph/calls.ts`): `POST /graph/{v1.0|beta}/communications/calls/{id}/reject`
 *   (202, empty) and the seed's `POST /graph/beta/app/calls/{id}/reject` (200 + the seed's
 *   commsOperation). Bearer token and body are validated; every request is recorded in `rejects`.
 *   Redirect ("forward") at the same three paths (`graph/redirect.ts`) is recorded in `redirects`.
 * - **Microsoft's notification sender** (`graph/sender.ts`): `ringCall()` POSTs a signed
 *   incoming-call notification (the seed's JSON verbatim, or today's shape) to the receiver;
 *   `deleted` follows a reject, a hang-up, or the 15 s answer window closing. The signing keys
 *   are published at `/aps/v1/.well-known/OpenIdConfiguration` → `/aps/v1/keys`.
 *
 * On command it misbehaves: forged notifications (bad signature, wrong audience or issuer,
 * expired, no token, no tid, unknown key), and reject answers 404, 429 (Retry-After) or 5xx.
 * This class composes the three and keeps the calls they share.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { GraphAccount } from '../core/config.js';
import type { SimContext, SimServer } from './server.js';
import { TokenAuthority } from './graph/authority.js';
import { GraphCallsApi } from './graph/calls.js';
import type { GraphRedirectSim } from './graph/redirect.js';
import { checkLoopback, signingKey, unref, type SigningKey } from './graph/keys.js';
import { SEED_CALL_ID } from './graph/seed.js';
import { NotificationSender } from './graph/sender.js';
import { incomingCallBody, type NotificationShape } from './graph/shapes.js';
import {
  OTHER_TENANT_ID,
  type ForgeKind,
  type GraphSimOptions,
  type NotificationResult,
  type RejectFailure,
  type RejectRecord,
  type RingOptions,
  type SentNotification,
  type SimGraphCall,
  type TokenFailure,
  type TokenIssue,
} from './graph/types.js';

export {
  SEED_CALL_ID,
  SEED_CALLER_NAME,
  SEED_INCOMING_NOTIFICATION,
  SEED_DELETED_NOTIFICATION,
  SEED_REJECT_RESPONSE,
} from './graph/seed.js';
export type { NotificationShape, SimCaller, CallerKind } from './graph/shapes.js';
export { FORGE_KINDS, OTHER_TENANT_ID } from './graph/types.js';
export type * from './graph/types.js';

export const SIM_TENANT_ID = '5f2b6a58-8c1d-4d5e-9f3b-2a7c1e0d9b41';
export const SIM_CLIENT_ID = '0efc74f7-41c3-47a4-8775-7259bfef4241';
export const SIM_CLIENT_SECRET = 'sim-graph-secret';

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

  readonly rejects: RejectRecord[];
  readonly notifications: SentNotification[];
  readonly tokensIssued: TokenIssue[];
  readonly calls = new Map<string, SimGraphCall>();
  /** Redirect ("forward") at the three reject paths: records, waitFor, fail (graph/redirect.ts). */
  readonly redirects: GraphRedirectSim;

  private readonly authority: TokenAuthority;
  private readonly sender: NotificationSender;
  private readonly api: GraphCallsApi;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly ringTimeoutMs: number | null;
  private readonly now: () => number;
  private demoTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(
    readonly server: SimServer,
    callbackKey: SigningKey,
    authorityKey: SigningKey,
    attackerKey: SigningKey,
    opts: GraphSimOptions,
  ) {
    this.tenantId = opts.tenantId ?? SIM_TENANT_ID;
    this.clientId = opts.clientId ?? SIM_CLIENT_ID;
    this.clientSecret = opts.clientSecret ?? SIM_CLIENT_SECRET;
    this.origin = server.origin;
    this.now = opts.now ?? Date.now;
    this.authority = new TokenAuthority(
      {
        origin: this.origin,
        tenantId: this.tenantId,
        clientId: this.clientId,
        clientSecret: this.clientSecret,
        tokenLifetimeSec: opts.tokenLifetimeSec ?? 3599,
        now: this.now,
      },
      authorityKey,
    );
    this.sender = new NotificationSender(
      {
        origin: this.origin,
        tenantId: this.tenantId,
        clientId: this.clientId,
        callbackIssuer: opts.callbackIssuer ?? 'https://api.botframework.com',
        now: this.now,
      },
      callbackKey,
      attackerKey,
    );
    this.api = new GraphCallsApi(
      {
        calls: this.calls,
        now: this.now,
        validGraphToken: (a) => this.authority.validGraphToken(a),
        sendDeleted: (call) => this.sender.sendDeleted(call),
      },
      opts.deleteAfterReject ?? true,
    );
    this.openIdConfigUrl = this.sender.openIdConfigUrl;
    this.jwksUrl = this.sender.jwksUrl;
    this.authorityHost = this.origin;
    this.tokenUrl = this.authority.tokenUrl;
    this.graphBaseUrl = `${this.origin}/graph`;
    this.receiverUrl = opts.receiverUrl ?? null;
    this.ringTimeoutMs = opts.ringTimeoutMs === undefined ? 15_000 : opts.ringTimeoutMs;
    this.rejects = this.api.rejects;
    this.redirects = this.api.redirects;
    this.notifications = this.sender.notifications;
    this.tokensIssued = this.authority.tokensIssued;
    for (const pem of opts.certificates ?? []) this.trustCertificate(pem);
    server.use((ctx) => this.route(ctx));
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
    this.authority.trustCertificate(pem);
  }

  /** The next `times` rejects answer `status` (404 "Call not found.", 429 + Retry-After, 5xx). */
  failRejects(failure: RejectFailure): void {
    this.api.failRejects(failure);
  }

  /** Chaos: `chaos(callId)` answers each reject's failure (or null: handled normally). */
  setRejectChaos(chaos: ((callId: string) => RejectFailure | null) | null): void {
    this.api.setRejectChaos(chaos);
  }

  /** The next `times` token requests fail with this OAuth error. */
  failTokens(failure: TokenFailure): void {
    this.authority.failTokens(failure);
  }

  setDeleteAfterReject(on: boolean): void {
    this.api.setDeleteAfterReject(on);
  }

  /** Deliver `deleted` before answering the reject (the race a client must survive). */
  setDeleteBeforeAnswer(on: boolean): void {
    this.api.setDeleteBeforeAnswer(on);
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
      tenantId: opts.forge === 'otherTenant' ? OTHER_TENANT_ID : (opts.tenantId ?? this.tenantId),
      botAppId: this.clientId,
      botName: 'Softphone Bot',
      callbackUri: receiverUrl,
    });
    const redelivery = this.calls.get(callId)?.state === 'ringing';
    if (!opts.forge && !redelivery) {
      // (A redelivery of a call still ringing — Microsoft retrying — keeps the call's own timeout.)
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
          void this.sender.sendDeleted(call);
        });
      }
    }
    const claims = opts.tenantId ? { tid: opts.tenantId } : {};
    return this.sender.post(receiverUrl, body, callId, 'created', opts.forge ?? null, claims);
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
    return this.sender.sendDeleted(call);
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
    const token = opts.token === undefined ? await this.sender.signCallbackToken() : opts.token;
    return this.sender.deliver(url, text, token, opts.callId ?? '', 'created', null);
  }

  /**
   * A callback token as Microsoft signs it; `claims` override (undefined deletes a claim);
   * `{ kid: false }` leaves the key id out of the header.
   */
  signCallbackToken(
    claims: Record<string, unknown> = {},
    key?: SigningKey,
    header: { kid?: boolean } = {},
  ): Promise<string> {
    return this.sender.signCallbackToken(claims, key, header);
  }

  /** Rotates the notification signing key (see NotificationSender.rotateKey); resolves with the new kid. */
  rotateCallbackKey(opts: { publish?: boolean; retireOld?: boolean } = {}): Promise<string> {
    return this.sender.rotateKey(opts);
  }

  /** Publishes a key made by `rotateCallbackKey({ publish: false })`. */
  publishCallbackKey(): void {
    this.sender.publishKey();
  }

  /** Resolves with the first reject (recorded or future) matching `pred`. */
  waitForReject(pred: (r: RejectRecord) => boolean = () => true, timeoutMs = 5_000): Promise<RejectRecord> {
    return this.api.waitForReject(pred, timeoutMs);
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
    this.sender.closed = true;
    this.stopDemo();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ───────────────────────── HTTP routes ─────────────────────────

  private route(ctx: SimContext): boolean | Promise<boolean> {
    if (this.sender.route(ctx)) return true;
    const p = ctx.url.pathname;
    const m = ctx.req.method ?? 'GET';
    const tenantPrefix = `/${this.tenantId}/`;
    if (p.startsWith(tenantPrefix)) return this.authority.route(ctx, p.slice(tenantPrefix.length), m);
    if (p.startsWith('/graph/')) return this.api.route(ctx, p, m);
    return false;
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
