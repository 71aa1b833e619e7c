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
export type Outcome =
  'declined' | 'cancelled' | 'answeredElsewhere' | 'missed' | 'timedOut' | 'failed' | 'gone' | 'forwarded';

export const OUTCOMES: readonly Outcome[] = [
  'declined',
  'cancelled',
  'answeredElsewhere',
  'missed',
  'timedOut',
  'failed',
  'gone',
  'forwarded',
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

/**
 * Where a call is forwarded (Graph redirect): a Microsoft Entra user by object id, or a phone
 * number in E.164. `label` is what a person sees (from the account's forwardTargets).
 */
export type ForwardTarget = { label?: string; userId: string } | { label?: string; phone: string };

/** What history and menus show for a target: its label, else the id or number. */
export function forwardTargetText(target: ForwardTarget): string {
  return target.label ?? ('userId' in target ? target.userId : target.phone);
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
 *      └──────end(outcome)──► ended(outcome)   (from ringing, declining or forwarding)
 *
 *   ringing ──forward──► forwarding ──forwardFailed──► ringing (+error, retry allowed)
 *                           │ forwardSent (redirect accepted; waiting for the server's end)
 *
 * A decline or forward is sent at most once per command: `decline`/`forward` while declining
 * or forwarding is a no-op, and any event on an ended invitation is a no-op. Forwarding and
 * declining exclude each other: whichever starts first owns the invitation until it fails.
 * ---------------------------------------------------------------------------------------- */

export type InvitationState =
  | { phase: 'ringing'; error: DeclineError | null }
  | { phase: 'declining'; reason: string; sent: boolean }
  | { phase: 'forwarding'; target: ForwardTarget; sent: boolean }
  | { phase: 'ended'; outcome: Outcome };

export type LifecycleEvent =
  | { type: 'decline'; reason: string }
  | { type: 'declineSent' }
  | { type: 'declineFailed'; error: DeclineError }
  | { type: 'forward'; target: ForwardTarget }
  | { type: 'forwardSent' }
  | { type: 'forwardFailed'; error: DeclineError }
  | { type: 'end'; outcome: Outcome };

export interface Transition {
  state: InvitationState;
  /** The side effect the engine must perform for this transition, if any. */
  effect: 'sendDecline' | 'sendForward' | null;
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
        case 'forward':
          return {
            state: { phase: 'forwarding', target: event.target, sent: false },
            effect: 'sendForward',
          };
        case 'end':
          return { state: { phase: 'ended', outcome: event.outcome }, effect: null };
        case 'declineSent':
        case 'declineFailed':
        case 'forwardSent':
        case 'forwardFailed':
          return null;
      }
      break;
    case 'declining':
      switch (event.type) {
        case 'decline':
        case 'forward':
        case 'forwardSent':
        case 'forwardFailed':
          return null;
        case 'declineSent':
          return state.sent ? null : { state: { ...state, sent: true }, effect: null };
        case 'declineFailed':
          return state.sent ? null : { state: { phase: 'ringing', error: event.error }, effect: null };
        case 'end':
          return { state: { phase: 'ended', outcome: event.outcome }, effect: null };
      }
      break;
    case 'forwarding':
      switch (event.type) {
        case 'decline':
        case 'forward':
        case 'declineSent':
        case 'declineFailed':
          return null;
        case 'forwardSent':
          return state.sent ? null : { state: { ...state, sent: true }, effect: null };
        case 'forwardFailed':
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
