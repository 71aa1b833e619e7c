/**
 * UcwaProvider: one Skype for Business (UCWA 2.0) account, composed of the small modules
 * beside it. It owns the session lifecycle and the cache of ringing invitations:
 *
 *   connecting ─► discover ─► sign in ─► POST applications ─► makeMeAvailable ─► P-GET loop
 *        │                                                      └► reportMyActivity / 3 min
 *        └─ transient failure: 'reconnecting' + backoff; definitive: 'error'
 *   loop trouble → one 'reconnecting' → 'connected';  404 / 410 InactiveApplicationExpired →
 *   re-create silently and re-validate what rings;  409 PGetReplaced / other 410s / anything
 *   definitive → 'error' and retry slowly (and on wake);  a refused password → 'error' and
 *   nothing is sent again until the user retries;  wake → abandon the held P-GET, ask again,
 *   probe the application, re-validate what rings;  stop() → abort, DELETE, 'stopped'.
 */
import { CALL_DECLINE_REASONS, type CallDeclineReason, type UcwaAccount } from '../config.js';
import type { Clock, Fetch, KeyValueStore, Logger, SecretStore, TimerHandle } from '../deps.js';
import type { Invitation, Outcome } from '../invitation.js';
import {
  refuseUnknownReason,
  type AccountError,
  type AccountState,
  type DeclineResult,
  type Provider,
  type ProviderSink,
  type WakeReason,
} from '../provider.js';
import {
  ActivityReporter,
  createApplication,
  deleteApplication,
  getApplication,
  loadEndpointId,
  makeMeAvailable,
  reportMyActivity,
  type ApplicationLinks,
} from './application.js';
import { TokenCache } from './auth.js';
import { sendDecline } from './decline.js';
import { discover } from './discovery.js';
import { parseErrorBody, toUcwaError, UcwaError } from './errors.js';
import { backoffDelay, EventChannel, isSilentlyRecreated, type BackoffOptions } from './eventChannel.js';
import type { EventBatch, Happening, InvitationRel, Resource } from './events.js';
import { AbortedError, NetworkError, UcwaHttp } from './http.js';
import { actionLinksOf, isIncoming, outcomeOf, toInvitation, type ActionLinks } from './invitations.js';
import { describeHref } from './links.js';
import { validateInvitation } from './revalidate.js';
import { UcwaFeatures } from './features.js';
import type { CapabilityResult, ForwardingChoice } from '../provider.js';

export interface UcwaDeps {
  fetch: Fetch;
  clock: Clock;
  logger: Logger;
  store: KeyValueStore;
  secrets: SecretStore;
  /** `userAgent` of the application (≤ 100 chars). */
  userAgent?: string;
  /** The settings' default reason for accounts that set none (read at each invitation). */
  defaultDeclineReason?: () => CallDeclineReason;
  /** Server `timeout` of each P-GET, seconds (default 180; UCWA accepts 180..1800, so it is clamped there). */
  pgetTimeoutSec?: number;
  /** Jitter source for backoff, [0,1) (default Math.random). */
  random?: () => number;
  /** Backoff of reconnects (default 0.5 s doubling to 10 s, jittered). */
  backoff?: BackoffOptions;
  /** After a definitive error (other 410s, PGetReplaced, a refused request), retry after this long, ms (default 3 min, jittered ±25 %). */
  slowRetryMs?: number;
  /** reportMyActivity period, ms (default 3 min; UCWA needs ≤ 4 min). */
  activityIntervalMs?: number;
  /** `culture` of the application (default en-US). */
  culture?: string;
}

export const DEFAULT_USER_AGENT = 'Softphone/0.1';
const MAX_ENDED_REMEMBERED = 1000;

interface Ringing {
  invitation: Invitation;
  rel: InvitationRel;
  links: ActionLinks;
}

/** The P-GET `timeout` we send: UCWA's range is 180..1800 s [events_ref.md]. */
export function pgetTimeoutSec(configured: number | undefined): number {
  const v = configured ?? 180;
  return Number.isFinite(v) ? Math.min(1800, Math.max(180, Math.round(v))) : 180;
}

export function passwordSecretName(account: Pick<UcwaAccount, 'id'>): string {
  return `${account.id}.password`;
}

export class UcwaProvider implements Provider {
  readonly kind = 'ucwa' as const;
  readonly accountId: string;

  private readonly log: Logger;
  private readonly http: UcwaHttp;
  private readonly random: () => number;
  private sink: ProviderSink | null = null;
  private state: AccountState = 'stopped';

  private stopped = false;
  private stopping: Promise<void> | null = null;
  /** Aborts every request of the current session on stop(). */
  private readonly abort = new AbortController();
  private connectTimer: TimerHandle | null = null;
  private connectWake: (() => void) | null = null;
  /** True while connectLoop runs (a wake then shortens its wait instead of kicking a channel). */
  private connectRunning = false;
  /** Set by wake: the connect loop's next wait starts again from the quick end. */
  private wokeDuringConnect = false;
  private readonly tokens: TokenCache;
  /** An application probe (GET self) in flight: one at a time. */
  private probing = false;
  /** Hrefs whose re-validation GET is in flight. */
  private readonly validating = new Set<string>();

  private applicationsUrl: string | null = null;
  private app: ApplicationLinks | null = null;
  /** False once the server told us the application is gone (no DELETE then). */
  private appAlive = false;
  private channel: EventChannel | null = null;
  private activity: ActivityReporter | null = null;
  private connecting: Promise<void> | null = null;

  /** Ringing invitations by absolute href, and href by invitation id. */
  private readonly ringing = new Map<string, Ringing>();
  private readonly hrefById = new Map<string, string>();
  /** Invitation hrefs that completed (or were seen completing): a replayed `started` is ignored. */
  private readonly ended = new Set<string>();
  /** Presence, reply with a message, call forwarding (issue 9). */
  private readonly features: UcwaFeatures;

  constructor(
    readonly account: UcwaAccount,
    private readonly deps: UcwaDeps,
  ) {
    this.accountId = account.id;
    this.log = deps.logger.child('ucwa');
    this.random = deps.random ?? Math.random;
    const tokens = new TokenCache({
      fetch: deps.fetch,
      clock: deps.clock,
      logger: this.log,
      credentials: () => this.credentials(),
    });
    this.tokens = tokens;
    this.http = new UcwaHttp({
      fetch: deps.fetch,
      clock: deps.clock,
      logger: this.log,
      tokens,
      userAgent: this.userAgent,
    });
    this.features = new UcwaFeatures(
      account,
      {
        http: this.http,
        log: this.log,
        signal: this.abort.signal,
        appSelf: () => (this.state === 'connected' || this.state === 'reconnecting' ? (this.app?.self ?? null) : null),
        payloadFormat: account.payloadFormat ?? 'json',
      },
      deps.clock,
      (f) => this.safeSink(() => this.sink?.forwarding?.(f)),
    );
  }

  reply(invitation: Invitation, text: string): Promise<CapabilityResult> {
    return this.features.reply(invitation, text);
  }

  setPresenceDnd(on: boolean): Promise<CapabilityResult> {
    return this.features.setPresenceDnd(on);
  }

  setForwarding(to: ForwardingChoice): Promise<CapabilityResult> {
    return this.features.setForwarding(to);
  }

  refreshForwarding(): Promise<CapabilityResult> {
    return this.features.refreshForwarding();
  }

  private get userAgent(): string {
    return (this.deps.userAgent ?? DEFAULT_USER_AGENT).slice(0, 100);
  }

  async start(sink: ProviderSink): Promise<void> {
    if (this.sink) throw new Error('UcwaProvider.start called twice');
    this.sink = sink;
    this.setState('connecting');
    this.connecting = this.connectLoop('start');
  }

  /**
   * The machine woke, unlocked or came back online. A refused password stays refused unless
   * the user asked (`'user'`). A connect attempt waiting for its next try tries now; a
   * running event channel abandons its held P-GET (a dead connection after a sleep), asks the
   * same URL again at once, and the application and what rings are re-validated.
   */
  wake(reason: WakeReason): void {
    if (this.stopped || !this.sink) return;
    if (this.tokens.refused) {
      if (reason !== 'user') {
        this.log.info('wake: the password was refused; waiting for the user', { reason });
        return;
      }
      this.log.info('the user asked to retry the refused password');
      this.tokens.allowRetry();
    }
    this.log.info('wake', { reason });
    if (this.connectRunning) {
      this.wokeDuringConnect = true;
      if (this.connectTimer !== null) this.deps.clock.clearTimeout(this.connectTimer);
      this.connectTimer = null;
      const wakeUp = this.connectWake;
      this.connectWake = null;
      wakeUp?.();
      return;
    }
    if (this.channel && !this.channel.isStopped) {
      this.channel.kick();
      return;
    }
    // Nothing runs (a refused password the user now retries): connect again.
    this.setState('connecting');
    this.connecting = this.connectLoop('retry');
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  async decline(invitation: Invitation, reason: string): Promise<DeclineResult> {
    const refused = refuseUnknownReason(reason, CALL_DECLINE_REASONS, 'Skype for Business');
    if (refused) return refused;
    const href = this.hrefById.get(invitation.id);
    const entry = href ? this.ringing.get(href) : undefined;
    if (!entry) {
      return {
        ok: false,
        error: {
          status: null,
          code: 'UnknownInvitation',
          subcode: null,
          message: 'This invitation is no longer ringing on this account.',
        },
        endAs: 'gone',
      };
    }
    if (!entry.links.decline) {
      return {
        ok: false,
        error: {
          status: null,
          code: 'NoDeclineLink',
          subcode: null,
          message: 'The server offered no way to decline this invitation.',
        },
      };
    }
    this.log.info('declining', { id: invitation.id, reason });
    return sendDecline(
      this.http,
      entry.links.decline,
      reason as CallDeclineReason,
      this.account.payloadFormat ?? 'json',
      this.log,
      this.abort.signal,
    );
  }

  // ─────────────────────────── session ───────────────────────────

  private async credentials(): Promise<{ username: string; password: string }> {
    let password: string | undefined;
    try {
      password = await this.deps.secrets.get(passwordSecretName(this.account));
    } catch (err) {
      throw new UcwaError(
        null,
        'NoPassword',
        null,
        `The password for this account could not be read (${(err as Error).message}).`,
      );
    }
    if (!password) throw new UcwaError(null, 'NoPassword', null, 'No password is stored for this account.');
    return { username: this.account.username, password };
  }

  /**
   * Discovers (once), creates the application, makes it available and starts the loop.
   * Transient failures retry with backoff (one 'reconnecting'); definitive ones report 'error'
   * and retry on a slow schedule (and at once on wake); only a refused password stops.
   */
  private async connectLoop(why: 'start' | 'recreate' | 'rediscover' | 'retry', firstDelayMs = 0): Promise<void> {
    this.connectRunning = true;
    try {
      let attempt = 0;
      let gatewayFailures = 0;
      if (firstDelayMs > 0) await this.waitConnect(firstDelayMs);
      while (!this.stopped) {
        try {
          await this.connectOnce();
          this.heard();
          this.setState('connected');
          this.features.onConnected();
          if (why !== 'start') this.log.info('session re-established', { why });
          this.revalidateAll(`session ${why}`);
          return;
        } catch (err) {
          if (this.stopped || err instanceof AbortedError) return;
          const ucwa = asUcwaError(err);
          if (isRefusal(ucwa)) {
            this.refuse(ucwa.toAccountError());
            return;
          }
          if (ucwa.status !== null) this.heard();
          if (this.wokeDuringConnect) {
            this.wokeDuringConnect = false;
            attempt = 0;
          }
          attempt++;
          if (ucwa.status !== null && [403, 404, 502].includes(ucwa.status)) gatewayFailures++;
          else gatewayFailures = 0;
          if (gatewayFailures >= 3) {
            this.log.info('the server address may have changed; discovering it again', { status: ucwa.status });
            this.applicationsUrl = null;
            this.http.resetAuthorities();
            gatewayFailures = 0;
          }
          // A sign-in the app itself will not do (another site's token endpoint, no password
          // grant offered) is definitive: it says so and retries slowly.
          const definitive = ucwa.code === 'UntrustedSignIn' || ucwa.code === 'UnsupportedSignIn';
          if (
            !definitive &&
            (ucwa.transient ||
              ucwa.code === 'NotFound' ||
              ucwa.status === 401 ||
              ucwa.status === 403 ||
              ucwa.status === 502)
          ) {
            const delay = backoffDelay(attempt, this.random, this.deps.backoff);
            this.log.warn('connecting failed; retrying', { code: ucwa.code, status: ucwa.status, delayMs: delay });
            if (this.state !== 'reconnecting') this.setState('reconnecting', ucwa.toAccountError());
            await this.waitConnect(delay);
          } else {
            const delay = this.slowDelay();
            this.log.error('could not connect; retrying later', {
              code: ucwa.code,
              status: ucwa.status,
              message: ucwa.message,
              delayMs: delay,
            });
            this.setState('error', ucwa.toAccountError());
            await this.waitConnect(delay);
          }
        }
      }
    } finally {
      this.connectRunning = false;
      this.wokeDuringConnect = false;
    }
  }

  private slowDelay(): number {
    const base = this.deps.slowRetryMs ?? 3 * 60_000;
    return Math.round(base * (0.75 + 0.5 * this.random()));
  }

  private async connectOnce(): Promise<void> {
    const signal = this.abort.signal;
    if (!this.applicationsUrl) {
      const found = await discover(this.http, {
        sipAddress: this.account.sipAddress,
        discoveryUrl: this.account.discoveryUrl,
        log: this.log,
        signal,
      });
      this.applicationsUrl = found.applicationsUrl;
      this.log.info('discovered the UCWA server', { applications: found.applicationsUrl });
    }
    const endpointId = await loadEndpointId(this.deps.store, this.accountId, this.log);
    let app = await createApplication(
      this.http,
      this.applicationsUrl,
      { userAgent: this.userAgent, endpointId, culture: this.deps.culture ?? 'en-US' },
      signal,
    );
    this.app = app;
    this.appAlive = true;
    if (!app.makeMeAvailable) {
      app = await getApplication(this.http, app.self, signal);
    }
    if (app.makeMeAvailable) {
      await makeMeAvailable(this.http, app.makeMeAvailable, signal);
    } else {
      // A capability link is missing when it does not apply: an existing application (POST
      // answered 200) that already made itself available offers no makeMeAvailable.
      this.log.info('no makeMeAvailable link: the application is already available', {
        canReportActivity: !!app.reportMyActivity,
      });
    }
    if (!app.reportMyActivity) {
      try {
        const fresh = await getApplication(this.http, app.self, signal);
        app = { ...fresh, events: app.events };
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        this.log.warn('could not read the application after makeMeAvailable', { err });
      }
    }
    this.app = app;
    if (this.stopped) throw new AbortedError();
    this.startActivity();
    const channel = this.newChannel();
    this.channel = channel;
    await channel.start(app.events);
  }

  private newChannel(): EventChannel {
    const channel: EventChannel = new EventChannel({
      http: this.http,
      clock: this.deps.clock,
      log: this.log,
      random: this.random,
      timeoutSec: pgetTimeoutSec(this.deps.pgetTimeoutSec),
      backoff: this.deps.backoff,
      handlers: {
        onBatch: (batch) => this.onBatch(batch),
        onTrouble: (error) => {
          if (this.channel === channel && this.state !== 'reconnecting') this.setState('reconnecting', error);
        },
        onRecovered: () => {
          if (this.channel === channel) this.setState('connected');
        },
        onHeard: () => {
          if (this.channel === channel) this.heard();
        },
        onReissued: (why) => {
          if (this.channel === channel) void this.probe(channel, why);
        },
        onApplicationGone: (error) => {
          if (this.channel !== channel || this.stopped) return;
          this.log.warn('the application is gone; re-creating it', { code: error.code, subcode: error.subcode });
          this.recreate('recreate');
        },
        onRediscover: (error) => {
          if (this.channel !== channel || this.stopped) return;
          this.log.warn('the event channel keeps failing; discovering the server again', { status: error.status });
          if (this.state !== 'reconnecting') this.setState('reconnecting', error);
          this.recreate('rediscover');
        },
        onRefused: (error) => {
          if (this.channel !== channel || this.stopped) return;
          this.refuse(error);
        },
        onFatal: (error) => {
          if (this.channel !== channel || this.stopped) return;
          this.log.error('event channel stopped', { code: error.code, subcode: error.subcode, status: error.status });
          if (error.status === 410 || error.subcode === 'PGetReplaced') this.appAlive = false;
          this.fail(error);
        },
      },
    });
    return channel;
  }

  /**
   * Drops the session's links and connects again (same endpointId, makeMeAvailable, a new
   * event channel) without a state change; what rang is kept and re-validated once connected.
   */
  private recreate(why: 'recreate' | 'rediscover'): void {
    this.appAlive = false;
    this.teardownSession();
    if (why === 'rediscover') {
      this.applicationsUrl = null;
      this.http.resetAuthorities();
    }
    if (this.connectRunning || this.stopped) return;
    this.connecting = this.connectLoop(why);
  }

  /**
   * After a retry or a wake re-issued the P-GET (which the server may hold for minutes), ask
   * the application itself: 200 → the server is back ('connected') and, after a wake, what
   * rings is re-validated; 404/410 → the application is gone: re-create it.
   */
  private async probe(channel: EventChannel, why: 'retry' | 'wake'): Promise<void> {
    const app = this.app;
    if (!app || this.probing) return;
    this.probing = true;
    try {
      const res = await this.http.request('GET', app.self, { signal: this.abort.signal });
      if (this.channel !== channel || this.stopped) return;
      this.heard();
      if (res.status === 200) {
        channel.confirmHealthy();
        if (why === 'wake') this.revalidateAll('wake');
        return;
      }
      const body = parseErrorBody(res.text, res.headers.get('content-type'));
      if (res.status === 404 || (res.status === 410 && isSilentlyRecreated(body?.subcode))) {
        this.log.warn('the application is gone; re-creating it', { status: res.status, subcode: body?.subcode });
        this.recreate('recreate');
      } else if (res.status === 410) {
        this.appAlive = false;
        this.fail(toUcwaError(res.status, body, 'application').toAccountError());
      }
    } catch (err) {
      if (err instanceof AbortedError || this.channel !== channel || this.stopped) return;
      const e = asUcwaError(err);
      if (isRefusal(e)) this.refuse(e.toAccountError());
      // Otherwise the P-GET's own retries tell how it goes.
    } finally {
      this.probing = false;
    }
  }

  /** GET every ringing invitation again: still Connecting → rings on; 404 or ended → it ends. */
  private revalidateAll(why: string): void {
    const entries = [...this.ringing.entries()];
    if (entries.length === 0) return;
    this.log.info('re-validating ringing invitations', { why, count: entries.length });
    for (const [href, entry] of entries) void this.revalidate(href, entry);
  }

  private async revalidate(href: string, entry: Ringing): Promise<void> {
    if (this.validating.has(href)) return;
    this.validating.add(href);
    try {
      const v = await validateInvitation(this.http, href, this.abort.signal);
      if (this.stopped || this.ringing.get(href) !== entry) return;
      if (v.kind === 'ringing') return;
      if (v.kind === 'unknown') {
        this.log.info('could not re-validate an invitation; it keeps ringing', { id: entry.invitation.id, why: v.why });
        return;
      }
      this.rememberEnded(href);
      this.forget(href, entry);
      this.log.info('invitation ended (re-validated)', { id: entry.invitation.id, outcome: v.outcome });
      this.safeSink(() => this.sink?.ended(entry.invitation.id, v.outcome));
    } catch (err) {
      if (!(err instanceof AbortedError)) this.log.warn('re-validating an invitation failed', { err });
    } finally {
      this.validating.delete(href);
    }
  }

  /** The password was refused: 'error', end what rings, and send nothing until the user retries. */
  private refuse(error: AccountError): void {
    this.log.error('the password was refused; waiting for the user', { code: error.code, status: error.status });
    this.teardownSession();
    this.dropTransient('the password was refused');
    this.setState('error', {
      ...error,
      code: error.code === 'NoPassword' ? 'NoPassword' : 'InvalidCredentials',
      message:
        error.code === 'NoPassword'
          ? error.message
          : 'The server refused the password. It will not be sent again until you change it or choose “Try signing in again”.',
    });
  }

  /** The time the server was last heard from (a P-GET answer, an event, any answer). */
  private heard(): void {
    this.safeSink(() => this.sink?.heard?.(this.deps.clock.now()));
  }

  private startActivity(): void {
    this.activity?.stop();
    const reporter: ActivityReporter = new ActivityReporter({
      clock: this.deps.clock,
      log: this.log,
      intervalMs: this.deps.activityIntervalMs,
      report: async () => {
        const app = this.app;
        if (!app) return;
        let href = app.reportMyActivity;
        if (!href) {
          const fresh = await getApplication(this.http, app.self, this.abort.signal);
          href = fresh.reportMyActivity;
          if (this.app === app) this.app = { ...app, reportMyActivity: href };
        }
        if (!href) {
          this.log.warn('the server offers no reportMyActivity link');
          return;
        }
        try {
          await reportMyActivity(this.http, href, this.abort.signal);
        } catch (err) {
          if (
            err instanceof UcwaError &&
            err.status === 409 &&
            err.subcode === 'MakeMeAvailableRequired' &&
            app.makeMeAvailable
          ) {
            await makeMeAvailable(this.http, app.makeMeAvailable, this.abort.signal);
            return;
          }
          throw err;
        }
      },
      onError: (err) => {
        if (this.activity !== reporter || this.stopped || err instanceof AbortedError) return;
        const e = asUcwaError(err);
        if (e.status === 404) {
          // The P-GET will see it too; re-create now only if the loop is not already doing it.
          this.log.warn('reportMyActivity: the application is gone');
          if (this.channel && !this.channel.isStopped) this.recreate('recreate');
          return;
        }
        if (e.status === 410) {
          if (isSilentlyRecreated(e.subcode)) {
            if (this.channel && !this.channel.isStopped) this.recreate('recreate');
            return;
          }
          this.appAlive = false;
          this.fail(e.toAccountError());
          return;
        }
        if (isRefusal(e)) {
          this.refuse(e.toAccountError());
          return;
        }
        this.log.warn('reportMyActivity failed; will try again', { code: e.code, status: e.status });
      },
    });
    this.activity = reporter;
    reporter.start();
  }

  /** Stops the loop and the activity timer of the current session (no DELETE). */
  private teardownSession(): void {
    this.features.reset();
    this.activity?.stop();
    this.activity = null;
    this.channel?.stop();
    this.channel = null;
  }

  /**
   * A definitive failure (PGetReplaced, a 410 other than InactiveApplicationExpired): report
   * 'error', end what rang with the lost application, and try again on a slow schedule (a
   * wake tries at once). Only a refused password stops an account for good.
   */
  private fail(error: AccountError): void {
    this.teardownSession();
    this.dropTransient('the session failed');
    this.setState('error', error);
    if (this.connectRunning || this.stopped) return;
    this.connecting = this.connectLoop('retry', this.slowDelay());
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.connectTimer !== null) this.deps.clock.clearTimeout(this.connectTimer);
    this.connectWake?.();
    this.teardownSession();
    await this.connecting?.catch(() => undefined);
    const app = this.app;
    // A refused password is never sent again, not even to sign out: no re-grant just to DELETE.
    if (app && this.appAlive && !this.tokens.refused) {
      this.appAlive = false;
      await deleteApplication(this.http, app.self, this.log);
    }
    this.dropTransient('the account signed out');
    this.setState('stopped');
  }

  private waitConnect(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.connectWake = resolve;
      this.connectTimer = this.deps.clock.setTimeout(() => {
        this.connectTimer = null;
        this.connectWake = null;
        resolve();
      }, ms);
    });
  }

  private setState(state: AccountState, error?: AccountError): void {
    if (this.stopped && state !== 'stopped') return; // nothing but 'stopped' after stop()
    if (state === this.state && !error) return;
    this.state = state;
    this.safeSink(() => (error ? this.sink?.state(state, error) : this.sink?.state(state)));
  }

  // ─────────────────────────── events ───────────────────────────

  private async onBatch(batch: EventBatch): Promise<void> {
    if (batch.continuation?.kind === 'resume') {
      // The server closed every conversation: what rang is gone.
      this.dropTransient('the server sent resume');
    } else if (batch.continuation?.kind === 'resync') {
      // Events may have been skipped or will come again: keep what rings and ask the server.
      this.revalidateAll('resync');
    }
    for (const h of batch.happenings) {
      if (this.stopped) return;
      try {
        await this.onHappening(h);
      } catch (err) {
        if (err instanceof AbortedError) return;
        this.log.error('handling an event failed; skipped', { kind: h.kind, err });
      }
    }
  }

  private async onHappening(h: Happening): Promise<void> {
    if (this.features.observe(h)) return; // replies' own invitations, call forwarding updates
    switch (h.kind) {
      case 'invitationStarted': {
        if (this.ringing.has(h.href) || this.ended.has(h.href)) {
          this.log.debug('ignored a repeated invitation', { href: describeHref(h.href) });
          return;
        }
        const resource = h.resource ?? (await this.fetchResource(h.href));
        if (!resource) return;
        if (this.ringing.has(h.href) || this.ended.has(h.href)) return;
        if (!isIncoming(resource)) {
          this.log.debug('ignored an outgoing invitation', { rel: h.rel });
          return;
        }
        const invitation = toInvitation({
          accountId: this.accountId,
          rel: h.rel,
          href: h.href,
          resource,
          now: this.deps.clock.now(),
          defaultDeclineReason: this.defaultReason(),
        });
        const base = this.app?.self ?? h.href;
        const links = actionLinksOf(resource, base);
        this.ringing.set(h.href, { invitation, rel: h.rel, links });
        this.hrefById.set(invitation.id, h.href);
        this.log.info('incoming invitation', {
          id: invitation.id,
          modality: invitation.modality,
          canDecline: !!links.decline,
        });
        this.safeSink(() => this.sink?.ringing(invitation));
        return;
      }
      case 'invitationUpdated': {
        const entry = this.ringing.get(h.href);
        if (!entry || !h.resource) return;
        // Keep the first sighting's links; only fill in what was missing.
        const fresh = actionLinksOf(h.resource, this.app?.self ?? h.href);
        for (const [rel, href] of Object.entries(fresh) as [keyof ActionLinks, string][]) entry.links[rel] ??= href;
        return;
      }
      case 'invitationCompleted': {
        this.rememberEnded(h.href);
        const entry = this.ringing.get(h.href);
        if (!entry) return;
        const outcome = outcomeOf(h.status, h.reason);
        this.forget(h.href, entry);
        this.log.info('invitation ended', {
          id: entry.invitation.id,
          outcome,
          status: h.status,
          code: h.reason?.code,
          subcode: h.reason?.subcode,
        });
        this.safeSink(() => this.sink?.ended(entry.invitation.id, outcome));
        return;
      }
      case 'resource':
        this.log.debug('event', { type: h.type, rel: h.rel, sender: h.senderRel });
        return;
    }
  }

  /** GET an invitation that was announced without `_embedded`. Null when it cannot be read. */
  private async fetchResource(href: string): Promise<Resource | null> {
    try {
      const res = await this.http.request('GET', href, { signal: this.abort.signal });
      if (res.status === 200 && res.json && typeof res.json === 'object' && !Array.isArray(res.json)) {
        return res.json as Resource;
      }
      this.log.warn('could not read an announced invitation', { status: res.status, href: describeHref(href) });
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      const e = err instanceof NetworkError || err instanceof UcwaError ? err.message : String(err);
      this.log.warn('could not read an announced invitation', { problem: e, href: describeHref(href) });
    }
    return null;
  }

  private defaultReason(): CallDeclineReason {
    const r = this.account.declineReason ?? this.deps.defaultDeclineReason?.() ?? 'Global';
    return (CALL_DECLINE_REASONS as readonly string[]).includes(r) ? r : 'Global';
  }

  private forget(href: string, entry: Ringing): void {
    this.ringing.delete(href);
    this.hrefById.delete(entry.invitation.id);
  }

  private rememberEnded(href: string): void {
    this.ended.add(href);
    if (this.ended.size > MAX_ENDED_REMEMBERED) {
      const oldest = this.ended.values().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  /** resume / a lost application / stopped: end what rings (and never ring it again). */
  private dropTransient(why: string): void {
    const entries = [...this.ringing.entries()];
    this.ringing.clear();
    this.hrefById.clear();
    for (const [href] of entries) this.rememberEnded(href);
    if (entries.length) this.log.info('dropping ringing invitations', { why, count: entries.length });
    for (const [, entry] of entries)
      this.safeSink(() => this.sink?.ended(entry.invitation.id, 'gone' satisfies Outcome));
  }

  private safeSink(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('the sink threw', { err });
    }
  }
}

/** The one error that stops an account: the password was refused (or there is none). */
function isRefusal(e: UcwaError): boolean {
  return e.code === 'InvalidCredentials' || e.code === 'NoPassword';
}

function asUcwaError(err: unknown): UcwaError {
  if (err instanceof UcwaError) return err;
  if (err instanceof NetworkError)
    return new UcwaError(
      null,
      err.timedOut ? 'Timeout' : 'NetworkError',
      null,
      'The server could not be reached.',
      true,
    );
  return new UcwaError(null, 'InternalError', null, `Unexpected error: ${(err as Error)?.message ?? String(err)}`);
}
