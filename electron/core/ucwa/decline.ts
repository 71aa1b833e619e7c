/**
 * Declining an invitation: `POST <decline link>` with a CallDeclineReason, JSON by default or
 * XML per account [PROTOCOL.md §9, decline_ref.md]. 204 is success; anything else becomes a
 * DeclineError a person understands. Never throws.
 */
import type { CallDeclineReason } from '../config.js';
import type { Logger } from '../deps.js';
import type { DeclineResult } from '../provider.js';
import { parseErrorBody, toDeclineError } from './errors.js';
import { AbortedError, NetworkError, type UcwaHttp } from './http.js';
import { UcwaError } from './errors.js';

export type PayloadFormat = 'json' | 'xml';

export const UCWA_XML_NS = 'http://schemas.microsoft.com/rtc/2012/03/ucwa';

/** The request body and its Content-Type for a decline. */
export function declineBody(reason: CallDeclineReason, format: PayloadFormat): { body: string; contentType: string } {
  if (format === 'xml') {
    return {
      contentType: 'application/xml',
      body: `<?xml version="1.0" encoding="utf-8"?><input xmlns="${UCWA_XML_NS}"><property name="reason">${reason}</property></input>`,
    };
  }
  return { contentType: 'application/json', body: JSON.stringify({ reason }) };
}

export async function sendDecline(
  http: UcwaHttp,
  declineHref: string,
  reason: CallDeclineReason,
  format: PayloadFormat,
  log: Logger,
  signal?: AbortSignal,
): Promise<DeclineResult> {
  const { body, contentType } = declineBody(reason, format);
  try {
    const res = await http.request('POST', declineHref, { body, contentType, signal });
    if (res.status === 204 || res.status === 200 || res.status === 202) {
      log.info('decline accepted', { status: res.status, reason });
      return { ok: true };
    }
    const parsed = parseErrorBody(res.text, res.headers.get('content-type'));
    const error = toDeclineError(res.status, parsed);
    log.warn('decline refused', { status: res.status, code: error.code, subcode: error.subcode });
    // 404, or 410 for a lost application (InactiveApplicationExpired): the invitation (or the
    // whole session) no longer exists; it cannot ring on. Other 410s (CannotRedirect) may pass.
    const gone =
      res.status === 404 ||
      (res.status === 410 && (!parsed?.subcode || parsed.subcode === 'InactiveApplicationExpired'));
    return gone ? { ok: false, error, endAs: 'gone' } : { ok: false, error };
  } catch (err) {
    if (err instanceof NetworkError) {
      return {
        ok: false,
        error: {
          status: null,
          code: err.timedOut ? 'Timeout' : 'NetworkError',
          subcode: null,
          message: err.timedOut
            ? 'Decline failed: the server did not answer in time. Try again.'
            : 'Decline failed: the server could not be reached. Try again.',
        },
      };
    }
    if (err instanceof AbortedError) {
      return {
        ok: false,
        error: {
          status: null,
          code: 'Stopped',
          subcode: null,
          message: 'Decline was not sent: the account is signing out.',
        },
      };
    }
    if (err instanceof UcwaError) {
      return { ok: false, error: { status: err.status, code: err.code, subcode: err.subcode, message: err.message } };
    }
    log.error('decline failed unexpectedly', { err });
    return {
      ok: false,
      error: {
        status: null,
        code: 'InternalError',
        subcode: null,
        message: `Decline failed: ${(err as Error).message}`,
      },
    };
  }
}
