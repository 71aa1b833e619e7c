/**
 * Public types of the UCWA simulator (electron/simulator/ucwa.ts). Everything a test, the demo
 * mode or a benchmark passes in or gets back is declared here.
 */

/** The four incoming invitation kinds; each maps to `<kind>Invitation` as the event link rel. */
export type InvitationKind = 'messaging' | 'phoneAudio' | 'onlineMeeting' | 'audioVideo';
export const INVITATION_KINDS: readonly InvitationKind[] = ['messaging', 'phoneAudio', 'onlineMeeting', 'audioVideo'];

/** A user the simulator knows. Sign in with `username` + `password` (password grant). */
export interface SimUser {
  username: string;
  password: string;
  /** Display name of `me`. Default: the part before `@`. */
  name?: string;
  /** SIP URI of `me`, `sip:` prefix optional. Default: `sip:<username>`. */
  sipUri?: string;
  /** Serve this user's application resources with absolute hrefs (overrides the global option). */
  absoluteLinks?: boolean;
}

export interface UcwaSimOptions {
  /** Known users. Default: the demo user demo@softphone.test / demo. */
  users?: SimUser[];
  /** `expires_in` of issued tokens, seconds. Default 28800 (8 h). Tokens really expire. */
  tokenLifetimeSec?: number;
  /** Global default for application hrefs: absolute (`http://127.0.0.1:port/ucwa/...`) vs relative. Default false. */
  absoluteLinks?: boolean;
  /** Cap on how long a P-GET is held, ms, whatever its `timeout` query parameter says. Default: no cap. */
  maxHoldMs?: number;
  /** Number of autodiscover `redirect` hops before the real root resource. Default 0. */
  rootRedirects?: number;
  /**
   * The user resource answers (once authenticated) with a `redirect` to a second pool living
   * under the `/pool2` path prefix of the same server. `'root'` (= true) points the redirect at
   * pool2's autodiscover root, `'user'` straight at pool2's user resource. Tokens are per pool,
   * so the client must authenticate again there (401 challenge names `/pool2/WebTicket/...`).
   */
  userRedirect?: boolean | 'root' | 'user';
  /** Seed for the deterministic opaque ids (application, invitation, conversation ids, tokens). */
  seed?: string;
  /** Keep at most this many entries in each recording (declines, P-GETs, …); oldest dropped. Default 10000. */
  maxRecords?: number;
  /** Clock, ms since epoch. Default Date.now. Used for token expiry and recorded times. */
  now?: () => number;
}

/**
 * Options of `ring()`. Without `fromName`, caller, subject and message come from a fixed,
 * rotating list of realistic samples (what demo mode shows); with `fromName`, subject defaults
 * to '' and the IM text to 'Hi there\r\n' (→ `data:text/plain;charset=utf-8,Hi+there%0d%0a`).
 */
export interface RingOptions {
  /** Caller display name. */
  fromName?: string;
  /** Caller SIP URI (`sip:` optional). Default: derived from fromName (`first.last@contoso.com`). */
  fromUri?: string;
  subject?: string;
  /** Normal | Urgent | Emergency. Default Normal. */
  importance?: 'Normal' | 'Urgent' | 'Emergency';
  /** First IM text, delivered as the `message` data-URI link (messaging and onlineMeeting only by default). */
  message?: string;
  /** Encode the message data URI as base64 instead of URL-encoding. Default false. */
  base64Message?: boolean;
  /** false → the `started` event carries no `_embedded` (client must GET the href). Default true. */
  embed?: boolean;
  /** Misbehaviour: put the invitation's `updated` event before its `started` in one batch. */
  updatedBeforeStarted?: boolean;
  /** Ring only this username's applications. Default: the first configured user. */
  user?: string;
  /** Ring only this application (id from `applications()`). Default: every available application of the user. */
  appId?: string;
}

/** One leg of a ringing invitation: the copy delivered to one application (endpoint). */
export interface RingLeg {
  appId: string;
  /** Invitation href as served to the client (relative or absolute per the app's link style). */
  href: string;
  declineHref: string;
  /** accept / acceptWithPhoneAudio href where the kind offers one (never for phoneAudio). */
  acceptHref?: string;
  conversationHref: string;
  state: 'ringing' | 'completed';
}

/** Handle returned by `ring()`: a logical incoming call forked to every available endpoint. */
export interface RingHandle {
  /** Opaque id of the logical call. */
  id: string;
  kind: InvitationKind;
  /** `<kind>Invitation`. */
  rel: string;
  fromName: string;
  fromUri: string;
  /** href / declineHref of the first leg (the common single-endpoint case). */
  href: string;
  declineHref: string;
  legs: RingLeg[];
}

/** How an invitation ended, for `complete()`. */
export interface CompleteOptions {
  /** Default 'Failure'. */
  status?: 'Success' | 'Failure';
  /** reason.subcode, e.g. ConnectedElsewhere, Missed, Timeout, Canceled, Declined. Default 'Missed'. */
  subcode?: string;
  /** reason.code. Default RemoteFailure for Failure, Informational for Success. */
  code?: string;
  message?: string;
}

/** A UCWA error answer. Body `{code, subcode?, message}`. */
export interface SimFailure {
  status: number;
  code: string;
  subcode?: string;
  message?: string;
}

/** Routes `failNext()` can target. */
export type SimRoute =
  | 'root'
  | 'user'
  | 'token'
  | 'applications'
  | 'application'
  | 'events'
  | 'makeMeAvailable'
  | 'reportMyActivity'
  | 'invitation'
  | 'decline'
  | 'accept'
  | 'presence'
  | 'startMessaging'
  | 'stopMessaging'
  | 'forwarding'
  | 'any';

/** How `dropNextPget()` loses the P-GET. */
export type DropMode =
  /** Never answer it (the socket stays open until the simulator closes). Nothing is consumed. */
  | 'hang'
  /** Destroy the socket before processing. Nothing is consumed. */
  | 'reset'
  /** Process it (the batch becomes "sent, unacknowledged"), then destroy the socket: the
   *  client must retry the same URL and will get the same batch again. */
  | 'lostResponse';

export interface DeclineRecord {
  at: number;
  appId: string;
  /** Path + query as received. */
  url: string;
  /** Parsed reason, undefined when the body had none. */
  reason?: string;
  /** Content-Type header as received. */
  contentType: string;
  /** 'json' | 'xml' | 'none' (empty body) | 'other'. */
  format: 'json' | 'xml' | 'none' | 'other';
  /** HTTP status the simulator answered (0: the connection was reset without an answer). */
  status: number;
  /** Logical call id (RingHandle.id) when the href matched an invitation. */
  callId?: string;
}

export interface ApplicationRecord {
  at: number;
  appId: string;
  username: string;
  endpointId: string;
  userAgent: string;
  culture: string;
  /** 201 created, 200 existing returned. */
  status: 201 | 200;
  /** Self href as served. */
  href: string;
}

export interface DeletedApplicationRecord {
  at: number;
  appId: string;
  /** 'client' = DELETE received; 'removed' = removeApplication(); 'expired' = expireApplication(). */
  by: 'client' | 'removed' | 'expired';
}

export interface ActivityRecord {
  at: number;
  appId: string;
}

export interface PgetRecord {
  at: number;
  appId: string;
  /** Path + query as received. */
  url: string;
  /** How it was answered: 'events' | 'empty' | 'resend' | 'resync' | 'resume' | 'error' | 'dropped' | 'replaced' | 'malformed' | 'closed'. */
  outcome?: string;
}

/** Snapshot of one live application, for tests and the demo UI. */
export interface SimApplicationInfo {
  appId: string;
  username: string;
  endpointId: string;
  href: string;
  available: boolean;
  /** A P-GET is currently parked on the event channel. */
  listening: boolean;
  absoluteLinks: boolean;
}

export interface DemoOptions {
  /** Delay before the first invitation, ms. Default 3000. */
  firstAfterMs?: number;
  /** Period between invitations, ms. Default 20000. 0 = ring once only. */
  everyMs?: number;
  /** Kinds to cycle through. Default all four. */
  kinds?: InvitationKind[];
  /** Ring out (complete Missed) after this long if nobody declines, ms. Default 30000. 0 = never. */
  ringForMs?: number;
}
