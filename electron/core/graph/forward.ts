/**
 * The Graph provider's forward: one redirect (redirect.ts) with the same in-flight bookkeeping
 * as its reject — a `deleted` that arrives while the redirect is in flight is reported only
 * after the engine has taken the redirect's result into account (so a forward that went
 * through ends `forwarded`, not `gone`).
 */
import type { GraphAccount } from '../config.js';
import type { Clock, Fetch, Logger } from '../deps.js';
import type { ForwardTarget, Invitation } from '../invitation.js';
import type { DeclineResult, ProviderSink } from '../provider.js';
import { redirectCall, redirectUrl } from './redirect.js';

/** The part of the provider's per-call entry a forward shares with reject. */
export interface InFlightCall {
  invitationId: string;
  rejecting: boolean;
  endedDuringReject: boolean;
}

export interface ForwardContext {
  account: GraphAccount;
  tokens: { get(force?: boolean): Promise<string> } | null;
  /** The provider's entry for this call, when it still has one. */
  entry: InFlightCall | null;
  callId: string;
  sink(): ProviderSink | null;
  deps: { fetch: Fetch; clock: Clock; logger: Logger };
}

export async function forwardGraphCall(
  invitation: Invitation,
  target: ForwardTarget,
  ctx: ForwardContext,
): Promise<DeclineResult> {
  const { tokens, entry } = ctx;
  if (!tokens) {
    return {
      ok: false,
      error: { status: null, code: 'NotStarted', subcode: null, message: 'The Graph account is not running.' },
    };
  }
  if (entry) entry.rejecting = true;
  let result: DeclineResult;
  try {
    result = await redirectCall(
      { url: redirectUrl(ctx.account, ctx.callId), target, deadline: invitation.expiresAt },
      { fetch: ctx.deps.fetch, clock: ctx.deps.clock, logger: ctx.deps.logger, token: (force) => tokens.get(force) },
    );
  } finally {
    if (entry) entry.rejecting = false;
  }
  if (entry?.endedDuringReject) {
    const sink = ctx.sink();
    // A macrotask: runs after the engine's continuation of this very call (not a delay).
    setImmediate(() => sink?.ended(entry.invitationId, result.ok ? 'forwarded' : 'gone'));
  }
  return result;
}
