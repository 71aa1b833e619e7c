/**
 * The event channel: the P-GET loop [PROTOCOL.md §7, EventChannelDetails.md].
 *
 * - Only the server's links are followed: the application's `events` href first, then each
 *   response's `resync`/`resume`/`next` href. `ack` is never edited; our `timeout` parameter
 *   is appended when the link does not carry one.
 * - The next P-GET is issued (fetch called) BEFORE the current batch is handled, and batches
 *   are handled strictly one after another, events in array order.
 * - The client read timeout is the server `timeout` plus a minute.
 * - 409 PGetReplaced on our newest P-GET → conflict (another instance), stop.
 *   404 → the application is gone: the owner re-creates it. 410 → fatal, stop.
 *   401 → the http layer re-grants and retries the same URL.
 *   5xx / network / anything else → backoff with jitter, same URL.
 */
import type { Clock, Logger, TimerHandle } from '../deps.js';
import type { AccountError } from '../provider.js';
import { parseErrorBody, toAccountError, UcwaError, type UcwaErrorBody } from './errors.js';
import { parseEventBatch, type EventBatch } from './events.js';
import { AbortedError, NetworkError, type HttpResult, type UcwaHttp } from './http.js';
import { appendQuery, describeHref } from './links.js';

export interface BackoffOptions {
  /** First delay, ms (default 1000). */
  baseMs?: number;
  /** Largest delay, ms (default 60 000). */
  capMs?: number;
}

/** Exponential backoff with "equal jitter": half fixed, half random; capped. */
export function backoffDelay(attempt: number, random: () => number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? 1000;
  const cap = o.capMs ?? 60_000;
  const d = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const raw = random();
  const r = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0.5;
  return Math.round(d / 2 + (r * d) / 2);
}

export interface EventChannelHandlers {
  /** Handles one batch (awaited: batches never overlap). */
  onBatch(batch: EventBatch): Promise<void>;
  /** A P-GET failed and will be retried after `delayMs`. */
  onTrouble(error: AccountError, delayMs: number): void;
  /** A P-GET succeeded after trouble. */
  onRecovered(): void;
  /** The application no longer exists (404): the owner re-creates it; this loop has ended. */
  onApplicationGone(error: AccountError): void;
  /** The loop cannot go on (409 PGetReplaced, 410, sign-in refused); it has ended. */
  onFatal(error: AccountError): void;
}

export interface EventChannelOptions {
  http: UcwaHttp;
  clock: Clock;
  log: Logger;
  random: () => number;
  /** Server `timeout` parameter, seconds (UCWA accepts 180..1800). */
  timeoutSec: number;
  backoff?: BackoffOptions;
  handlers: EventChannelHandlers;
}

type PollOutcome =
  | { type: 'ok'; res: HttpResult; generation: number }
  | { type: 'retry'; error: AccountError }
  | { type: 'gone'; error: AccountError }
  | { type: 'fatal'; error: AccountError }
  | { type: 'conflict'; error: AccountError; generation: number }
  | { type: 'aborted' };

interface Poll {
  /** Resolves once fetch was called (or the attempt failed before it). */
  issued: Promise<void>;
  outcome: Promise<PollOutcome>;
}

export class EventChannel {
  private readonly abort = new AbortController();
  private stopped = false;
  private generation = 0;
  private backoffTimer: TimerHandle | null = null;
  private backoffWake: (() => void) | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly o: EventChannelOptions) {}

  /** Starts the loop at the application's events href; resolves once the first P-GET is issued. */
  start(firstUrl: string): Promise<void> {
    const first = this.poll(firstUrl);
    this.running = this.run(firstUrl, first).catch((err: unknown) => {
      this.o.log.error('event channel crashed', { err });
      if (!this.stopped)
        this.o.handlers.onFatal({
          status: null,
          code: 'InternalError',
          subcode: null,
          message: `The event channel stopped unexpectedly: ${(err as Error).message}`,
        });
    });
    return first.issued;
  }

  /** Aborts the held P-GET and any backoff wait. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    if (this.backoffTimer !== null) this.o.clock.clearTimeout(this.backoffTimer);
    this.backoffWake?.();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves when the loop has ended (after stop() or a fatal outcome). */
  done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async run(startUrl: string, first: Poll): Promise<void> {
    const { handlers, log } = this.o;
    let url = startUrl;
    let pending = first;
    let failures = 0;
    while (!this.stopped) {
      const out = await pending.outcome;
      if (this.stopped || out.type === 'aborted') return;
      switch (out.type) {
        case 'ok': {
          const batch = parseEventBatch(out.res.json ?? out.res.text, url);
          if (batch.problems.length)
            log.warn('skipped malformed parts of an event batch', { problems: batch.problems });
          if (!batch.continuation) {
            failures++;
            const delay = this.delay(failures);
            handlers.onTrouble(
              {
                status: out.res.status,
                code: 'MalformedEvents',
                subcode: null,
                message: 'The server sent an unreadable event batch; asking again.',
              },
              delay,
            );
            await this.wait(delay);
            pending = this.poll(url);
            continue;
          }
          if (failures > 0) {
            failures = 0;
            handlers.onRecovered();
          }
          if (batch.continuation.kind !== 'next') log.info(`event channel: ${batch.continuation.kind}`);
          url = batch.continuation.href;
          pending = this.poll(url);
          await pending.issued; // the next P-GET is on its way before we handle this batch
          try {
            await handlers.onBatch(batch);
          } catch (err) {
            log.error('handling an event batch failed', { err });
          }
          continue;
        }
        case 'retry': {
          failures++;
          const delay = this.delay(failures);
          log.warn('P-GET failed; retrying the same URL', {
            code: out.error.code,
            status: out.error.status,
            delayMs: delay,
          });
          handlers.onTrouble(out.error, delay);
          await this.wait(delay);
          pending = this.poll(url);
          continue;
        }
        case 'conflict':
          if (out.generation !== this.generation) continue; // superseded by our own newer P-GET
          this.stopped = true;
          handlers.onFatal(out.error);
          return;
        case 'gone':
          this.stopped = true;
          handlers.onApplicationGone(out.error);
          return;
        case 'fatal':
          this.stopped = true;
          handlers.onFatal(out.error);
          return;
      }
    }
  }

  private delay(failures: number): number {
    return backoffDelay(failures, this.o.random, this.o.backoff);
  }

  private wait(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.backoffWake = resolve;
      this.backoffTimer = this.o.clock.setTimeout(() => {
        this.backoffTimer = null;
        this.backoffWake = null;
        resolve();
      }, ms);
    });
  }

  private poll(url: string): Poll {
    const generation = ++this.generation;
    let markIssued!: () => void;
    const issued = new Promise<void>((r) => (markIssued = r));
    const target = appendQuery(url, { timeout: this.o.timeoutSec });
    const outcome = this.o.http
      .request('GET', target, {
        signal: this.abort.signal,
        timeoutMs: (this.o.timeoutSec + 60) * 1000,
        onIssued: markIssued,
      })
      .then(
        (res) => classify(res, generation),
        (err: unknown): PollOutcome => {
          if (err instanceof AbortedError || this.stopped) return { type: 'aborted' };
          if (err instanceof NetworkError) {
            return {
              type: 'retry',
              error: {
                status: null,
                code: err.timedOut ? 'Timeout' : 'NetworkError',
                subcode: null,
                message: 'The connection to the server was lost; reconnecting.',
              },
            };
          }
          if (err instanceof UcwaError) {
            const e = err.toAccountError();
            return err.transient ? { type: 'retry', error: e } : { type: 'fatal', error: e };
          }
          return {
            type: 'fatal',
            error: { status: null, code: 'InternalError', subcode: null, message: (err as Error).message },
          };
        },
      )
      .finally(markIssued);
    this.o.log.debug('P-GET', { url: describeHref(target) });
    return { issued, outcome };
  }
}

function classify(res: HttpResult, generation: number): PollOutcome {
  if (res.status === 200) return { type: 'ok', res, generation };
  const body: UcwaErrorBody | null = parseErrorBody(res.text, res.headers.get('content-type'));
  const error = toAccountError(res.status, body, 'events');
  if (res.status === 409 && body?.subcode === 'PGetReplaced') return { type: 'conflict', error, generation };
  if (res.status === 404) return { type: 'gone', error };
  if (res.status === 410) return { type: 'fatal', error };
  if (res.status === 401)
    return { type: 'fatal', error: { ...error, message: 'The server no longer accepts this sign-in.' } };
  return { type: 'retry', error };
}
