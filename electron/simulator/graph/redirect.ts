/**
 * The Graph simulator's redirect ("forward") route, at all three paths reject has
 * (v1_call-redirect.md, beta_call-redirect.md):
 *   POST /graph/{v1.0|beta}/communications/calls/{id}/redirect   → 202, empty
 *   POST /graph/beta/app/calls/{id}/redirect                     → 202, empty
 * The bearer token and the body are validated (`targets`: 1–25 invitationParticipantInfo whose
 * identitySet names a `user`, `phone` (E.164) or `application` by `id`); every request is
 * recorded in `records` with the targets it named. A redirected call is gone for the bot:
 * Graph then sends `deleted` (state terminated), as the docs' example shows.
 * On command (`fail`) it answers 404 "Call not found." or a 5xx.
 * It is part of the calls API (calls.ts), which hands it the `…/redirect` paths.
 */
import { randomUUID } from 'node:crypto';
import { sendEmpty, sendJson, type SimContext } from '../server.js';
import { afterFinish } from './keys.js';
import type { NotificationResult, SimGraphCall } from './types.js';

export interface RedirectTargetRecord {
  kind: 'user' | 'phone' | 'application';
  id: string;
}

export interface RedirectRecord {
  seq: number;
  callId: string;
  path: string;
  route: 'communications' | 'app';
  version: 'v1.0' | 'beta';
  /** Raw request body. */
  body: string;
  /** The targets the body named (empty when it was invalid). */
  targets: RedirectTargetRecord[];
  status: number;
  at: number;
}

export interface RedirectFailure {
  status: 404 | 429 | 500 | 502 | 503 | 504;
  retryAfter?: string;
  /** How many redirects it answers (default 1). */
  times?: number;
}

/** What the redirect route needs from the Graph simulator it is part of. */
export interface RedirectHost {
  readonly calls: Map<string, SimGraphCall>;
  now(): number;
  validGraphToken(authorization: string | undefined): Promise<boolean>;
  /** Sends the call's `deleted` notification to its receiver. */
  sendDeleted(call: SimGraphCall): Promise<NotificationResult>;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const KINDS = ['user', 'phone', 'application'] as const;

export class GraphRedirectSim {
  readonly records: RedirectRecord[] = [];
  private readonly failures: RedirectFailure[] = [];
  private readonly waiters = new Set<{ pred: (r: RedirectRecord) => boolean; done: (r: RedirectRecord) => void }>();
  private seq = 0;
  private deleteFirst = false;

  constructor(private readonly host: RedirectHost) {}

  /** The next `times` redirects answer `status` (404 "Call not found.", 429, 5xx). */
  fail(failure: RedirectFailure): void {
    this.failures.push({ times: 1, ...failure });
  }

  /** Deliver `deleted` before answering the redirect (the race a client must survive). */
  setDeleteBeforeAnswer(on: boolean): void {
    this.deleteFirst = on;
  }

  /** Resolves with the first redirect (recorded or future) matching `pred`. */
  waitFor(pred: (r: RedirectRecord) => boolean = () => true, timeoutMs = 5_000): Promise<RedirectRecord> {
    const seen = this.records.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        done: (r: RedirectRecord) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`GraphSim: no matching redirect within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Handles `p` when it is a redirect path (false otherwise). */
  route(ctx: SimContext, p: string, method: string): false | Promise<boolean> {
    const m =
      /^\/graph\/(v1\.0|beta)\/communications\/calls\/([^/]+)\/redirect$/.exec(p) ??
      /^\/graph\/(beta)\/app\/calls\/([^/]+)\/redirect$/.exec(p);
    if (!m) return false;
    return this.handle(ctx, p, method, m);
  }

  private async handle(ctx: SimContext, p: string, method: string, m: RegExpExecArray): Promise<boolean> {
    const callId = decodeURIComponent(m[2]!);
    const parsed = parseTargets(ctx.body);
    const record = (status: number) => {
      const rec: RedirectRecord = {
        seq: ++this.seq,
        callId,
        path: p,
        route: p.includes('/app/calls/') ? 'app' : 'communications',
        version: m[1] as 'v1.0' | 'beta',
        body: ctx.body,
        targets: typeof parsed === 'string' ? [] : parsed,
        status,
        at: this.host.now(),
      };
      this.records.push(rec);
      for (const w of [...this.waiters]) if (w.pred(rec)) w.done(rec);
    };
    const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      record(status);
      sendJson(
        ctx.res,
        status,
        {
          error: {
            code,
            message,
            innerError: { date: new Date(this.host.now()).toISOString(), 'request-id': randomUUID() },
          },
        },
        headers,
      );
      return true;
    };

    if (method !== 'POST') {
      return graphError(405, 'BadRequest', `The HTTP method '${method}' is not allowed for redirect.`, {
        Allow: 'POST',
      });
    }
    if (!(await this.host.validGraphToken(ctx.req.headers.authorization))) {
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience, signature or expiry.',
      );
    }
    const failure = this.failures[0];
    if (failure) {
      if (--failure.times! <= 0) this.failures.shift();
      const headers: Record<string, string> = failure.retryAfter ? { 'Retry-After': failure.retryAfter } : {};
      if (failure.status === 404) return graphError(404, '9997', 'Call not found.');
      if (failure.status === 429) return graphError(429, 'TooManyRequests', 'Too many requests.', headers);
      return graphError(
        failure.status,
        failure.status === 500 ? 'InternalServerError' : 'ServiceUnavailable',
        'The service is temporarily unavailable.',
        headers,
      );
    }
    if (
      !String(ctx.req.headers['content-type'] ?? '')
        .toLowerCase()
        .startsWith('application/json')
    ) {
      return graphError(415, 'BadRequest', 'Content-Type must be application/json.');
    }
    if (typeof parsed === 'string') return graphError(400, 'BadRequest', parsed);
    const call = this.host.calls.get(callId);
    if (!call || call.state !== 'ringing') return graphError(404, '9997', 'Call not found.');

    call.state = 'redirected';
    if (this.deleteFirst) await this.host.sendDeleted(call);
    record(202);
    sendEmpty(ctx.res, 202);
    // The call left the bot: Graph confirms with `deleted` (state terminated) after answering.
    if (!this.deleteFirst) afterFinish(ctx.res, () => void this.host.sendDeleted(call));
    return true;
  }
}

/** The body's targets, or a Graph-style complaint naming what is wrong. */
export function parseTargets(body: string): RedirectTargetRecord[] | string {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return 'The request body must be a JSON object.';
  }
  const targets = (data as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets) || targets.length === 0) return "'targets' must be a non-empty array.";
  if (targets.length > 25) return "'targets' supports up to 25 participants.";
  const out: RedirectTargetRecord[] = [];
  for (const [i, t] of targets.entries()) {
    const identity = (t as { identity?: unknown } | null)?.identity as Record<string, unknown> | undefined;
    if (typeof identity !== 'object' || identity === null) return `targets[${i}].identity is required.`;
    const named = KINDS.filter((k) => identity[k] !== undefined);
    if (named.length !== 1) return `targets[${i}].identity must name exactly one of user, phone, application.`;
    const kind = named[0]!;
    const id = (identity[kind] as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id === '') return `targets[${i}].identity.${kind}.id is required.`;
    if (kind === 'phone' && !E164.test(id)) return `targets[${i}].identity.phone.id must be an E.164 number.`;
    out.push({ kind, id });
  }
  return out;
}
