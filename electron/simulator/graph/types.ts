/**
 * The Graph simulator's public types: options, records of what it sent and received, and the
 * failures it can be told to produce.
 */
import type { NotificationShape, SimCaller } from './shapes.js';

export type ForgeKind =
  | 'badSignature'
  | 'wrongAudience'
  | 'wrongIssuer'
  | 'expired'
  | 'noToken'
  | 'noTid'
  | 'unknownKey'
  /** Correctly signed, but for another tenant (token `tid` and `resourceData.tenantId`). */
  | 'otherTenant';
export const FORGE_KINDS: readonly ForgeKind[] = [
  'badSignature',
  'wrongAudience',
  'wrongIssuer',
  'expired',
  'noToken',
  'noTid',
  'unknownKey',
  'otherTenant',
];

/** The tenant of 'otherTenant' forgeries. */
export const OTHER_TENANT_ID = '9d1c3a77-0b5e-4f7e-8a2d-6c4b1e9f0a53';

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
  /** The caller's tenant: the token's `tid` and `resourceData.tenantId` (default the simulator's). */
  tenantId?: string;
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
  /** The status answered (0: held without an answer, see RejectFailure 'hang'). */
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
  /** 'hang': the request is held without an answer until the simulator closes. */
  status: 404 | 429 | 500 | 502 | 503 | 504 | 'hang';
  /** Retry-After header value (e.g. "2.128"). */
  retryAfter?: string;
  /** How many rejects it answers (default 1). */
  times?: number;
}

export type TokenFailure = (
  | { status: number; error: string; description: string; retryAfter?: string }
  /** Drops the connection without an answer (a network failure). */
  | { status: 'drop' }
) & {
  /** How many token requests it answers (default 1); ignored when `until` is set. */
  times?: number;
  /** Every token request fails until this time (the simulator's `now()`): an outage. */
  until?: number;
};
