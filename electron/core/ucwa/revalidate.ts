/**
 * Re-validating a ringing invitation after the event stream may have skipped something
 * (resync, a wake from sleep, a re-created application): GET its self href
 * [PROTOCOL.md §7.4, DESIGN.md §3 recovery policy].
 *
 *   200 and state Connecting (or no state) → it still rings
 *   200 and any other state               → it ended; the state says how
 *   404 / 410                             → it is gone
 *   anything else (5xx, network)          → unknown: keep it ringing and ask again later
 */
import type { Outcome } from '../invitation.js';
import { UcwaError } from './errors.js';
import { AbortedError, NetworkError, type UcwaHttp } from './http.js';

export type Validation = { kind: 'ringing' } | { kind: 'ended'; outcome: Outcome } | { kind: 'unknown'; why: string };

/** An invitation resource's `state` → how it ended (null while it still rings). */
export function outcomeOfState(state: unknown): Outcome | null {
  if (typeof state !== 'string' || state === '') return null;
  switch (state.toLowerCase()) {
    case 'connecting':
      return null;
    case 'connected':
      return 'answeredElsewhere';
    case 'declined':
      return 'declined';
    case 'cancelled':
    case 'canceled':
      return 'cancelled';
    case 'failed':
      return 'failed';
    default:
      return 'gone';
  }
}

export async function validateInvitation(http: UcwaHttp, href: string, signal: AbortSignal): Promise<Validation> {
  try {
    const res = await http.request('GET', href, { signal });
    if (res.status === 404 || res.status === 410) return { kind: 'ended', outcome: 'gone' };
    if (res.status !== 200) return { kind: 'unknown', why: `HTTP ${res.status}` };
    const body = res.json;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'unknown', why: 'unreadable body' };
    const outcome = outcomeOfState((body as Record<string, unknown>).state);
    return outcome ? { kind: 'ended', outcome } : { kind: 'ringing' };
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    if (err instanceof NetworkError || err instanceof UcwaError) return { kind: 'unknown', why: err.message };
    return { kind: 'unknown', why: String(err) };
  }
}
