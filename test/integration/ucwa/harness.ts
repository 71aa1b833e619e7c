/**
 * Shared set-up of the UCWA provider integration tests: the REAL simulator on loopback, the
 * REAL provider (and, where a test drives it so, the real Engine), an in-memory key/value
 * store and secret store, and recorders that let a test wait on what happened — never sleep.
 *
 * `timeline` interleaves the provider's outgoing fetch calls with what it reported to the
 * sink, in the order they happened (used to pin down "next P-GET before handling").
 */
import { afterEach } from 'vitest';
import type { UcwaAccount } from '../../../electron/core/config.js';
import { systemClock, type Clock, type Fetch, type KeyValueStore, type Logger } from '../../../electron/core/deps.js';
import { Engine, type EngineEvent } from '../../../electron/core/engine.js';
import type { Invitation, Outcome } from '../../../electron/core/invitation.js';
import { createLogger } from '../../../electron/core/log.js';
import type { AccountError, AccountState, ProviderSink } from '../../../electron/core/provider.js';
import { UcwaProvider, type UcwaDeps } from '../../../electron/core/ucwa/provider.js';
import {
  demoUcwaAccount,
  DEMO_USER,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../../electron/simulator/index.js';

export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  async get(key: string) {
    return this.data.get(key);
  }
  async set(key: string, value: string) {
    this.data.set(key, value);
  }
}

/** A growing list whose readers can wait for a condition, re-checked on every push. */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters = new Set<() => boolean>();

  push(item: T): void {
    this.items.push(item);
    for (const w of [...this.waiters]) if (w()) this.waiters.delete(w);
  }

  /** Resolves with the first truthy `probe()` result; re-evaluated after every push. */
  waitFor<R>(probe: (items: T[]) => R | undefined | null | false, what: string, timeoutMs = 8_000): Promise<R> {
    const now = probe(this.items);
    if (now) return Promise.resolve(now);
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; saw: ${JSON.stringify(this.items.slice(-15), null, 1)}`));
      }, timeoutMs);
      const check = () => {
        const v = probe(this.items);
        if (!v) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      this.waiters.add(check);
    });
  }
}

export type SinkEvent =
  | { type: 'state'; state: AccountState; error?: AccountError }
  | { type: 'ringing'; invitation: Invitation }
  | { type: 'ended'; id: string; outcome: Outcome };

export type TimelineEntry = { kind: 'fetch'; method: string; url: string } | { kind: 'sink'; event: SinkEvent };

/** A response the provider received (body read from a clone; the provider reads its own). */
export interface SeenResponse {
  method: string;
  url: string;
  status: number;
  body: string;
}

export class RecordingSink implements ProviderSink {
  readonly events = new Recorder<SinkEvent>();
  constructor(private readonly timeline?: Recorder<TimelineEntry>) {}

  ringing(invitation: Invitation): void {
    this.record({ type: 'ringing', invitation });
  }
  ended(id: string, outcome: Outcome): void {
    this.record({ type: 'ended', id, outcome });
  }
  state(state: AccountState, error?: AccountError): void {
    this.record(error ? { type: 'state', state, error } : { type: 'state', state });
  }
  private record(e: SinkEvent) {
    this.events.push(e);
    this.timeline?.push({ kind: 'sink', event: e });
  }

  states(): AccountState[] {
    return this.events.items.filter((e) => e.type === 'state').map((e) => (e as { state: AccountState }).state);
  }
  ringingInvitations(): Invitation[] {
    return this.events.items.flatMap((e) => (e.type === 'ringing' ? [e.invitation] : []));
  }
  waitState(state: AccountState, what = `state ${state}`) {
    return this.events.waitFor(
      (xs) =>
        xs.find((e) => e.type === 'state' && e.state === state) as Extract<SinkEvent, { type: 'state' }> | undefined,
      what,
    );
  }
  /** Waits for the n-th ringing invitation (1-based), optionally matching `pred`. */
  waitRinging(pred: (i: Invitation) => boolean = () => true, what = 'a ringing invitation') {
    return this.events.waitFor(
      (xs) => xs.flatMap((e) => (e.type === 'ringing' && pred(e.invitation) ? [e.invitation] : []))[0],
      what,
    );
  }
  waitEnded(id: string) {
    return this.events.waitFor(
      (xs) => xs.find((e) => e.type === 'ended' && e.id === id) as Extract<SinkEvent, { type: 'ended' }> | undefined,
      `end of ${id}`,
    );
  }
}

/** Log lines (debug and up), for "never logs secrets" checks and for waiting on what the provider did. */
export function captureLogger(lines: Recorder<string>): Logger {
  return createLogger((l) => lines.push(l), { level: 'debug' });
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  /** Reuse a running simulator instead of starting one. */
  simulator?: Simulator;
  account?: Partial<UcwaAccount>;
  deps?: Partial<UcwaDeps>;
  clock?: Clock;
  store?: MemoryStore;
  /** Password the secret store hands out (default: the simulator's demo password). */
  password?: string | undefined;
  /** Wraps the network fetch (e.g. to play DNS for lyncdiscover hosts). */
  network?: (inner: Fetch) => Fetch;
}

export interface Harness {
  sim: Simulator;
  account: UcwaAccount;
  provider: UcwaProvider;
  sink: RecordingSink;
  timeline: Recorder<TimelineEntry>;
  /** Every HTTP answer the provider got, in arrival order. */
  responses: Recorder<SeenResponse>;
  store: MemoryStore;
  /** The provider's log lines. */
  log: Recorder<string>;
  /** Waits until `n` log lines contain `text`. */
  waitLog(text: string, n?: number): Promise<true>;
  clock: Clock;
  /** Starts the provider and waits until it is connected and its P-GET is parked at the simulator. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** The simulator plus one UcwaProvider for its demo account, talking through a recording sink. */
export async function harness(o: HarnessOptions = {}): Promise<Harness> {
  const sim = o.simulator ?? (await startSimulator(o.sim));
  const account: UcwaAccount = { ...demoUcwaAccount(sim), password: undefined, ...o.account };
  delete (account as { password?: string }).password;
  const timeline = new Recorder<TimelineEntry>();
  const sink = new RecordingSink(timeline);
  const store = o.store ?? new MemoryStore();
  const log = new Recorder<string>();
  const clock = o.clock ?? systemClock;
  const base: Fetch = (input, init) => globalThis.fetch(input, init);
  const network = o.network ? o.network(base) : base;
  const responses = new Recorder<SeenResponse>();
  const recordingFetch: Fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = String(input);
    timeline.push({ kind: 'fetch', method, url });
    const res = await network(input, init);
    void res
      .clone()
      .text()
      .then(
        (body) => responses.push({ method, url, status: res.status, body }),
        () => responses.push({ method, url, status: res.status, body: '<unreadable>' }),
      );
    return res;
  };
  const password = 'password' in o ? o.password : DEMO_USER.password;
  const provider = new UcwaProvider(account, {
    fetch: recordingFetch,
    clock,
    logger: captureLogger(log),
    store,
    secrets: { get: async (name) => (name === `${account.id}.password` ? password : undefined) },
    random: () => 0,
    ...o.deps,
  });
  let closed = false;
  return {
    sim,
    account,
    provider,
    sink,
    timeline,
    responses,
    store,
    log,
    waitLog: (text, n = 1) =>
      log.waitFor((xs) => xs.filter((l) => l.includes(text)).length >= n || false, `${n}× log "${text}"`),
    clock,
    async connect() {
      await provider.start(sink);
      await sink.waitState('connected');
      await sim.ucwa.waitUntilListening();
    },
    async close() {
      if (closed) return;
      closed = true;
      await provider.stop();
      if (!o.simulator) await sim.close();
    },
  };
}

/** The real Engine with one UcwaProvider added; engine events recorded. */
export async function withEngine(h: Harness, clock: Clock = h.clock) {
  const engine = new Engine({ clock, logger: createLogger(() => {}, { level: 'error' }) });
  const events = new Recorder<EngineEvent>();
  engine.on((e) => events.push(e));
  await engine.addAccount(h.provider);
  const waitInvitation = (pred: (i: Invitation) => boolean = () => true) =>
    events.waitFor(
      (xs) => xs.flatMap((e) => (e.type === 'invitation' && pred(e.invitation) ? [e.invitation] : []))[0],
      'an invitation',
    );
  const waitEnded = (id: string) =>
    events.waitFor(
      (xs) => xs.find((e) => e.type === 'ended' && e.id === id) as Extract<EngineEvent, { type: 'ended' }> | undefined,
      `end of ${id}`,
    );
  const waitAccount = (state: AccountState) =>
    events.waitFor(
      (xs) =>
        xs.find((e) => e.type === 'account' && e.state === state) as
          Extract<EngineEvent, { type: 'account' }> | undefined,
      `account ${state}`,
    );
  return { engine, events, waitInvitation, waitEnded, waitAccount };
}

/** The simulator's path+query of an absolute or relative href. */
export function pathOf(href: string, origin: string): string {
  const u = new URL(href, origin);
  return u.pathname + u.search;
}

/** A URL without our own `timeout` parameter (what the server's link said). */
export function withoutTimeout(url: string): string {
  return url
    .replace(/([?&])timeout=\d+(&|$)/, (_m, pre: string, post: string) => (post ? pre : ''))
    .replace(/[?&]$/, '');
}

/**
 * The harnesses (and extra simulators) a test file makes, closed after each test.
 * Call once at the top of a test file; `defaults` adjusts every harness's options.
 */
export function harnessPool(defaults: (o: HarnessOptions) => HarnessOptions = (o) => o) {
  let open: Harness[] = [];
  let sims: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(open.map((h) => h.close()));
    await Promise.all(sims.map((s) => s.close()));
    open = [];
    sims = [];
  });
  const make = async (o: HarnessOptions = {}) => {
    const h = await harness(defaults(o));
    open.push(h);
    return h;
  };
  return {
    make,
    /** Closes `sim` after the test too. */
    track: (sim: Simulator) => void sims.push(sim),
    /** A harness whose provider runs in a real Engine, signed in and listening. */
    connected: async (o: HarnessOptions = {}) => {
      const h = await make(o);
      const e = await withEngine(h);
      await e.waitAccount('connected');
      await h.sim.ucwa.waitUntilListening();
      return { h, ...e };
    },
  };
}
