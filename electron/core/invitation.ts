/**
 * The provider-neutral invitation record and its lifecycle.
 *
 * Every provider (UCWA, Graph) turns its own wire format into an `Invitation`; everything
 * above the providers (engine, headless, IPC, renderer) speaks only this shape.
 */

export type ProviderKind = 'ucwa' | 'graph';

/** What kind of conversation is being offered. */
export type Modality = 'messaging' | 'audio' | 'video' | 'meeting' | 'call';

export type Importance = 'normal' | 'urgent' | 'emergency';

/** How a ringing invitation stopped ringing. */
export type Outcome = 'declined' | 'cancelled' | 'answeredElsewhere' | 'missed' | 'timedOut' | 'failed' | 'gone';

export const OUTCOMES: readonly Outcome[] = [
  'declined',
  'cancelled',
  'answeredElsewhere',
  'missed',
  'timedOut',
  'failed',
  'gone',
];

export interface Party {
  /** Display name as the server sent it: untrusted text, never markup. */
  name: string;
  /** sip:, tel: or a Graph identity id. */
  uri: string;
}

export interface Invitation {
  /** Stable, opaque, unique across accounts. */
  id: string;
  accountId: string;
  provider: ProviderKind;
  modality: Modality;
  from: Party;
  subject: string;
  importance: Importance;
  /** First instant-message text, decoded ('' when there is none). */
  message: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** Epoch milliseconds of the decision deadline (Graph: receivedAt + 15 s), or null. */
  expiresAt: number | null;
  /** The reasons this invitation can be declined with, in the order a menu shows them. */
  declineReasons: readonly string[];
  /** The reason a plain "Decline" uses (the account's default). */
  defaultDeclineReason: string;
}

/** Why a decline request did not go through, in words a person understands. */
export interface DeclineError {
  /** HTTP status, or null when no response arrived (network, deadline passed). */
  status: number | null;
  code: string;
  subcode: string | null;
  message: string;
}

/* ------------------------------------------------------------------------------------------
 * Lifecycle: a small explicit state machine.
 *
 *   ringing ──decline──► declining ──declineFailed──► ringing (+error, retry allowed)
 *      │                    │ declineSent (request accepted; waiting for the server's end)
 *      │                    ▼
 *      └──────end(outcome)──► ended(outcome)   (from ringing or declining)
 *
 * A decline is sent at most once per command: `decline` while declining is a no-op, and any
 * event on an ended invitation is a no-op.
 * ---------------------------------------------------------------------------------------- */

export type InvitationState =
  | { phase: 'ringing'; error: DeclineError | null }
  | { phase: 'declining'; reason: string; sent: boolean }
  | { phase: 'ended'; outcome: Outcome };

export type LifecycleEvent =
  | { type: 'decline'; reason: string }
  | { type: 'declineSent' }
  | { type: 'declineFailed'; error: DeclineError }
  | { type: 'end'; outcome: Outcome };

export interface Transition {
  state: InvitationState;
  /** The side effect the engine must perform for this transition, if any. */
  effect: 'sendDecline' | null;
}

export const RINGING: InvitationState = { phase: 'ringing', error: null };

/**
 * The whole lifecycle. Returns null when the event does not apply in this state (a no-op):
 * callers treat null as "nothing happens", which is what makes double clicks harmless.
 */
export function transition(state: InvitationState, event: LifecycleEvent): Transition | null {
  switch (state.phase) {
    case 'ringing':
      switch (event.type) {
        case 'decline':
          return {
            state: { phase: 'declining', reason: event.reason, sent: false },
            effect: 'sendDecline',
          };
        case 'end':
          return { state: { phase: 'ended', outcome: event.outcome }, effect: null };
        case 'declineSent':
        case 'declineFailed':
          return null;
      }
      break;
    case 'declining':
      switch (event.type) {
        case 'decline':
          return null;
        case 'declineSent':
          return state.sent ? null : { state: { ...state, sent: true }, effect: null };
        case 'declineFailed':
          return state.sent ? null : { state: { phase: 'ringing', error: event.error }, effect: null };
        case 'end':
          return { state: { phase: 'ended', outcome: event.outcome }, effect: null };
      }
      break;
    case 'ended':
      return null;
  }
  return null;
}
