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
 *   404, 410 InactiveApplicationExpired → the application is gone: the owner re-creates it.
 *   Other 410s → stop; the owner surfaces them and retries slowly.
 *   401 → the http layer re-grants and retries the same URL once; a 401 after that fresh
 *   grant is retried with backoff (a new grant each time). A refused password stops the loop.
 *   403/502 that persist → the owner redoes discovery.
 *   5xx / network / anything else → backoff with jitter (quick first tries, capped ~10 s), same URL.
 * - `kick()` (wake): the held P-GET may be a dead connection: it is abandoned (aborted) and the
 *   same URL asked again at once (the ack did not advance); a backoff wait ends at once.
 */
import type { Clock, Logger, TimerHandle } from '../deps.js';
import type { AccountError } from '../provider.js';
import { parseErrorBody, toAccountError, UcwaError, type UcwaErrorBody } from './errors.js';
import { parseEventBatch, type EventBatch } from './events.js';
import { AbortedError, NetworkError, type HttpResult, type UcwaHttp } from './http.js';
import { appendQuery, describeHref } from './links.js';

export interface BackoffOptions {
  /** First delay, ms (default 500: the first retry comes after 250..500 ms). */
  baseMs?: number;
  /** Largest delay, ms (default 10 000: a phone must ring soon after the server is back). */
  capMs?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 500, capMs: 10_000 } as const;

/** How many 403/502 answers in a row make the owner redo discovery. */
export const REDISCOVER_AFTER = 3;

/** Exponential backoff with "equal jitter": half fixed, half random; capped. */
export function backoffDelay(attempt: number, random: () => number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const cap = o.capMs ?? DEFAULT_BACKOFF.capMs;
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
  /** A P-GET (or its answer) arrived: the server was heard from. */
  onHeard?(): void;
  /** A retry (after trouble) or a wake re-issued the P-GET: the owner may probe the session. */
  onReissued?(why: 'retry' | 'wake'): void;
  /** The application no longer exists (404, 410 InactiveApplicationExpired): the owner re-creates it; this loop has ended. */
  onApplicationGone(error: AccountError): void;
  /** 403/502 persisted: the server's address may have changed; the owner redoes discovery; this loop has ended. */
  onRediscover?(error: AccountError): void;
  /** The password was refused: nothing may be sent until the user acts; this loop has ended. */
  onRefused?(error: AccountError): void;
  /** The loop cannot go on (409 PGetReplaced, other 410s); it has ended. */
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
  | { type: 'refused'; error: AccountError }
  | { type: 'conflict'; error: AccountError; generation: number }
  | { type: 'kicked' }
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
  /** Consecutive failures (drives the backoff; 0 after a good answer). */
  private failures = 0;
  /** The owner was told of trouble and not yet of recovery (one 'reconnecting' per outage). */
  private troubled = false;
  /** Aborts the P-GET in flight (a wake abandons it; the loop asks again). */
  private pollAbort: AbortController | null = null;
  private kicked = false;

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

  /**
   * The owner saw the server answer (a probe of the application after a re-issued P-GET, which
   * the server may hold for minutes): the outage is over.
   */
  confirmHealthy(): void {
    if (this.stopped || !this.troubled) return;
    this.troubled = false;
    this.o.handlers.onRecovered();
  }

  /**
   * Wake: abandon the P-GET in flight (it may be a dead connection) and ask the same URL again
   * at once; a backoff wait ends now. No-op once stopped.
   */
  kick(): void {
    if (this.stopped) return;
    this.kicked = true;
    this.pollAbort?.abort();
    if (this.backoffTimer !== null) this.o.clock.clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    const wake = this.backoffWake;
    this.backoffWake = null;
    wake?.();
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
    let gatewayFailures = 0;
    const retry = async (error: AccountError): Promise<void> => {
      this.failures++;
      const delay = this.delay(this.failures);
      // One 'reconnecting' per outage: the owner is told on the first failure only.
      if (!this.troubled) {
        this.troubled = true;
        handlers.onTrouble(error, delay);
      }
      log.warn('P-GET failed; retrying the same URL', { code: error.code, status: error.status, delayMs: delay });
      await this.wait(delay);
      if (this.stopped) return;
      pending = this.poll(url);
      // The server may hold a good P-GET for minutes: after a network failure or a wake the
      // owner probes the session to learn sooner that the outage is over.
      if (this.takeKick()) handlers.onReissued?.('wake');
      else if (error.status === null) handlers.onReissued?.('retry');
    };
    while (!this.stopped) {
      const out = await pending.outcome;
      if (this.stopped || out.type === 'aborted') return;
      if (out.type !== 'kicked' && out.type !== 'retry') handlers.onHeard?.();
      if (out.type === 'retry' && out.error.status !== null) handlers.onHeard?.();
      switch (out.type) {
        case 'kicked':
          this.takeKick();
          log.info('wake: the held P-GET was abandoned; asking the same URL again');
          pending = this.poll(url);
          handlers.onReissued?.('wake');
          continue;
        case 'ok': {
          gatewayFailures = 0;
          const batch = parseEventBatch(out.res.json ?? out.res.text, url);
          if (batch.problems.length)
            log.warn('skipped malformed parts of an event batch', { problems: batch.problems });
          if (!batch.continuation) {
            await retry({
              status: out.res.status,
              code: 'MalformedEvents',
              subcode: null,
              message: 'The server sent an unreadable event batch; asking again.',
            });
            continue;
          }
          this.failures = 0;
          if (this.troubled) {
            this.troubled = false;
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
          if (out.error.status === 403 || out.error.status === 502) {
            if (++gatewayFailures >= REDISCOVER_AFTER && handlers.onRediscover) {
              this.stopped = true;
              handlers.onRediscover(out.error);
              return;
            }
          } else gatewayFailures = 0;
          await retry(out.error);
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
        case 'refused':
          this.stopped = true;
          (handlers.onRefused ?? handlers.onFatal)(out.error);
          return;
        case 'fatal':
          this.stopped = true;
          handlers.onFatal(out.error);
          return;
      }
    }
  }

  private takeKick(): boolean {
    const k = this.kicked;
    this.kicked = false;
    return k;
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
    const pollAbort = new AbortController();
    this.pollAbort = pollAbort;
    const outcome = this.o.http
      .request('GET', target, {
        signal: AbortSignal.any([this.abort.signal, pollAbort.signal]),
        timeoutMs: (this.o.timeoutSec + 60) * 1000,
        onIssued: markIssued,
      })
      .then(
        (res) => classify(res, generation),
        (err: unknown): PollOutcome => {
          if (this.stopped) return { type: 'aborted' };
          if (err instanceof AbortedError) return pollAbort.signal.aborted ? { type: 'kicked' } : { type: 'aborted' };
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
            if (err.code === 'InvalidCredentials' || err.code === 'NoPassword') return { type: 'refused', error: e };
            // Anything else on the way to an answer (a sign-in server hiccup, an unsafe link is
            // not among them: it is fatal) is asked again later.
            return err.code === 'UnsafeLink' ? { type: 'fatal', error: e } : { type: 'retry', error: e };
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
  if (res.status === 410)
    return isSilentlyRecreated(body?.subcode) ? { type: 'gone', error } : { type: 'fatal', error };
  if (res.status === 401)
    // Even right after a fresh grant (a pool failover, a token revoked twice): never fatal.
    return { type: 'retry', error: { ...error, message: 'The server did not accept the sign-in; trying again.' } };
  return { type: 'retry', error };
}

/** 410 subcodes after which the application is simply re-created (what a pool says after a long sleep). */
export function isSilentlyRecreated(subcode: string | null | undefined): boolean {
  return !subcode || subcode === 'InactiveApplicationExpired' || subcode === 'ApplicationNotFound';
}
