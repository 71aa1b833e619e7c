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
 * `ack=N+1` itself gets `resync`.
 */
import type { SimServer } from './server.js';
import type {
  ActivityRecord,
  ApplicationRecord,
  CompleteOptions,
  DeclineRecord,
  DeletedApplicationRecord,
  DemoOptions,
  DropMode,
  InvitationKind,
  PgetRecord,
  RingHandle,
  RingOptions,
  SimApplicationInfo,
  SimFailure,
  SimRoute,
  SimUser,
  UcwaSimOptions,
} from './ucwa/types.js';

export * from './ucwa/types.js';

const TODO = (): never => {
  throw new Error('UcwaSimulator: not implemented yet');
};

export class UcwaSimulator {
  /** Absolute URL of the autodiscover root: the only URL a client needs. */
  readonly discoveryUrl: string;
  /** Absolute URL of the (main pool) token endpoint. */
  readonly tokenUrl: string;

  /** Registers the UCWA routes on `server` (via `server.use`). */
  constructor(
    readonly server: SimServer,
    opts: UcwaSimOptions = {},
  ) {
    void opts;
    this.discoveryUrl = `${server.origin}/autodiscover/autodiscoverservice.svc/root`;
    this.tokenUrl = `${server.origin}/WebTicket/oauthtoken`;
  }

  // ───────────────────────── configuration ─────────────────────────

  /** Add (or replace, by username) a user. */
  addUser(user: SimUser): void {
    void user;
    TODO();
  }

  /** Change options at run time (maxHoldMs, absoluteLinks, tokenLifetimeSec, rootRedirects, userRedirect). */
  configure(opts: Partial<Omit<UcwaSimOptions, 'users' | 'seed' | 'now'>>): void {
    void opts;
    TODO();
  }

  /** Switch one live application (or, without appId, every live one and future ones) to absolute/relative hrefs. */
  setAbsoluteLinks(value: boolean, appId?: string): void {
    void value;
    void appId;
    TODO();
  }

  // ───────────────────────── state / waiting ─────────────────────────

  /** Live applications. */
  applications(): SimApplicationInfo[] {
    return TODO();
  }

  /**
   * Resolves once an application (of `username`, or `appId`, or any) has called makeMeAvailable
   * and has a P-GET parked — i.e. it is ready to be rung. Rejects after timeoutMs.
   */
  waitUntilListening(filter: { username?: string; appId?: string } = {}, timeoutMs = 5_000): Promise<SimApplicationInfo> {
    void filter;
    void timeoutMs;
    return TODO();
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
    void kind;
    void opts;
    return TODO();
  }

  /** N invitations (cycling kinds) delivered in one P-GET response. */
  burst(n: number, kinds: InvitationKind[] = ['messaging', 'phoneAudio', 'onlineMeeting', 'audioVideo'], opts: RingOptions = {}): RingHandle[] {
    void n;
    void kinds;
    void opts;
    return TODO();
  }

  /** Caller hung up: `completed` status Failure, reason subcode Canceled, + conversation `deleted`. */
  cancel(handle: RingHandle | string): void {
    void handle;
    TODO();
  }

  /** End a ringing invitation any other way (ConnectedElsewhere, Missed, Timeout, …). */
  complete(handle: RingHandle | string, opts: CompleteOptions = {}): void {
    void handle;
    void opts;
    TODO();
  }

  /** Misbehaviour: queue a `completed` event for an invitation href the client never saw. */
  completeUnknown(kind: InvitationKind = 'messaging', appId?: string): string {
    void kind;
    void appId;
    return TODO();
  }

  /** State of a logical call: 'ringing' while any leg rings. */
  callState(handle: RingHandle | string): 'ringing' | 'completed' {
    void handle;
    return TODO();
  }

  // ───────────────────────── misbehaviour (one-shot unless said) ─────────────────────────

  /** Answer the next request to `route` with `failure` (UCWA error body). `count` times (default 1). */
  failNext(route: SimRoute, failure: SimFailure, count = 1): void {
    void route;
    void failure;
    void count;
    TODO();
  }

  /** Next P-GET: 500 ServiceFailure (or 502/503/504 with matching codes). */
  failNextPget(status: 500 | 502 | 503 | 504 = 500): void {
    void status;
    TODO();
  }

  /** Next P-GET: 409 Conflict / PGetReplaced (as if another instance took over). */
  replaceNextPget(): void {
    TODO();
  }

  /** Next P-GET is lost (see DropMode). Default 'hang'. */
  dropNextPget(mode: DropMode = 'hang'): void {
    void mode;
    TODO();
  }

  /** Next P-GET response is written `ms` later than it would have been. */
  delayNextPget(ms: number): void {
    void ms;
    TODO();
  }

  /** Next P-GET response carries only a `resync` link (to the first unacknowledged batch). */
  resyncNextPget(): void {
    TODO();
  }

  /**
   * Next P-GET response carries `resume` instead of `next`; the server "cleaned up": every
   * ringing invitation of that application is dropped without events (decline → 404).
   */
  resumeNextPget(): void {
    TODO();
  }

  /** Every event of the next non-empty batch appears twice. */
  duplicateNextBatch(): void {
    TODO();
  }

  /** Next P-GET response is this raw body (not valid JSON) with a JSON content type. Consumes nothing. */
  malformNextPget(raw = '{"_links":{"self":{"href":'): void {
    void raw;
    TODO();
  }

  /**
   * The application is really gone (as after a server restart): held P-GET answered
   * 404 NotFound / ApplicationNotFound, and so is every later request to its hrefs.
   * Re-creating (POST applications) gives a new application id and new links.
   * Without appId: every live application.
   */
  removeApplication(appId?: string): void {
    void appId;
    TODO();
  }

  /** Like removeApplication but answers 410 Gone / InactiveApplicationExpired. */
  expireApplication(appId?: string): void {
    void appId;
    TODO();
  }

  /** Next decline fails: 409 Conflict/AlreadyExists, 410 Gone/CannotRedirect or 500 ServiceFailure/CallbackChannelError. The invitation keeps ringing. */
  failNextDecline(status: 409 | 410 | 500 = 500): void {
    void status;
    TODO();
  }

  /** Invalidate every issued token: the next authenticated request gets 401 + challenge. */
  expireTokens(): void {
    TODO();
  }

  // ───────────────────────── recording ─────────────────────────

  /** Every decline POST received, in order. */
  declines(): DeclineRecord[] {
    return TODO();
  }

  /** Every POST applications answered 201/200, in order. */
  applicationsCreated(): ApplicationRecord[] {
    return TODO();
  }

  /** Applications that went away (client DELETE, removeApplication, expireApplication). */
  applicationsDeleted(): DeletedApplicationRecord[] {
    return TODO();
  }

  /** Time of each reportMyActivity answered 204. */
  activityReports(): ActivityRecord[] {
    return TODO();
  }

  /** Every P-GET received (URL as received) with how it was answered. */
  pgets(): PgetRecord[] {
    return TODO();
  }

  /** Convenience: URLs of every P-GET received. */
  pgetUrls(): string[] {
    return TODO();
  }

  // ───────────────────────── demo ─────────────────────────

  /** Ring a realistic sample invitation after `firstAfterMs`, then every `everyMs`; skips while nobody listens. */
  startDemo(opts: DemoOptions = {}): void {
    void opts;
    TODO();
  }

  stopDemo(): void {
    TODO();
  }

  // ───────────────────────── lifecycle ─────────────────────────

  /** Stop timers and release every held P-GET (empty batch). Call before server.close(). */
  close(): void {
    TODO();
  }
}
