/**
 * UCWA 2.0 half of the embedded simulator: autodiscovery, MsRtcOAuth password grant, the
 * application resource, makeMeAvailable / reportMyActivity, the P-GET event channel with
 * ack/next/resync/resume, incoming invitations, decline/accept — and misbehaviour on command.
 *
 * Attach it to a SimServer: `const ucwa = new UcwaSimulator(server, opts)`.
 * Entry point for clients: `ucwa.discoveryUrl` (GET it, follow the links).
 *
 * URL layout (clients must NOT rely on it; follow links):
 *   /autodiscover/autodiscoverservice.svc/root              root (or redirect hops /hopN/...)
 *   /autodiscover/autodiscoverservice.svc/root/oauth/user   user (401 challenge without token)
 *   /WebTicket/oauthtoken                                   token endpoint
 *   /ucwa/oauth/v1/applications[/<id>/...]                  UCWA (pool2: everything under /pool2)
 *
 * Ack tokens in event URLs are opaque, non-consecutive numbers: a client that computes
 * `ack=N+1` itself gets `resync`. Everything is deterministic for a given `seed`: ids, tokens,
 * ack numbers and event order; nothing is delayed unless a command asks for it.
 */
import type { SimServer } from './server.js';
import { CallBook } from './ucwa/calls.js';
import { DemoRinger } from './ucwa/demo.js';
import { UcwaEngine, nonNegative, positive } from './ucwa/engine.js';
import { FAIL } from './ucwa/http.js';
import type {
  ForwardingRecord,
  PresenceRecord,
  ReplyAnswer,
  ReplyRecord,
  SimForwarding,
  StopMessagingRecord,
} from './ucwa/features.js';
import { ROOT_PATH, TOKEN_PATH } from './ucwa/auth.js';
import {
  INVITATION_KINDS,
  type ApplicationRecord,
  type ActivityRecord,
  type CompleteOptions,
  type DeclineRecord,
  type DeletedApplicationRecord,
  type DemoOptions,
  type DropMode,
  type InvitationKind,
  type PgetRecord,
  type RingHandle,
  type RingOptions,
  type SimApplicationInfo,
  type SimFailure,
  type SimRoute,
  type SimUser,
  type UcwaSimOptions,
} from './ucwa/types.js';

export * from './ucwa/types.js';
export type {
  ForwardingRecord,
  PresenceRecord,
  ReplyAnswer,
  ReplyRecord,
  SimForwarding,
  StopMessagingRecord,
} from './ucwa/features.js';

/** 410 Gone subcodes a UCWA pool answers when an application is lost [PROTOCOL.md §7.4]. */
export const GONE_410_SUBCODES = [
  'InactiveApplicationExpired',
  'TooManyApplications',
  'UserAgentNotAllowed',
  'CannotRedirect',
] as const;
export type Gone410Subcode = (typeof GONE_410_SUBCODES)[number];

/** The default simulator user: the account demo mode signs in with (see index.ts demoUcwaAccount). */
export const DEMO_USER: Readonly<Required<Pick<SimUser, 'username' | 'password' | 'name' | 'sipUri'>>> = {
  username: 'demo@softphone.test',
  password: 'demo',
  name: 'Demo User',
  sipUri: 'sip:demo@softphone.test',
};

export class UcwaSimulator {
  /** Absolute URL of the autodiscover root: the only URL a client needs. */
  readonly discoveryUrl: string;
  /** Absolute URL of the (main pool) token endpoint. */
  readonly tokenUrl: string;

  private readonly e: UcwaEngine;
  private demo: DemoRinger | null = null;

  /** Registers the UCWA routes on `server` (via `server.use`). */
  constructor(
    readonly server: SimServer,
    opts: UcwaSimOptions = {},
  ) {
    this.discoveryUrl = `${server.origin}${ROOT_PATH}`;
    this.tokenUrl = `${server.origin}${TOKEN_PATH}`;
    this.e = new UcwaEngine(server, opts);
    this.configure(opts);
    for (const u of opts.users ?? [DEMO_USER]) this.addUser(u);
    server.use((ctx) => this.e.handle(ctx));
  }

  // ───────────────────────── configuration ─────────────────────────

  /** Add (or replace, by username) a user. */
  addUser(user: SimUser): void {
    this.e.addUser(user);
  }

  /** The directory changed a user's password (their live applications stay; new grants need the new one). */
  changePassword(username: string, password: string): void {
    const user = this.e.auth.users.get(username.toLowerCase());
    if (!user) throw new Error(`UcwaSimulator.changePassword: unknown user ${JSON.stringify(username)}`);
    if (!password) throw new Error('UcwaSimulator.changePassword: password must not be empty');
    user.password = password;
  }

  /** Change options at run time (maxHoldMs, absoluteLinks, tokenLifetimeSec, rootRedirects, userRedirect). */
  configure(opts: Partial<Omit<UcwaSimOptions, 'users' | 'seed' | 'now' | 'maxRecords'>>): void {
    const o = this.e.opts;
    if (opts.absoluteLinks !== undefined) o.absoluteLinks = opts.absoluteLinks;
    if (opts.tokenLifetimeSec !== undefined) o.tokenLifetimeSec = positive('tokenLifetimeSec', opts.tokenLifetimeSec);
    if (opts.rootRedirects !== undefined)
      o.rootRedirects = Math.floor(nonNegative('rootRedirects', opts.rootRedirects));
    if ('maxHoldMs' in opts)
      o.maxHoldMs = opts.maxHoldMs === undefined ? undefined : nonNegative('maxHoldMs', opts.maxHoldMs);
    if (opts.userRedirect !== undefined) o.userRedirect = opts.userRedirect === true ? 'root' : opts.userRedirect;
  }

  /** Switch one live application (or, without appId, every live one and future ones) to absolute/relative hrefs. */
  setAbsoluteLinks(value: boolean, appId?: string): void {
    if (appId === undefined) {
      this.e.opts.absoluteLinks = value;
      for (const app of this.e.apps.values()) app.absolute = value;
    } else this.e.app(appId, 'setAbsoluteLinks').absolute = value;
  }

  // ───────────────────────── state / waiting ─────────────────────────

  /** Live applications. */
  applications(): SimApplicationInfo[] {
    return [...this.e.apps.values()].map((a) => ({
      appId: a.id,
      username: a.user.username,
      endpointId: a.endpointId,
      href: this.e.linkFor(a)(a.base),
      available: a.available,
      listening: a.channel.listening,
      absoluteLinks: a.absolute,
    }));
  }

  /**
   * Resolves once an application (of `username`, or `appId`, or any) has called makeMeAvailable
   * and has a P-GET parked — i.e. it is ready to be rung. Rejects after timeoutMs.
   */
  waitUntilListening(
    filter: { username?: string; appId?: string } = {},
    timeoutMs = 5_000,
  ): Promise<SimApplicationInfo> {
    return this.waitFor(
      () =>
        this.applications().find(
          (a) =>
            a.available &&
            a.listening &&
            (!filter.appId || a.appId === filter.appId) &&
            (!filter.username || a.username.toLowerCase() === filter.username.toLowerCase()),
        ),
      timeoutMs,
    );
  }

  /** Resolves with the first decline (already received or future) matching `pred`. */
  waitForDecline(pred: (d: DeclineRecord) => boolean = () => true, timeoutMs = 5_000): Promise<DeclineRecord> {
    return this.waitFor(() => this.e.log.declines.find(pred), timeoutMs);
  }

  /**
   * Resolves with the first truthy value of `probe`, re-evaluated after every request the
   * simulator handles and every event-channel state change. Rejects after timeoutMs.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
    const now = probe();
    if (now) return Promise.resolve(now);
    if (this.e.closed) return Promise.reject(new Error('UcwaSimulator.waitFor: simulator is closed'));
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        check: (): boolean => {
          const v = probe();
          if (!v) return false;
          clearTimeout(timer);
          this.e.waiters.delete(waiter);
          resolve(v);
          return true;
        },
        fail: (e: Error): void => {
          clearTimeout(timer);
          this.e.waiters.delete(waiter);
          reject(e);
        },
      };
      const timer = setTimeout(
        () => waiter.fail(new Error(`UcwaSimulator.waitFor: condition not met within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.e.waiters.add(waiter);
    });
  }

  // ───────────────────────── invitations ─────────────────────────

  /**
   * Incoming invitation. Queues, on every available application of the user (or `opts.appId`):
   * `started` (sender communication, link.rel `<kind>Invitation`, `_embedded` unless embed:false)
   * + conversation `added` (+ localParticipant `added`, sender conversation) in one batch; the
   * invitation's `updated` (without action links) follows in the next batch.
   * Throws when no application of the user has made itself available.
   */
  ring(kind: InvitationKind, opts: RingOptions = {}): RingHandle {
    if (!INVITATION_KINDS.includes(kind))
      throw new Error(`UcwaSimulator.ring: unknown kind ${JSON.stringify(kind)} (use ${INVITATION_KINDS.join(', ')})`);
    return this.e.calls.ring(this.e.ringTargets(opts), kind, opts);
  }

  /** N invitations (cycling kinds) delivered in one P-GET response. */
  burst(n: number, kinds: InvitationKind[] = [...INVITATION_KINDS], opts: RingOptions = {}): RingHandle[] {
    if (!Number.isInteger(n) || n < 1) throw new Error(`UcwaSimulator.burst: n must be a positive integer, got ${n}`);
    if (kinds.length === 0) throw new Error('UcwaSimulator.burst: kinds must not be empty');
    return Array.from({ length: n }, (_, i) => this.ring(kinds[i % kinds.length]!, opts));
  }

  /** Caller hung up: `completed` status Failure, reason subcode Canceled, + conversation `deleted`. */
  cancel(handle: RingHandle | string): void {
    this.e.calls.endCall(this.e.ringingCall(handle, 'cancel'), CallBook.cancelOutcome());
  }

  /** End a ringing invitation any other way (ConnectedElsewhere, Missed, Timeout, …). */
  complete(handle: RingHandle | string, opts: CompleteOptions = {}): void {
    this.e.calls.endCall(this.e.ringingCall(handle, 'complete'), CallBook.completeOutcome(opts));
  }

  /** Misbehaviour: queue a `completed` event for an invitation href the client never saw. Returns that href. */
  completeUnknown(kind: InvitationKind = 'messaging', appId?: string): string {
    const app = appId ? this.e.app(appId, 'completeUnknown') : [...this.e.apps.values()][0];
    if (!app) throw new Error('UcwaSimulator.completeUnknown: there is no live application');
    return this.e.calls.completeUnknown(app, kind);
  }

  /**
   * Delivers a `sender` array verbatim on an application's event channel (for replaying a
   * captured trace, such as Microsoft's ReceiveAnIM.md): only the envelope (`_links`: self,
   * next) is the simulator's. The events are not tied to simulator calls, so a decline of what
   * they announce is answered 404.
   */
  deliverRaw(senders: { rel: string; href: string; events: Record<string, unknown>[] }[], appId?: string): void {
    const app = appId ? this.e.app(appId, 'deliverRaw') : [...this.e.apps.values()][0];
    if (!app) throw new Error('UcwaSimulator.deliverRaw: there is no live application');
    app.channel.enqueue(
      senders.flatMap((s) => s.events.map((event) => ({ sender: { rel: s.rel, href: s.href }, event }))),
    );
  }

  /** State of a logical call: 'ringing' while any leg rings. */
  callState(handle: RingHandle | string): 'ringing' | 'completed' {
    return this.e.calls.find(typeof handle === 'string' ? handle : handle.id) ? 'ringing' : 'completed';
  }

  // ───────────────────────── misbehaviour (one-shot unless said) ─────────────────────────

  /** Answer the next request to `route` with `failure` (UCWA error body). `count` times (default 1). */
  failNext(route: SimRoute, failure: SimFailure, count = 1): void {
    if (!Number.isInteger(failure.status) || failure.status < 400 || failure.status > 599)
      throw new Error(`UcwaSimulator.failNext: status must be 400..599, got ${failure.status}`);
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`UcwaSimulator.failNext: count must be a positive integer, got ${count}`);
    this.e.failures.push({ route, failure, left: count });
  }

  /** Next P-GET: 500 ServiceFailure (or 502/503/504 with matching codes). */
  failNextPget(status: 500 | 502 | 503 | 504 = 500): void {
    this.failNext('events', FAIL.server(status));
  }

  /** Next P-GET: 409 Conflict / PGetReplaced (as if another instance took over). */
  replaceNextPget(): void {
    this.failNext('events', FAIL.pgetReplaced());
  }

  /** Next P-GET is lost (see DropMode). Default 'hang'. */
  dropNextPget(mode: DropMode = 'hang'): void {
    if (!['hang', 'reset', 'lostResponse'].includes(mode))
      throw new Error(`UcwaSimulator.dropNextPget: unknown mode ${JSON.stringify(mode)}`);
    this.e.pgetActions.push({ type: 'drop', mode });
  }

  /** Next P-GET is processed `ms` later than it arrived (its answer comes at least that late). */
  delayNextPget(ms: number): void {
    this.e.pgetActions.push({ type: 'delay', ms: nonNegative('delayNextPget ms', ms) });
  }

  /** Next P-GET response carries only a `resync` link (to the first unacknowledged batch). */
  resyncNextPget(): void {
    this.e.pgetActions.push({ type: 'resync' });
  }

  /**
   * Next P-GET response carries `resume` instead of `next`; the server "cleaned up": queued
   * events are gone and every ringing invitation of that application is dropped without
   * events (decline → 404).
   */
  resumeNextPget(): void {
    this.e.pgetActions.push({ type: 'resume' });
  }

  /** Every event of the next non-empty batch appears twice. */
  duplicateNextBatch(): void {
    this.e.duplicates += 1;
  }

  /** Next P-GET response is this raw body (not valid JSON) with a JSON content type. Consumes nothing. */
  malformNextPget(raw = '{"_links":{"self":{"href":'): void {
    this.e.pgetActions.push({ type: 'malformed', raw });
  }

  /**
   * The application is really gone (as after a server restart): held P-GET answered
   * 404 NotFound / ApplicationNotFound, and so is every later request to its hrefs.
   * Re-creating (POST applications) gives a new application id and new links.
   * Without appId: every live application.
   */
  removeApplication(appId?: string): void {
    for (const app of this.e.targets(appId, 'removeApplication'))
      this.e.killApplication(app, FAIL.applicationNotFound(), 'removed');
  }

  /**
   * Like removeApplication but answers 410 Gone with `subcode` (default InactiveApplicationExpired,
   * what a pool says after a long sleep; also TooManyApplications, UserAgentNotAllowed, CannotRedirect).
   */
  expireApplication(appId?: string, subcode: Gone410Subcode = 'InactiveApplicationExpired'): void {
    if (!GONE_410_SUBCODES.includes(subcode))
      throw new Error(
        `UcwaSimulator.expireApplication: unknown subcode ${JSON.stringify(subcode)} (use ${GONE_410_SUBCODES.join(', ')})`,
      );
    const failure: SimFailure =
      subcode === 'InactiveApplicationExpired'
        ? FAIL.inactiveExpired()
        : { status: 410, code: 'Gone', subcode, message: `The application is gone (${subcode}).` };
    for (const app of this.e.targets(appId, 'expireApplication')) this.e.killApplication(app, failure, 'expired');
  }

  /**
   * Misbehaviour: the held P-GET of every application (or `appId`) becomes a dead connection:
   * never answered, never closed, as after the client's machine slept. Events queue until the
   * client asks again. Returns how many were abandoned.
   */
  abandonHeldPget(appId?: string): number {
    let n = 0;
    for (const app of this.e.targets(appId, 'abandonHeldPget')) {
      const res = app.channel.abandon();
      if (res) {
        this.e.hang(res);
        n++;
      }
    }
    this.e.changed();
    return n;
  }

  /**
   * Misbehaviour: the next `count` requests that carry a valid token are answered 401 (with the
   * challenge) and that token is revoked. count 2 makes the request right after the client's
   * fresh grant fail too (a token revoked twice, a pool failover).
   */
  revokeTokens(count = 1): void {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`UcwaSimulator.revokeTokens: count must be a positive integer, got ${count}`);
    this.e.auth.revokeNext += count;
  }

  /**
   * The invitation ended on the server without any event reaching the client (as when its
   * completion was skipped by a resync): a GET of its href answers 404 from now on.
   */
  forgetInvitation(handle: RingHandle | string): void {
    const call = this.e.ringingCall(handle, 'forgetInvitation');
    for (const leg of [...call.legs]) this.e.calls.dropLeg(leg);
  }

  /** Next decline fails: 409 Conflict/AlreadyExists, 410 Gone/CannotRedirect or 500 ServiceFailure/CallbackChannelError. The invitation keeps ringing. */
  failNextDecline(status: 409 | 410 | 500 = 500): void {
    const byStatus: Record<number, SimFailure> = {
      409: { status: 409, code: 'Conflict', subcode: 'AlreadyExists', message: 'The already exists error.' },
      410: {
        status: 410,
        code: 'Gone',
        subcode: 'CannotRedirect',
        message: 'Cannot redirect since there is no back up pool configured.',
      },
      500: {
        status: 500,
        code: 'ServiceFailure',
        subcode: 'CallbackChannelError',
        message: 'The remote event channel is not reachable.',
      },
    };
    const failure = byStatus[status];
    if (!failure) throw new Error(`UcwaSimulator.failNextDecline: status must be 409, 410 or 500, got ${status}`);
    this.failNext('decline', failure);
  }

  /** Next decline POST: the connection is reset without an answer (the invitation keeps ringing; recorded with status 0). */
  resetNextDecline(): void {
    this.e.declineResets += 1;
  }

  /** Invalidate every issued token: the next authenticated request gets 401 + challenge. */
  expireTokens(): void {
    this.e.auth.expireAll();
  }

  // ───────────────────────── recording ─────────────────────────

  /** Every decline POST received, in order. */
  declines(): DeclineRecord[] {
    return [...this.e.log.declines];
  }

  /** Every POST applications answered 201/200, in order. */
  applicationsCreated(): ApplicationRecord[] {
    return [...this.e.log.created];
  }

  /** Applications that went away (client DELETE, removeApplication, expireApplication). */
  applicationsDeleted(): DeletedApplicationRecord[] {
    return [...this.e.log.deleted];
  }

  /** Time of each reportMyActivity answered 204. */
  activityReports(): ActivityRecord[] {
    return [...this.e.log.activity];
  }

  /** Every P-GET received (URL as received) with how it was answered. */
  pgets(): PgetRecord[] {
    return [...this.e.log.pgets];
  }

  /** Convenience: URLs of every P-GET received. */
  pgetUrls(): string[] {
    return this.e.log.pgets.map((p) => p.url);
  }

  // ───────────────────────── presence, replies, call forwarding (issue 9) ─────────────────────────

  /** The user's availability as the server holds it (default user without `username`). */
  availabilityOf(username?: string): string {
    return this.e.features.availabilityOf(this.usernameOf(username, 'availabilityOf'));
  }

  /** Every POST to a presence link (availability null = a reset), in order. */
  presencePosts(): PresenceRecord[] {
    return [...this.e.features.presenceLog];
  }

  /** Every startMessaging POST (the reply's decoded text in `text`), in order. */
  replies(): ReplyRecord[] {
    return [...this.e.features.replyLog];
  }

  /** Every stopMessaging POST, in order. */
  stopMessagings(): StopMessagingRecord[] {
    return [...this.e.features.stopLog];
  }

  /**
   * How the caller answers later replies (outgoing IM invitations): `accept` (messaging
   * Connected, completed Success — the client should stopMessaging), `decline` (completed
   * Failure/Declined), `timeout` (completed Failure/Timeout after `timeoutMs`, default 30 s),
   * `none` (no further events).
   */
  answerReplies(answer: ReplyAnswer, timeoutMs?: number): void {
    if (!['accept', 'decline', 'timeout', 'none'].includes(answer))
      throw new Error(`UcwaSimulator.answerReplies: unknown answer ${JSON.stringify(answer)}`);
    this.e.features.replyAnswer = answer;
    if (timeoutMs !== undefined) this.e.features.replyTimeoutMs = nonNegative('answerReplies timeoutMs', timeoutMs);
  }

  /** The user's call forwarding as the server holds it. */
  forwardingOf(username?: string): SimForwarding {
    return { ...this.e.features.forwardingOf(this.usernameOf(username, 'forwardingOf')) };
  }

  /** Every POST to a call-forwarding action link, in order. */
  forwardingPosts(): ForwardingRecord[] {
    return [...this.e.features.forwardingLog];
  }

  /** Call forwarding changed on another device: the state changes and `updated` events go out. */
  changeForwardingElsewhere(state: SimForwarding, username?: string): void {
    this.e.features.changeForwarding(this.usernameOf(username, 'changeForwardingElsewhere'), state);
    this.e.changed();
  }

  private usernameOf(username: string | undefined, what: string): string {
    const u = username ?? this.e.defaultUser()?.username;
    if (!u) throw new Error(`UcwaSimulator.${what}: there is no user`);
    return u;
  }

  // ───────────────────────── demo ─────────────────────────

  /**
   * Ring a realistic sample invitation (kinds in turn, varied callers) after `firstAfterMs`,
   * then every `everyMs`; a tick is skipped while no application of the default user has a
   * P-GET parked (so a sleeping client does not pile up invitations). Unanswered ones ring
   * out after `ringForMs` (completed Failure/Missed).
   */
  startDemo(opts: DemoOptions = {}): void {
    this.stopDemo();
    this.demo = new DemoRinger(
      {
        canRing: () =>
          [...this.e.apps.values()].some((a) => a.available && a.channel.listening && a.user === this.e.defaultUser()),
        ring: (kind) => this.ring(kind),
        isRinging: (h) => this.callState(h) === 'ringing',
        ringOut: (h) => this.complete(h, { subcode: 'Missed', message: 'The caller gave up.' }),
      },
      {
        firstAfterMs: nonNegative('firstAfterMs', opts.firstAfterMs ?? 3_000),
        everyMs: nonNegative('everyMs', opts.everyMs ?? 20_000),
        kinds: opts.kinds?.length ? opts.kinds : [...INVITATION_KINDS],
        ringForMs: nonNegative('ringForMs', opts.ringForMs ?? 30_000),
      },
    );
    this.demo.start();
  }

  stopDemo(): void {
    this.demo?.stop();
    this.demo = null;
  }

  // ───────────────────────── lifecycle ─────────────────────────

  /** Stop timers and release every held P-GET (empty batch). Call before server.close(). Idempotent. */
  close(): void {
    this.stopDemo();
    this.e.close();
  }
}
