/**
 * One application's event channel (P-GET) with the semantics of EventChannelDetails.md and
 * EventsInUCWA.md:
 *  - `ack=N` acknowledges response N; the answer to it is the next batch, whose `next` link
 *    carries a new, opaque ack number;
 *  - re-GETting the ack that produced the unacknowledged batch resends that same batch
 *    (exactly-once via ack); any other ack gets a response holding only `resync`, pointing at
 *    the first unacknowledged batch;
 *  - with nothing queued the P-GET is held until events arrive or `timeout` (seconds,
 *    remembered across P-GETs, capped by the simulator's maxHoldMs);
 *  - a second P-GET with the same ack supersedes the held one (409 PGetReplaced), unless its
 *    `priority` is lower, in which case it is the one refused.
 * Only the last, unacknowledged batch is kept: acknowledged batches are dropped.
 */
import type { ServerResponse } from 'node:http';
import { FAIL, sendFailure } from './http.js';
import { nextAck } from './ids.js';
import type { PgetRecord, SimFailure } from './types.js';

/** One event for the `sender` array, plus a hook run once it has been put in a response. */
export interface ChannelEvent {
  sender: { rel: string; href: string };
  event: Record<string, unknown>;
  onSent?: () => void;
}

export interface ChannelHost {
  /** Link (relative or absolute, per the application) of `events?ack=<token>`. */
  eventsHref(token: string): string;
  maxHoldMs(): number | undefined;
  /** One-shot "duplicate the next batch" flag; consumed only by a non-empty batch. */
  takeDuplicate(): boolean;
  /** The server cleaned up transient state (resume): drop conversations and invitations. */
  onResume(): void;
  /** Called whenever `listening` may have changed. */
  onStateChange(): void;
}

/** Per-request modifiers decided by the simulator's misbehaviour queue. */
export interface PgetMods {
  resync?: boolean;
  resume?: boolean;
  /** Build the answer (the batch counts as sent) but destroy the socket instead of writing it. */
  loseResponse?: boolean;
}

interface Held {
  res: ServerResponse;
  rec: PgetRecord;
  priority: number;
  lose: boolean;
  timer: NodeJS.Timeout;
}

interface Sent {
  requestToken: string;
  nextToken: string;
  body: string;
}

const DEFAULT_TIMEOUT_S = 180;
const MIN_TIMEOUT_S = 180;
const MAX_TIMEOUT_S = 1800;

export class EventChannel {
  private acked = '1';
  private sent: Sent | null = null;
  private queue: ChannelEvent[] = [];
  private held: Held | null = null;
  private timeoutS = DEFAULT_TIMEOUT_S;
  private flushScheduled: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(
    private readonly host: ChannelHost,
    private readonly salt: number,
  ) {}

  /** A P-GET is parked. */
  get listening(): boolean {
    return this.held !== null;
  }

  /** The URL a client should GET now (for the application resource's `events` link). */
  currentHref(): string {
    return this.host.eventsHref(this.acked);
  }

  /** Number of queued, not yet sent events (bounded-memory checks). */
  get queued(): number {
    return this.queue.length;
  }

  enqueue(events: ChannelEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.queue.push(...events);
    this.flushScheduled ??= setImmediate(() => {
      this.flushScheduled = null;
      this.flush();
    });
  }

  /** Handle `GET events?ack=<token>`. */
  get(res: ServerResponse, url: URL, rec: PgetRecord, mods: PgetMods): void {
    const token = url.searchParams.get('ack') ?? '';
    const timeout = Number(url.searchParams.get('timeout'));
    if (url.searchParams.has('timeout') && Number.isFinite(timeout)) {
      this.timeoutS = Math.min(MAX_TIMEOUT_S, Math.max(MIN_TIMEOUT_S, Math.round(timeout)));
    }
    const priority = Number(url.searchParams.get('priority') ?? 0) || 0;
    const isAck = this.sent !== null && token === this.sent.nextToken;

    if (mods.resync) {
      if (isAck) this.acknowledge(token);
      return this.answer(res, rec, 'resync', this.resyncBody(token), mods.loseResponse);
    }
    if (isAck) this.acknowledge(token);
    else if (this.sent && token === this.sent.requestToken) {
      return this.answer(res, rec, 'resend', this.sent.body, mods.loseResponse);
    } else if (token !== this.acked) {
      return this.answer(res, rec, 'resync', this.resyncBody(token), mods.loseResponse);
    }

    // token === acked and nothing unacknowledged: serve the next batch.
    if (mods.resume) {
      this.queue = [];
      this.host.onResume();
      return this.answer(res, rec, 'resume', this.buildBatch(token, 'resume'), mods.loseResponse);
    }
    if (this.held) {
      if (priority < this.held.priority) return this.answer(res, rec, 'replaced', null, false, FAIL.pgetReplaced());
      const old = this.held;
      this.unhold();
      this.answer(old.res, old.rec, 'replaced', null, false, FAIL.pgetReplaced());
    }
    if (this.queue.length > 0)
      return this.answer(res, rec, 'events', this.buildBatch(token, 'next'), mods.loseResponse);

    const cap = this.host.maxHoldMs();
    const holdMs = Math.min(this.timeoutS * 1000, cap ?? Number.POSITIVE_INFINITY);
    const timer = setTimeout(() => {
      const h = this.held;
      if (!h || h.res !== res) return;
      this.unhold();
      this.answer(h.res, h.rec, 'empty', this.buildBatch(this.acked, 'next'), h.lose);
    }, holdMs);
    this.held = { res, rec, priority, lose: Boolean(mods.loseResponse), timer };
    res.once('close', () => {
      if (this.held?.res === res) this.unhold();
    });
    this.host.onStateChange();
  }

  /**
   * Misbehaviour: forget the held P-GET without answering it, as a connection that died while
   * the client slept (nothing reaches the client; events queue until a new P-GET arrives).
   * Returns the abandoned response (the caller keeps it open) or null when none was held.
   */
  abandon(): ServerResponse | null {
    const h = this.held;
    if (!h) return null;
    this.unhold();
    h.rec.outcome = 'dropped';
    return h.res;
  }

  /** The application is gone: answer a held P-GET with `failure`, stop everything. */
  fail(failure: SimFailure): void {
    const h = this.held;
    this.unhold();
    this.close();
    if (h) this.answer(h.res, h.rec, 'error', null, false, failure);
  }

  /** Release a held P-GET with whatever is queued (usually an empty batch); stop timers. */
  close(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = null;
    const h = this.held;
    if (h) {
      this.unhold();
      if (!this.closed) this.answer(h.res, h.rec, 'closed', this.buildBatch(this.acked, 'next'), false);
    }
    this.closed = true;
    this.queue = [];
  }

  private flush(): void {
    const h = this.held;
    if (!h || this.queue.length === 0) return;
    this.unhold();
    this.answer(h.res, h.rec, 'events', this.buildBatch(this.acked, 'next'), h.lose);
  }

  private unhold(): void {
    if (!this.held) return;
    clearTimeout(this.held.timer);
    this.held = null;
    this.host.onStateChange();
  }

  private acknowledge(token: string): void {
    this.sent = null;
    this.acked = token;
  }

  private resyncBody(token: string): string {
    return JSON.stringify({
      _links: { self: { href: this.host.eventsHref(token) }, resync: { href: this.host.eventsHref(this.acked) } },
    });
  }

  /** Drains the queue into a response; it becomes the single unacknowledged batch. */
  private buildBatch(requestToken: string, rel: 'next' | 'resume'): string {
    let events = this.queue.splice(0);
    if (events.length > 0 && this.host.takeDuplicate())
      events = events.flatMap((e) => [e, { ...e, onSent: undefined }]);
    const nextToken = String(nextAck(Number(requestToken), this.salt));
    const sender: Array<{ rel: string; href: string; events: Array<Record<string, unknown>> }> = [];
    for (const e of events) {
      const last = sender[sender.length - 1];
      if (last && last.rel === e.sender.rel && last.href === e.sender.href) last.events.push(e.event);
      else sender.push({ rel: e.sender.rel, href: e.sender.href, events: [e.event] });
    }
    const body: Record<string, unknown> = {
      _links: { self: { href: this.host.eventsHref(requestToken) }, [rel]: { href: this.host.eventsHref(nextToken) } },
    };
    if (sender.length > 0) body.sender = sender;
    const text = JSON.stringify(body);
    this.sent = { requestToken, nextToken, body: text };
    for (const e of events) e.onSent?.();
    return text;
  }

  private answer(
    res: ServerResponse,
    rec: PgetRecord,
    outcome: string,
    body: string | null,
    lose = false,
    failure?: SimFailure,
  ): void {
    rec.outcome = lose ? 'dropped' : outcome;
    if (res.writableEnded || res.destroyed) return;
    if (lose) {
      res.socket?.destroy();
      res.destroy();
      return;
    }
    if (failure) return sendFailure(res, failure);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body ?? ''),
    });
    res.end(body ?? '');
  }
}
