/**
 * The UCWA part of the chaos soak: the real engine and UcwaProvider in THIS process against
 * the simulator in ANOTHER process (bench/soak/ucwaSimProcess.ts, driven over IPC), N
 * invitations one after another, about 20 % of them under compound faults:
 *   P-GET 500 / reset / lost answer / 401 / 401 after a fresh grant / malformed / delay,
 *   a dead connection + wake, resync while ringing, 404 and 410 application loss (before or
 *   while ringing), decline 500 / reset / 409 with the user retrying each reported failure;
 * a mix of IM, audio, video and meeting invitations; callers cancelling and invitations missed.
 * Every `outageEvery` invitations the server goes away (connections refused) for a few seconds
 * and a call is placed the moment it is back.
 * It counts what must never happen and measures ring latency under faults, after a wake and
 * after an outage, and RSS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../electron/core/deps.js';
import { Engine, type EngineEvent } from '../../electron/core/engine.js';
import type { Outcome } from '../../electron/core/invitation.js';
import { silentLogger } from '../../electron/core/log.js';
import type { BackoffOptions } from '../../electron/core/ucwa/eventChannel.js';
import { UcwaProvider } from '../../electron/core/ucwa/provider.js';
import type { InvitationKind } from '../../electron/simulator/ucwa/types.js';
import type { SoakReport } from './report.js';
import type { SimFault, SimOp } from './ucwaSimProcess.js';

export interface SoakUcwaOptions {
  n: number;
  /** Share of invitations that meet faults (default 0.2). */
  faultRate?: number;
  /** PRNG seed (default 7): the same seed gives the same fault plan. */
  seed?: number;
  /** Event-channel backoff (default: the provider's own). */
  backoff?: BackoffOptions;
  /** How long an invitation may take to ring or to end before it counts as lost / never ended, ms. */
  waitMs?: number;
  /** An outage (server refusing connections) before every this many invitations (default n/10, at least 1 per run). */
  outageEvery?: number;
  /** How long each outage lasts, ms (default 3–6 s, at random). */
  outageMs?: () => number;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
}

const KINDS: InvitationKind[] = ['messaging', 'phoneAudio', 'onlineMeeting', 'audioVideo'];
const BEFORE_RING: SimFault[] = [
  'pget500',
  'pgetReset',
  'pgetLostResponse',
  'pget401',
  'pget401AfterGrant',
  'pgetMalformed',
  'pgetDelay',
  'deadConnection',
  'appRemoved404',
  'appExpired410',
];
const WHILE_RINGING: SimFault[] = ['pgetResync', 'pgetResync', 'pget500', 'appRemoved404', 'appExpired410'];
const ON_DECLINE: SimFault[] = ['decline500', 'declineReset', 'decline409'];

/** mulberry32: small, seedable, good enough to plan faults. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class SimProcess {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const m = raw as { id?: number; ok?: boolean; result?: unknown; error?: string };
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`simulator process: ${m.error}`));
    });
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('simulator process exited'));
      this.pending.clear();
    });
  }

  static async start(): Promise<{ sim: SimProcess; discoveryUrl: string; origin: string }> {
    const child = fork(fileURLToPath(new URL('./ucwaSimProcess.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ discoveryUrl: string; origin: string }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`simulator process exited (${code}) before it was ready`)));
      child.once('message', (m) => resolve(m as { discoveryUrl: string; origin: string }));
    });
    return { sim: new SimProcess(child), ...ready };
  }

  call<T = unknown>(op: SimOp['op'], args: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, args });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.call('close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Waits on engine events by predicate, with a timeout (null when it passed). */
class EventWaiter {
  private readonly waiters = new Set<{ pred: (e: EngineEvent) => boolean; done: (e: EngineEvent | null) => void }>();
  feed(e: EngineEvent): void {
    for (const w of [...this.waiters]) if (w.pred(e)) w.done(e);
  }
  wait<E extends EngineEvent>(pred: (e: EngineEvent) => e is E, ms: number): Promise<E | null> {
    return new Promise((resolve) => {
      const w = {
        pred,
        done: (e: EngineEvent | null) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(e as E | null);
        },
      };
      const timer = setTimeout(() => w.done(null), ms);
      this.waiters.add(w);
    });
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Memory after a full collection (twice, a turn apart, so finalizers and freed pages settle). */
async function memory(): Promise<{ rss: number; heap: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setImmediate(r));
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 1024 / 1024, heap: m.heapUsed / 1024 / 1024 };
}

export async function soakUcwa(opts: SoakUcwaOptions): Promise<SoakReport> {
  const n = Math.floor(opts.n);
  if (!Number.isFinite(n) || n < 1) throw new Error(`soakUcwa: n must be a positive whole number, got ${opts.n}`);
  const rand = prng(opts.seed ?? 7);
  const faultRate = opts.faultRate ?? 0.2;
  const waitMs = opts.waitMs ?? 20_000;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  const { sim, discoveryUrl } = await SimProcess.start();
  const engine = new Engine({ clock: systemClock, logger: silentLogger });
  const waiter = new EventWaiter();
  const rang = new Map<string, number>();
  const endedCount = new Map<string, number>();
  engine.on((e) => {
    if (e.type === 'invitation') rang.set(e.invitation.id, (rang.get(e.invitation.id) ?? 0) + 1);
    if (e.type === 'ended') endedCount.set(e.id, (endedCount.get(e.id) ?? 0) + 1);
    waiter.feed(e);
  });
  const store = new Map<string, string>();
  const provider = new UcwaProvider(
    {
      id: 'soak-ucwa',
      provider: 'ucwa',
      sipAddress: 'demo@softphone.test',
      username: 'demo@softphone.test',
      discoveryUrl,
    },
    {
      fetch: (i, init) => fetch(i, init),
      clock: systemClock,
      logger: silentLogger,
      store: { get: async (k) => store.get(k), set: async (k, v) => void store.set(k, v) },
      secrets: { get: async () => 'demo' },
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    },
  );

  const counts = {
    lost: 0,
    neverEnded: 0,
    declinesNeverDelivered: 0,
    declinePostsBeyondReported: 0,
    wronglyEnded: 0,
  };
  const faultedLatency: number[] = [];
  /** Wake (after a dead connection) → the call placed during the "sleep" rings. */
  const wakeLatency: number[] = [];
  /** Server back after an outage → the call placed at that moment rings. */
  const outageLatency: number[] = [];
  const outageEvery = Math.max(1, Math.floor(opts.outageEvery ?? Math.max(1, n / 10)));
  const outageMs = opts.outageMs ?? (() => 3_000 + Math.floor(rand() * 3_000));
  const cleanLatency: number[] = [];
  const outcomes = new Map<Outcome | 'lost', number>();
  const declineFailures = new Map<string, number>();
  let faulted = 0;
  let declineRetries = 0;
  /** Filled in as the run goes (an object, so the finally block and the report share it). */
  const m = { start: { rss: 0, heap: 0 }, at1k: { rss: 0, heap: 0 }, created: 0 };

  try {
    const connected = waiter.wait(
      (e): e is Extract<EngineEvent, { type: 'account' }> => e.type === 'account' && e.state === 'connected',
      waitMs,
    );
    await engine.addAccount(provider);
    if (!(await connected)) throw new Error('soakUcwa: the account never connected');
    await sim.call('waitListening');
    m.start = await memory();

    for (let i = 0; i < n; i++) {
      if (i % outageEvery === Math.floor(outageEvery / 2)) {
        // ── an outage: the pool goes away, the account reconnects by itself when it is back
        await sim.call('refuseConnections');
        await new Promise((r) => setTimeout(r, outageMs()));
        await sim.call('acceptConnections');
        const back = performance.now();
        const handle = await sim.call<{ id: string; href: string }>('ring', { kind: pick(KINDS) });
        const id = `soak-ucwa:${handle.href}`;
        const ended = waiter.wait(
          (e): e is Extract<EngineEvent, { type: 'ended' }> => e.type === 'ended' && e.id === id,
          waitMs * 2,
        );
        const rang = await waiter.wait(
          (e): e is Extract<EngineEvent, { type: 'invitation' }> => e.type === 'invitation' && e.invitation.id === id,
          waitMs,
        );
        if (rang) outageLatency.push(performance.now() - back);
        else {
          counts.lost++;
          outcomes.set('lost', (outcomes.get('lost') ?? 0) + 1);
        }
        await sim.call('cancel', { id: handle.id });
        const end = await ended;
        if (!end) counts.neverEnded++;
        else outcomes.set(end.outcome, (outcomes.get(end.outcome) ?? 0) + 1);
        await sim.call('waitListening');
      }
      const faulty = rand() < faultRate;
      if (faulty) faulted++;
      const before: SimFault | null = faulty && rand() < 0.6 ? pick(BEFORE_RING) : null;
      const whileRinging: SimFault | null = faulty && (!before || rand() < 0.3) ? pick(WHILE_RINGING) : null;
      const fate = rand() < 0.55 ? 'decline' : rand() < 0.55 ? 'cancel' : 'missed';
      const onDecline: SimFault | null = faulty && fate === 'decline' && rand() < 0.5 ? pick(ON_DECLINE) : null;

      // ── before the ring: arm a P-GET fault and make the next P-GET the one that meets it
      if (before === 'deadConnection') {
        await sim.call('fault', { name: before });
      } else if (before) {
        await sim.call('fault', { name: before });
        if (before !== 'appRemoved404' && before !== 'appExpired410') await sim.call('push');
        await sim.call('waitListening').catch(() => undefined);
      } else {
        await sim.call('waitListening');
      }

      // ── ring
      const t0 = performance.now();
      const handle = await sim.call<{ id: string; href: string }>('ring', { kind: pick(KINDS) });
      const id = `soak-ucwa:${handle.href}`;
      const ringing = waiter.wait(
        (e): e is Extract<EngineEvent, { type: 'invitation' }> => e.type === 'invitation' && e.invitation.id === id,
        waitMs,
      );
      const ended = waiter.wait(
        (e): e is Extract<EngineEvent, { type: 'ended' }> => e.type === 'ended' && e.id === id,
        waitMs * 2,
      );
      let wokeAt: number | null = null;
      if (before === 'deadConnection') {
        // the laptop slept through the call; it wakes a moment later
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 30)));
        wokeAt = performance.now();
        engine.wake('resume');
      }
      const rangEvent = await ringing;
      if (!rangEvent) {
        counts.lost++;
        outcomes.set('lost', (outcomes.get('lost') ?? 0) + 1);
        await sim.call('cancel', { id: handle.id });
        await ended;
        continue;
      }
      (before ? faultedLatency : cleanLatency).push(performance.now() - t0);
      if (wokeAt !== null) wakeLatency.push(performance.now() - wokeAt);

      // ── while it rings
      if (whileRinging) {
        await sim.call('fault', { name: whileRinging });
        if (whileRinging === 'pgetResync' || whileRinging === 'pget500') await sim.call('push');
      }

      // ── its fate
      let reportedFailures = 0;
      let declineSent = false;
      if (fate === 'decline') {
        if (onDecline) await sim.call('fault', { name: onDecline });
        for (let attempt = 0; attempt < 6 && !declineSent; attempt++) {
          let r;
          try {
            r = await engine.decline(id);
          } catch {
            break; // it ended meanwhile (application lost while ringing)
          }
          if (r.status === 'sent') declineSent = true;
          else if (r.status === 'failed') {
            const key = `${r.error.status ?? '-'} ${r.error.code}`;
            declineFailures.set(key, (declineFailures.get(key) ?? 0) + 1);
            reportedFailures++;
            declineRetries++; // the user saw the error and clicks Decline again
          } else break;
        }
      } else if (fate === 'cancel') {
        await sim.call('cancel', { id: handle.id });
      } else {
        await sim.call('complete', { id: handle.id, subcode: 'Missed' });
      }

      const end = await ended;
      if (!end) {
        counts.neverEnded++;
        continue;
      }
      outcomes.set(end.outcome, (outcomes.get(end.outcome) ?? 0) + 1);
      if ((await sim.call<string>('callState', { id: handle.id })) === 'ringing') {
        counts.wronglyEnded++;
        await sim.call('cancel', { id: handle.id });
      }
      if (fate === 'decline') {
        const path = new URL(`${handle.href}/decline`).pathname;
        const posts = await sim.call<number>('declinePosts', { path });
        if (declineSent && posts === 0) counts.declinesNeverDelivered++;
        if (posts > reportedFailures + 1) counts.declinePostsBeyondReported += posts - reportedFailures - 1;
      }
      if (i + 1 === Math.min(1000, n)) m.at1k = await memory();
      if ((i + 1) % 250 === 0) opts.progress?.(`ucwa soak: ${i + 1}/${n}`);
    }
  } finally {
    await engine.stop().catch(() => undefined);
    m.created = (await sim.call<{ created: number }>('stats').catch(() => ({ created: 0 }))).created;
    await sim.close();
  }
  const end = await memory();
  const rungTwice = [...rang.values()].filter((c) => c > 1).length;
  const endedTwice = [...endedCount.values()].filter((c) => c > 1).length;
  faultedLatency.sort((a, b) => a - b);
  cleanLatency.sort((a, b) => a - b);
  wakeLatency.sort((a, b) => a - b);
  outageLatency.sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return {
    part: `ucwa (${n} invitations, simulator in another process)`,
    figures: [
      { label: 'invitations', value: n },
      { label: 'with compound faults', value: faulted },
      { label: 'outcomes', value: [...outcomes].map(([k, v]) => `${k} ${v}`).join(', ') },
      { label: 'lost (never rang)', value: counts.lost, target: '0' },
      { label: 'rung twice', value: rungTwice, target: '0' },
      { label: 'never ended', value: counts.neverEnded, target: '0' },
      { label: 'ended twice', value: endedTwice, target: '0' },
      { label: 'declines never delivered', value: counts.declinesNeverDelivered, target: '0' },
      { label: 'decline POSTs beyond reported failures', value: counts.declinePostsBeyondReported, target: '0' },
      { label: 'wrongly ended while still ringing', value: counts.wronglyEnded, target: '0' },
      { label: 'user decline retries', value: declineRetries },
      {
        label: 'reported decline failures',
        value: [...declineFailures].map(([k, v]) => `${k}: ${v}`).join(', ') || '-',
      },
      { label: 'ring latency under faults p50', value: ms(percentile(faultedLatency, 50)) },
      { label: 'ring latency under faults p99', value: ms(percentile(faultedLatency, 99)), target: 'p99 ≤ 2 s' },
      { label: 'ring latency without faults p50', value: ms(percentile(cleanLatency, 50)) },
      {
        label: `wake → call placed in sleep rings (n=${wakeLatency.length}) p99`,
        value: ms(percentile(wakeLatency, 99)),
        target: '≤ 5 s',
      },
      {
        label: `outages (${outageLatency.length}): server back → call rings p50`,
        value: ms(percentile(outageLatency, 50)),
      },
      { label: 'outages: server back → call rings p95', value: ms(percentile(outageLatency, 95)), target: '≤ 10 s' },
      { label: 'application re-creations', value: Math.max(0, m.created - 1) },
      { label: 'engine RSS at start', value: `${m.start.rss.toFixed(1)} MiB` },
      { label: `engine RSS after ${Math.min(1000, n)}`, value: `${m.at1k.rss.toFixed(1)} MiB` },
      { label: 'engine RSS at end', value: `${end.rss.toFixed(1)} MiB` },
      {
        label: `RSS growth ${Math.min(1000, n)}→${n}`,
        value: `${(end.rss - m.at1k.rss).toFixed(1)} MiB`,
        target: '≤ 10 MiB',
      },
      {
        label: `JS heap start / ${Math.min(1000, n)} / end`,
        value: `${m.start.heap.toFixed(1)} / ${m.at1k.heap.toFixed(1)} / ${end.heap.toFixed(1)} MiB`,
      },
    ],
    mustBeZero: {
      lost: counts.lost,
      'rung twice': rungTwice,
      'never ended': counts.neverEnded,
      'ended twice': endedTwice,
      'declines never delivered': counts.declinesNeverDelivered,
      'decline POSTs beyond reported failures': counts.declinePostsBeyondReported,
      'wrongly ended while still ringing': counts.wronglyEnded,
    },
  };
}
