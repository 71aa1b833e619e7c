/**
 * The Microsoft Graph calling account: a signed-callback receiver, warm app-only tokens and
 * reject within the 15 s answer window. See receiver.ts, jwt.ts, notifications.ts,
 * tokens.ts and reject.ts for the pieces; this class wires them to the engine's sink and
 * keeps per-call state (notifications may arrive duplicated or out of order).
 */
import { GRAPH_REJECT_REASONS, type GraphAccount, type GraphRejectReason } from '../config.js';
import type { Clock, Fetch, Logger, SecretStore, TimerHandle } from '../deps.js';
import type { ForwardTarget, Invitation, Outcome } from '../invitation.js';
import {
  refuseUnknownReason,
  type DeclineResult,
  type Provider,
  type ProviderSink,
  type WakeReason,
} from '../provider.js';
import { CallbackVerifier } from './jwt.js';
import { parseNotifications, toInvitation, type CallEvent } from './notifications.js';
import { CallbackReceiver, type NotificationContext, type ReceiverLimits } from './receiver.js';
import { rejectCall, rejectUrl } from './reject.js';
import { forwardGraphCall } from './forward.js';
import { accountTenants } from './tenants.js';
import { GraphTokenError, GraphTokens, type ReadFile } from './tokens.js';

export interface GraphDeps {
  fetch: Fetch;
  clock: Clock;
  logger: Logger;
  secrets: SecretStore;
  /** The settings' default reason, read for each new call (account.declineReason wins). */
  defaultDeclineReason?: () => GraphRejectReason;
  /** Reads the certificate files (default: node:fs/promises readFile, utf8). */
  readFile?: ReadFile;
  /** Callback receiver body limit in bytes (default 256 KiB). */
  maxBodyBytes?: number;
  /** Callback receiver connection limits (account.callback.maxConnections wins for the cap). */
  receiverLimits?: ReceiverLimits;
  /** Unknown-`kid` re-fetch cooldown of the notification keys (default 5 s). */
  keyCooldownMs?: number;
  /** Margin kept of Graph's 15 s window (default 2 s): a reject must start by receivedAt + 13 s. */
  decisionMarginMs?: number;
}

interface CallEntry {
  callId: string;
  invitationId: string;
  expiresAt: number;
  rejecting: boolean;
  /** An end notification arrived while the reject was in flight: reported after it. */
  endedDuringReject: boolean;
  cleanup: TimerHandle;
}

/** How long a call's state is kept after its window closed (late `deleted` notifications). */
const KEEP_AFTER_WINDOW_MS = 60_000;
/** How many ended call ids are remembered (a late or replayed `created` must not ring). */
const ENDED_MEMORY = 1_000;

export class GraphProvider implements Provider {
  readonly kind = 'graph' as const;
  readonly accountId: string;
  private sink: ProviderSink | null = null;
  private receiver: CallbackReceiver | null = null;
  private verifier: CallbackVerifier | null = null;
  private tokens: GraphTokens | null = null;
  private readonly calls = new Map<string, CallEntry>();
  private readonly endedCalls = new Set<string>();
  private readonly log: Logger;
  private connected = false;

  constructor(
    readonly account: GraphAccount,
    private readonly deps: GraphDeps,
  ) {
    this.accountId = account.id;
    this.log = deps.logger.child('graph');
  }

  /** The URL the receiver is bound to (with the real port when 0 was configured). */
  get callbackUrl(): string | null {
    return this.receiver?.url ?? null;
  }

  /** clock.now() of the next token attempt or refresh (status display and tests), or null. */
  get nextTokenAttemptAt(): number | null {
    return this.tokens?.nextAttemptAt ?? null;
  }

  async start(sink: ProviderSink): Promise<void> {
    this.sink = sink;
    this.connected = false;
    const { account, deps } = this;
    this.verifier = new CallbackVerifier({
      audience: account.clientId,
      openIdConfigUrl: account.openIdConfigUrl,
      fetch: deps.fetch,
      clock: deps.clock,
      logger: this.log,
      keyCooldownMs: deps.keyCooldownMs,
    });
    this.receiver = new CallbackReceiver({
      host: account.callback.host,
      port: account.callback.port,
      path: account.callback.path,
      maxBodyBytes: deps.maxBodyBytes,
      limits: {
        ...deps.receiverLimits,
        maxConnections: account.callback.maxConnections ?? deps.receiverLimits?.maxConnections,
      },
      tenants: accountTenants(account),
      verifier: this.verifier,
      onNotification: (body, ctx) => this.onNotification(body, ctx),
      clock: deps.clock,
      logger: this.log,
    });
    this.tokens = new GraphTokens(account, { ...deps, logger: this.log }, (status) => {
      if (this.sink !== sink) return;
      if (status.ok) {
        sink.heard?.(deps.clock.now()); // Entra answered
        if (!this.connected) {
          this.connected = true;
          sink.state('connected');
        }
      } else {
        this.connected = false;
        sink.state('error', status.error);
      }
    });

    try {
      await this.receiver.listen();
    } catch (err) {
      this.receiver = null;
      sink.state('error', {
        code: 'ListenFailed',
        message: `The Graph callback receiver could not start: ${err instanceof Error ? err.message : String(err)}`,
      });
      return;
    }
    // Keys and token in the background: start() only reports that connecting is under way.
    // A failed key warm-up is retried with backoff (and on the first notification).
    this.verifier.startWarming();
    void this.tokens.start().catch((err: unknown) => {
      // onStatus already reported it; the token source retries on its own timer.
      if (!(err instanceof GraphTokenError)) this.log.error('token warm-up failed', { err });
    });
  }

  /**
   * After a sleep, an unlock or the network coming back: refresh the token (when it is
   * missing, failing or close to expiry) and the notification keys in the background, so the
   * first call afterwards is not slowed by either. Returns at once.
   */
  wake(reason: WakeReason): void {
    if (!this.sink) return;
    this.log.info('wake: refreshing the Graph token and notification keys', { reason });
    this.tokens?.wake();
    this.verifier?.refreshInBackground();
  }

  async stop(): Promise<void> {
    this.sink = null;
    this.connected = false;
    this.tokens?.stop();
    this.verifier?.stop();
    for (const entry of this.calls.values()) this.deps.clock.clearTimeout(entry.cleanup);
    this.calls.clear();
    const receiver = this.receiver;
    this.receiver = null;
    await receiver?.close();
  }

  async decline(invitation: Invitation, reason: string): Promise<DeclineResult> {
    const refused = refuseUnknownReason(reason, GRAPH_REJECT_REASONS, 'Graph reject');
    if (refused) return refused;
    const tokens = this.tokens;
    if (!tokens) {
      return {
        ok: false,
        error: { status: null, code: 'NotStarted', subcode: null, message: 'The Graph account is not running.' },
      };
    }
    const prefix = `${this.accountId}:`;
    const entry = this.calls.get(invitation.id.startsWith(prefix) ? invitation.id.slice(prefix.length) : invitation.id);
    const callId = entry?.callId ?? invitation.id.slice(prefix.length);
    if (entry) entry.rejecting = true;
    let result: DeclineResult;
    try {
      result = await rejectCall(
        { url: rejectUrl(this.account, callId), reason, deadline: invitation.expiresAt },
        { fetch: this.deps.fetch, clock: this.deps.clock, logger: this.log, token: (force) => tokens.get(force) },
      );
    } finally {
      if (entry) entry.rejecting = false;
    }
    if (entry?.endedDuringReject) {
      // Report the end after the engine has taken the reject's result into account.
      const outcome: Outcome = result.ok ? 'declined' : 'gone';
      const sink = this.sink;
      // A macrotask: runs after the engine's continuation of this very call (not a delay).
      setImmediate(() => sink?.ended(entry.invitationId, outcome));
    }
    return result;
  }

  /** Forward = redirect (redirect.ts); the per-call bookkeeping is the same as decline's. */
  forward(invitation: Invitation, target: ForwardTarget): Promise<DeclineResult> {
    const callId = invitation.id.slice(`${this.accountId}:`.length);
    return forwardGraphCall(invitation, target, {
      account: this.account,
      tokens: this.tokens,
      entry: this.calls.get(callId) ?? null,
      callId,
      sink: () => this.sink,
      deps: { ...this.deps, logger: this.log },
    });
  }

  // ------------------------------------------------------------------------------------

  private onNotification(body: { value: unknown[] }, ctx: NotificationContext): void {
    // Only verified notifications get here: Microsoft's service was heard from.
    this.sink?.heard?.(this.deps.clock.now());
    for (const ev of parseNotifications(body)) this.onCallEvent(ev, ctx);
  }

  private onCallEvent(ev: CallEvent, ctx: NotificationContext): void {
    const sink = this.sink;
    if (!sink) return;
    switch (ev.kind) {
      case 'ignored':
        this.log.debug('notification ignored', { callId: ev.callId, why: ev.why, ...ctx.ids });
        return;
      case 'incoming': {
        if (this.calls.has(ev.callId) || this.endedCalls.has(ev.callId)) {
          this.log.debug('duplicate or late incoming-call notification ignored', { callId: ev.callId });
          return;
        }
        const def = this.defaultReason();
        const invitation = toInvitation({
          accountId: this.accountId,
          callId: ev.callId,
          from: ev.from,
          modality: ev.modality,
          receivedAt: ctx.receivedAt,
          marginMs: this.deps.decisionMarginMs,
          declineReasons: [def, ...GRAPH_REJECT_REASONS.filter((r) => r !== def)],
        });
        const expiresAt = invitation.expiresAt ?? ctx.receivedAt;
        const entry: CallEntry = {
          callId: ev.callId,
          invitationId: invitation.id,
          expiresAt,
          rejecting: false,
          endedDuringReject: false,
          cleanup: this.deps.clock.setTimeout(
            () => this.forget(ev.callId),
            Math.max(0, expiresAt - this.deps.clock.now()) + KEEP_AFTER_WINDOW_MS,
          ),
        };
        this.calls.set(ev.callId, entry);
        this.log.info('incoming call', { callId: ev.callId, tenant: ctx.claims.tid, ...ctx.ids });
        sink.ringing(invitation);
        return;
      }
      case 'answered':
      case 'ended': {
        const entry = this.calls.get(ev.callId);
        this.rememberEnded(ev.callId);
        if (!entry) return;
        if (ev.kind === 'ended') this.forget(ev.callId);
        if (entry.rejecting) {
          this.log.debug('the call ended while its reject was in flight', { callId: ev.callId });
          entry.endedDuringReject = true;
          return;
        }
        const outcome: Outcome =
          ev.kind === 'answered' ? 'answeredElsewhere' : this.deps.clock.now() >= entry.expiresAt ? 'timedOut' : 'gone';
        this.log.info('call ended', { callId: ev.callId, via: ev.kind === 'ended' ? ev.via : ev.state, outcome });
        sink.ended(entry.invitationId, outcome);
        return;
      }
    }
  }

  private defaultReason(): GraphRejectReason {
    return this.account.declineReason ?? this.deps.defaultDeclineReason?.() ?? 'none';
  }

  private forget(callId: string): void {
    const entry = this.calls.get(callId);
    if (!entry) return;
    this.deps.clock.clearTimeout(entry.cleanup);
    this.calls.delete(callId);
    this.rememberEnded(callId);
  }

  private rememberEnded(callId: string): void {
    this.endedCalls.delete(callId);
    this.endedCalls.add(callId);
    if (this.endedCalls.size > ENDED_MEMORY) {
      const oldest = this.endedCalls.values().next().value;
      if (oldest !== undefined) this.endedCalls.delete(oldest);
    }
  }
}
