/**
 * One Graph call action (reject today; redirect and the like can reuse it) POSTed inside the
 * call's decision window. 200/202/204 succeed; 404 means the call is gone; 429, 5xx and
 * network failures are retried (honouring a fractional Retry-After) only while the window has
 * room: no attempt starts after the deadline, and a request still in flight at the deadline
 * is abandoned there — the result then says the window closed (`endAs: 'timedOut'`). 401 gets
 * one retry with a fresh token. Other 4xx fail with Graph's own message.
 */
import type { Clock, Fetch, Logger, TimerHandle } from '../deps.js';
import type { DeclineError } from '../invitation.js';
import type { DeclineResult } from '../provider.js';

export interface CallActionDeps {
  fetch: Fetch;
  clock: Clock;
  logger: Logger;
  /** The bearer token; `force` asks for a fresh one (after a 401). */
  token(force?: boolean): Promise<string>;
}

export interface CallActionRequest {
  /** What is done, in words ("reject", "redirect"): log lines and messages use it. */
  action: string;
  url: string;
  /** The JSON body. */
  body: unknown;
  /** clock.now()-based deadline (the invitation's expiresAt); null = a few quick attempts. */
  deadline: number | null;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const MAX_ATTEMPTS = 6;
/** An attempt is not started with less than this left in the window. */
const MIN_ATTEMPT_MS = 250;

export async function postCallAction(req: CallActionRequest, deps: CallActionDeps): Promise<DeclineResult> {
  const action = req.action;
  const log = deps.logger.child(action);
  const { clock } = deps;
  const deadline = req.deadline ?? clock.now() + 10_000;
  const body = JSON.stringify(req.body);
  let lastError: DeclineError | null = null;
  let refreshedToken = false;
  let forceToken = false;

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const left = deadline - clock.now();
    if (left < MIN_ATTEMPT_MS) break;

    let token: string;
    try {
      token = await withDeadline(deps.token(forceToken), left, clock);
      forceToken = false;
    } catch (err) {
      return fail(null, 'NoToken', `Could not get a Microsoft Graph token to ${action} the call: ${errText(err)}`);
    }

    const controller = new AbortController();
    const abortTimer = clock.setTimeout(() => controller.abort(), Math.max(0, deadline - clock.now()));
    let res: Response;
    try {
      res = await deps.fetch(req.url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body,
        signal: controller.signal,
      });
    } catch (err) {
      clock.clearTimeout(abortTimer);
      if (controller.signal.aborted) {
        lastError = decErr(
          null,
          'Timeout',
          `Microsoft Graph did not answer the ${action} before the call’s answer window closed; it was abandoned.`,
        );
        log.warn(`${action} abandoned at the deadline: no answer`, { attempt });
        break;
      }
      lastError = decErr(null, 'NetworkError', `Could not reach Microsoft Graph: ${errText(err)}`);
      log.warn(`${action} request failed; will retry if the window allows`, { attempt, err: errText(err) });
      if (!(await pause(backoff(attempt), deadline, clock))) break;
      continue;
    }
    let text = '';
    try {
      text = await res.text();
    } catch {
      // The status is what matters.
    } finally {
      clock.clearTimeout(abortTimer);
    }

    // 200 (the seed's commsOperation), 202 (today) and 204 all mean "done".
    if (res.status >= 200 && res.status < 300) {
      log.info(`${action}: accepted by Graph`, { status: res.status, attempt });
      return { ok: true };
    }
    const graph = graphError(text);
    if (res.status === 404) {
      return {
        ok: false,
        endAs: 'gone',
        error: { status: 404, code: graph.code ?? 'NotFound', subcode: null, message: 'The call had already ended' },
      };
    }
    if (res.status === 401 && !refreshedToken) {
      refreshedToken = true;
      forceToken = true;
      lastError = decErr(
        401,
        graph.code ?? 'Unauthorized',
        `Microsoft Graph refused the token: ${graph.message ?? 'HTTP 401'}`,
      );
      log.warn(`${action} got 401; retrying once with a fresh token`, { code: graph.code });
      continue;
    }
    if (RETRYABLE.has(res.status)) {
      lastError = decErr(
        res.status,
        graph.code ?? (res.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable'),
        res.status === 429
          ? `Microsoft Graph is throttling requests (429) and the call’s answer window closed before the ${action} went through.`
          : `Microsoft Graph failed (${res.status}${graph.message ? `: ${graph.message}` : ''}) and the call’s answer window closed before a retry of the ${action} went through.`,
      );
      const wait = retryAfterMs(res.headers.get('retry-after'), clock.now()) ?? backoff(attempt);
      log.warn(`${action} will be retried`, { status: res.status, attempt, waitMs: wait });
      if (!(await pause(wait, deadline, clock))) break;
      continue;
    }
    return fail(
      res.status,
      graph.code ?? `Http${res.status}`,
      `Microsoft Graph refused the ${action} (${res.status}${graph.code ? ` ${graph.code}` : ''})${graph.message ? `: ${graph.message}` : '.'}`,
    );
  }

  const error =
    lastError ?? decErr(null, 'DeadlinePassed', `The call’s answer window closed before the ${action} could be sent.`);
  if (deadline - clock.now() < MIN_ATTEMPT_MS) {
    // The window is over: nothing more can be done for this call; it ends as timed out.
    log.warn(`${action} gave up: the call’s answer window closed`, { code: error.code });
    return { ok: false, endAs: 'timedOut', error };
  }
  return {
    ok: false,
    error,
  };

  function fail(status: number | null, code: string, message: string): DeclineResult {
    return { ok: false, error: decErr(status, code, message) };
  }
}

function decErr(status: number | null, code: string, message: string): DeclineError {
  return { status, code, subcode: null, message };
}

/** Graph's `{"error":{"code","message"}}`, tolerating anything else. */
function graphError(text: string): { code: string | null; message: string | null } {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    return {
      code: typeof e?.code === 'string' ? e.code : null,
      message: typeof e?.message === 'string' ? e.message : null,
    };
  } catch {
    return { code: null, message: null };
  }
}

/** Retry-After in (possibly fractional) seconds or as an HTTP date. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/^[A-Za-z]{3}, /.test(v)) return null; // an IMF-fixdate, e.g. "Sat, 21 Nov 2026 09:00:04 GMT"
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function backoff(attempt: number): number {
  return Math.min(2_000, 250 * 2 ** (attempt - 1));
}

/** Waits `ms` unless that leaves too little of the window for another attempt. */
function pause(ms: number, deadline: number, clock: Clock): Promise<boolean> {
  if (clock.now() + ms + MIN_ATTEMPT_MS > deadline) return Promise.resolve(false);
  return new Promise((resolve) => clock.setTimeout(() => resolve(true), ms));
}

function withDeadline<T>(p: Promise<T>, ms: number, clock: Clock): Promise<T> {
  let timer: TimerHandle | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = clock.setTimeout(() => reject(new Error('no token before the answer window closed')), ms);
    }),
  ]).finally(() => clock.clearTimeout(timer));
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
