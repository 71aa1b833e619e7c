/**
 * Forwards (redirects) an incoming Graph call (v1_call-redirect.md, beta_call-redirect.md):
 *   POST {graph}/{v1.0|beta}/communications/calls/{id}/redirect   (today)
 *   POST {graph}/beta/app/calls/{id}/redirect                     (the seed's path family)
 * with `{"targets":[invitationParticipantInfo]}` — one target, so Graph forwards rather than
 * simul-rings — whose identitySet holds `user: {id}` or `phone: {id}` (E.164).
 *
 * It is the same kind of request inside the same decision window as reject, so it goes through
 * callAction.ts (shared with reject): 200/202/204 = done, 404 = the call is gone, 429/5xx/network
 * retried only while the window allows (a request still in flight at the deadline is abandoned),
 * 401 once with a fresh token, other 4xx fail with Graph's words.
 */
import type { GraphAccount } from '../config.js';
import type { ForwardTarget } from '../invitation.js';
import type { DeclineResult } from '../provider.js';
import { postCallAction, type CallActionDeps } from './callAction.js';
import { rejectUrl } from './reject.js';

/** The redirect URL beside the account's reject URL (same version and path family). */
export function redirectUrl(
  account: Pick<GraphAccount, 'graphBaseUrl' | 'apiVersion' | 'rejectPath'>,
  callId: string,
): string {
  return rejectUrl(account, callId).replace(/\/reject$/, '/redirect');
}

/** One invitationParticipantInfo for `target` (the label stays on this side). */
export function invitationParticipantInfo(target: ForwardTarget): Record<string, unknown> {
  const identity =
    'userId' in target
      ? { user: { '@odata.type': '#microsoft.graph.identity', id: target.userId } }
      : { phone: { '@odata.type': '#microsoft.graph.identity', id: target.phone } };
  return {
    '@odata.type': '#microsoft.graph.invitationParticipantInfo',
    identity: { '@odata.type': '#microsoft.graph.identitySet', ...identity },
  };
}

export function redirectBody(target: ForwardTarget): { targets: Record<string, unknown>[] } {
  return { targets: [invitationParticipantInfo(target)] };
}

export interface RedirectRequest {
  url: string;
  target: ForwardTarget;
  /** clock.now()-based deadline (the invitation's expiresAt). */
  deadline: number | null;
}

export function redirectCall(req: RedirectRequest, deps: CallActionDeps): Promise<DeclineResult> {
  return postCallAction(
    { action: 'forward', url: req.url, body: redirectBody(req.target), deadline: req.deadline },
    deps,
  );
}
