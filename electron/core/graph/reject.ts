/**
 * Rejects an incoming Graph call (PROTOCOL.md §2-4, §8):
 *   POST {graph}/{v1.0|beta}/communications/calls/{id}/reject   (today)
 *   POST {graph}/beta/app/calls/{id}/reject                     (the seed; rejectPath "app")
 * with `{"reason":"none"|"busy"|"forbidden"}` and the warm app-only token.
 *
 * The retry and deadline rules live in callAction.ts (shared with other call actions): no
 * attempt starts after the invitation's deadline (its `expiresAt`: receivedAt + 13 s by
 * default, leaving a margin of Graph's 15 s window for delivery and the request's own trip),
 * and a request that hangs is abandoned at it.
 */
import type { GraphAccount } from '../config.js';
import type { DeclineResult } from '../provider.js';
import { postCallAction, type CallActionDeps } from './callAction.js';

export { retryAfterMs } from './callAction.js';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';

export function rejectUrl(
  account: Pick<GraphAccount, 'graphBaseUrl' | 'apiVersion' | 'rejectPath'>,
  callId: string,
): string {
  const base = (account.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
  const id = encodeURIComponent(callId);
  if (account.rejectPath === 'app') return `${base}/beta/app/calls/${id}/reject`;
  return `${base}/${account.apiVersion ?? 'v1.0'}/communications/calls/${id}/reject`;
}

export type RejectDeps = CallActionDeps;

export interface RejectRequest {
  url: string;
  reason: string;
  /** clock.now()-based deadline (the invitation's expiresAt); null = a few quick attempts. */
  deadline: number | null;
  /** Optional callbackUri for the `deleted` notification (must be https for Graph). */
  callbackUri?: string;
}

export function rejectCall(req: RejectRequest, deps: RejectDeps): Promise<DeclineResult> {
  const body = req.callbackUri ? { reason: req.reason, callbackUri: req.callbackUri } : { reason: req.reason };
  return postCallAction({ action: 'reject', url: req.url, body, deadline: req.deadline }, deps);
}
