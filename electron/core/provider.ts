import type { DeclineError, ForwardTarget, Invitation, Outcome, ProviderKind } from './invitation.js';

/** Why the engine was woken: the OS resumed or unlocked, the network came back, or a clock jump was seen. */
export type WakeReason = 'resume' | 'unlock' | 'online' | 'clockJump' | 'user';

export type AccountState = 'connecting' | 'connected' | 'reconnecting' | 'error' | 'stopped';

export interface AccountError {
  /** HTTP status when the error came from a response. */
  status?: number | null;
  code: string;
  subcode?: string | null;
  /** A sentence a person understands. */
  message: string;
}

/** What a provider reports to the engine. Calls are synchronous and never throw back. */
export interface ProviderSink {
  /** A new incoming invitation is ringing (called once per invitation id). */
  ringing(invitation: Invitation): void;
  /** The invitation stopped ringing on the server's side (completed, deleted, resync...). */
  ended(id: string, outcome: Outcome): void;
  /** Connection state of the account. */
  state(state: AccountState, error?: AccountError): void;
  /** The server was heard from at `at` (epoch ms): a P-GET answer, an event, a notification. */
  heard?(at: number): void;
  /** The account's call forwarding as the server last confirmed it (optional capability). */
  forwarding?(state: ForwardingState): void;
}

/** Call forwarding of an account, as its server reports it. */
export interface ForwardingState {
  state: 'off' | 'voicemail' | 'contact' | 'delegates';
  /** The contact's URI when `state` is `contact`. */
  target?: string;
}

/** What to forward to: `off`, `voicemail`, or a `sip:`/`tel:` URI. */
export type ForwardingChoice = 'off' | 'voicemail' | string;

/** Result of an optional capability (reply, presence, forwarding). Never thrown. */
export type CapabilityResult = { ok: true } | { ok: false; error: AccountError };

export type DeclineResult =
  | { ok: true }
  | {
      ok: false;
      error: DeclineError;
      /**
       * Set when the failure means the invitation no longer exists (Graph 404 "call not
       * found"): the engine ends it with this outcome instead of letting it ring with Retry.
       */
      endAs?: Outcome;
    };

/**
 * One account's connection to its server. The engine owns policy (DND, decline all,
 * history); a provider owns the protocol.
 */
export interface Provider {
  readonly accountId: string;
  readonly kind: ProviderKind;
  /** Begins connecting; resolves once the attempt is under way (errors go to sink.state). */
  start(sink: ProviderSink): Promise<void>;
  /** Signs out cleanly (UCWA: DELETE the application; Graph: close the receiver). */
  stop(): Promise<void>;
  /** Sends the decline request once. Never throws: failures come back as a result. */
  decline(invitation: Invitation, reason: string): Promise<DeclineResult>;
  /**
   * Optional capability: forwards (redirects) the ringing call to `target`, once. Never throws:
   * failures come back as a result (`endAs` when the call is gone). Providers without it
   * (UCWA) make the engine answer NotSupported.
   */
  forward?(invitation: Invitation, target: ForwardTarget): Promise<DeclineResult>;
  /**
   * The machine woke, unlocked or came back online: held requests may be dead connections.
   * The provider abandons them and reconnects at once (UCWA), or refreshes what it keeps
   * warm (Graph). Never throws; returns at once (work goes on in the background).
   */
  wake(reason: WakeReason): void;

  // ── Optional capabilities (issue 9); a provider without them simply lacks the feature. ──

  /**
   * After `invitation` was declined: sends `text` to its caller as an instant message.
   * Resolves once the server accepted (or refused) it. Never throws.
   */
  reply?(invitation: Invitation, text: string): Promise<CapabilityResult>;
  /** Mirrors Do Not Disturb into the account's presence (on: DoNotDisturb; off: reset). Never throws. */
  setPresenceDnd?(on: boolean): Promise<CapabilityResult>;
  /** Changes the account's call forwarding; the confirmed state comes back through `sink.forwarding`. */
  setForwarding?(to: ForwardingChoice): Promise<CapabilityResult>;
  /** Re-reads the forwarding state from the server (reported through `sink.forwarding`). */
  refreshForwarding?(): Promise<CapabilityResult>;
}

/**
 * A provider's guard at its protocol boundary: it never sends a reason outside its
 * protocol's enum (the engine already offers only the invitation's own reasons).
 * Returns the failure to answer with, or null when `reason` is allowed.
 */
export function refuseUnknownReason(
  reason: string,
  allowed: readonly string[],
  protocol: string,
): Extract<DeclineResult, { ok: false }> | null {
  if (allowed.includes(reason)) return null;
  return {
    ok: false,
    error: {
      status: null,
      code: 'InvalidReason',
      subcode: null,
      message: `"${reason}" is not a ${protocol} decline reason; use one of: ${allowed.join(', ')}`,
    },
  };
}
