/**
 * The simulator's Graph calls API: `POST /graph/{v1.0|beta}/communications/calls/{id}/reject`
 * (202, empty) and the seed's `POST /graph/beta/app/calls/{id}/reject` (200 + the seed's
 * commsOperation). Bearer token and body are validated; every request is recorded in
 * `rejects`; on command it answers 404, 429 (Retry-After) or 5xx. The redirect ("forward")
 * route beside reject lives in redirect.ts (`redirects`).
 */
import { randomUUID } from 'node:crypto';
import { sendEmpty, sendJson, type SimContext } from '../server.js';
import { afterFinish } from './keys.js';
import { GraphRedirectSim } from './redirect.js';
import { SEED_REJECT_RESPONSE } from './seed.js';
import type { NotificationResult, RejectFailure, RejectRecord, SimGraphCall } from './types.js';

const REJECT_REASONS = ['none', 'busy', 'forbidden'];

export interface GraphCallsApiDeps {
  calls: Map<string, SimGraphCall>;
  now: () => number;
  validGraphToken(authorization: string | undefined): Promise<boolean>;
  sendDeleted(call: SimGraphCall): Promise<NotificationResult>;
}

export class GraphCallsApi {
  readonly rejects: RejectRecord[] = [];
  /** Redirect ("forward") at the three reject paths: records, waitFor, fail (redirect.ts). */
  readonly redirects: GraphRedirectSim;
  private readonly rejectFailures: RejectFailure[] = [];
  private readonly rejectWaiters = new Set<{ pred: (r: RejectRecord) => boolean; done: (r: RejectRecord) => void }>();
  private deleteAfterReject: boolean;
  private deleteFirst = false;
  private rejectSeq = 0;
  private chaos: ((callId: string) => RejectFailure | null) | null = null;
  private readonly calls: Map<string, SimGraphCall>;
  private readonly now: () => number;

  constructor(
    private readonly deps: GraphCallsApiDeps,
    deleteAfterReject: boolean,
  ) {
    this.calls = deps.calls;
    this.now = deps.now;
    this.deleteAfterReject = deleteAfterReject;
    this.redirects = new GraphRedirectSim(deps);
  }

  /** The next `times` rejects answer `status` (404 "Call not found.", 429 + Retry-After, 5xx). */
  failRejects(failure: RejectFailure): void {
    this.rejectFailures.push({ times: 1, ...failure });
  }

  /** Chaos: asked for each reject (after any queued failure); a failure to answer, or null. */
  setRejectChaos(chaos: ((callId: string) => RejectFailure | null) | null): void {
    this.chaos = chaos;
  }

  setDeleteAfterReject(on: boolean): void {
    this.deleteAfterReject = on;
  }

  /** Deliver `deleted` before answering the reject (the race a client must survive). */
  setDeleteBeforeAnswer(on: boolean): void {
    this.deleteFirst = on;
  }

  /** Resolves with the first reject (recorded or future) matching `pred`. */
  waitForReject(pred: (r: RejectRecord) => boolean = () => true, timeoutMs = 5_000): Promise<RejectRecord> {
    const seen = this.rejects.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        done: (r: RejectRecord) => {
          clearTimeout(timer);
          this.rejectWaiters.delete(waiter);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.rejectWaiters.delete(waiter);
        reject(new Error(`GraphSim: no matching reject within ${timeoutMs} ms`));
      }, timeoutMs);
      this.rejectWaiters.add(waiter);
    });
  }

  async route(ctx: SimContext, p: string, method: string): Promise<boolean> {
    const redirect = this.redirects.route(ctx, p, method);
    if (redirect) return redirect;
    const m =
      /^\/graph\/(v1\.0|beta)\/communications\/calls\/([^/]+)\/reject$/.exec(p) ??
      /^\/graph\/(beta)\/app\/calls\/([^/]+)\/reject$/.exec(p);
    if (!m) return false;
    const version = m[1] as 'v1.0' | 'beta';
    const route = p.includes('/app/calls/') ? 'app' : 'communications';
    const callId = decodeURIComponent(m[2]!);
    const res = ctx.res;
    let reason: string | null = null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(ctx.body);
      const r = (parsed as { reason?: unknown } | null)?.reason;
      reason = typeof r === 'string' ? r : null;
    } catch {
      parsed = undefined;
    }
    const record = (status: number, response = '') => {
      const rec: RejectRecord = {
        seq: ++this.rejectSeq,
        callId,
        path: p,
        route,
        version,
        body: ctx.body,
        reason,
        status,
        response,
        at: this.now(),
      };
      this.rejects.push(rec);
      for (const w of [...this.rejectWaiters]) if (w.pred(rec)) w.done(rec);
    };
    const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      const body = {
        error: {
          code,
          message,
          innerError: {
            date: new Date(this.now()).toISOString(),
            'request-id': randomUUID(),
            'client-request-id': randomUUID(),
          },
        },
      };
      record(status, JSON.stringify(body));
      sendJson(res, status, body, headers);
      return true;
    };

    if (method !== 'POST')
      return graphError(405, 'BadRequest', `The HTTP method '${method}' is not allowed for reject.`, { Allow: 'POST' });
    if (!(await this.deps.validGraphToken(ctx.req.headers.authorization))) {
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience, signature or expiry.',
      );
    }
    const queued = this.rejectFailures[0];
    if (queued && --queued.times! <= 0) this.rejectFailures.shift();
    const failure = queued ?? this.chaos?.(callId) ?? null;
    if (failure) {
      switch (failure.status) {
        case 'hang':
          // Held without an answer (recorded with status 0) until the client gives up.
          record(0);
          return true;
        case 404:
          return graphError(404, '9997', 'Call not found.');
        case 429:
          return graphError(
            429,
            'TooManyRequests',
            'Too many requests. Retry after the interval in Retry-After.',
            failure.retryAfter !== undefined ? { 'Retry-After': failure.retryAfter } : {},
          );
        default:
          return graphError(
            failure.status,
            failure.status === 500 ? 'InternalServerError' : 'ServiceUnavailable',
            'The service is temporarily unavailable.',
            failure.retryAfter !== undefined ? { 'Retry-After': failure.retryAfter } : {},
          );
      }
    }
    if (
      !String(ctx.req.headers['content-type'] ?? '')
        .toLowerCase()
        .startsWith('application/json')
    ) {
      return graphError(415, 'BadRequest', 'Content-Type must be application/json.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return graphError(400, 'BadRequest', 'The request body must be a JSON object.');
    }
    const rawReason = (parsed as { reason?: unknown }).reason;
    if (rawReason !== undefined && (typeof rawReason !== 'string' || !REJECT_REASONS.includes(rawReason))) {
      return graphError(
        400,
        'BadRequest',
        `Invalid value '${String(rawReason)}' for 'reason'; expected one of: ${REJECT_REASONS.join(', ')} (lowercase).`,
      );
    }
    const call = this.calls.get(callId);
    if (!call || call.state !== 'ringing') return graphError(404, '9997', 'Call not found.');

    call.state = 'rejected';
    call.rejectReason = reason ?? 'none';
    if (this.deleteFirst) {
      // The `deleted` notification overtakes the reject's answer.
      await this.deps.sendDeleted(call);
    }
    if (route === 'app') {
      record(200, SEED_REJECT_RESPONSE);
      ctx.res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(SEED_REJECT_RESPONSE),
      });
      ctx.res.end(SEED_REJECT_RESPONSE);
    } else {
      record(202);
      sendEmpty(ctx.res, 202);
    }
    if (this.deleteAfterReject && !this.deleteFirst) {
      // Graph confirms the teardown asynchronously, after answering the reject.
      afterFinish(ctx.res, () => void this.deps.sendDeleted(call));
    }
    return true;
  }
}
