/**
 * The Graph part of the chaos soak: the real Engine and GraphProvider in this process; the
 * Graph simulator (HTTPS, its own CA, real signatures) in a child process driven over an IPC
 * channel (graphSimChild.ts). N incoming calls, with Microsoft's duplicate deliveries, forged
 * and other-tenant notifications mixed in, rejects answered 500/429/404 at random, a token
 * endpoint outage and a signing-key rotation in the middle. Each call is declined (60 %) or
 * hung up by the caller. Counted: rung exactly once, forged or foreign rung (0), rejects per
 * declined call (1 + retries inside the window), rejects started after the deadline (0),
 * process alive, RSS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';
import type { GraphAccount } from '../../electron/core/config.js';
import { systemClock, type Fetch } from '../../electron/core/deps.js';
import { Engine, type EngineEvent } from '../../electron/core/engine.js';
import { GraphProvider } from '../../electron/core/graph/provider.js';
import { silentLogger } from '../../electron/core/log.js';
import { FORGE_KINDS, type ForgeKind } from '../../electron/simulator/graph/types.js';
import type { ChildCommand, ChildHello, ChildStats } from './graphSimChild.js';
import type { SoakReport } from './report.js';

export interface SoakGraphOptions {
  n: number;
  /** One new call every this many ms (default 30). */
  ringEveryMs?: number;
  /** Token endpoint outage length (default 20 s), starting at a quarter of the calls. */
  outageMs?: number;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const ACCOUNT_ID = 'soak-graph';
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function soakGraph(opts: SoakGraphOptions): Promise<SoakReport> {
  const n = opts.n;
  const ringEveryMs = opts.ringEveryMs ?? 30;
  const outageMs = opts.outageMs ?? 20_000;
  const progress = opts.progress ?? (() => {});
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown) => unhandled.push(r);
  process.on('unhandledRejection', onUnhandled);
  const rssStart = process.memoryUsage().rss;
  const startedAt = Date.now();

  // ── the simulator in its own process ──
  const child = fork(fileURLToPath(new URL('./graphSimChild.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let childExited = false;
  child.once('exit', () => (childExited = true));
  const control = controlChannel(child);
  const hello = await control.hello;

  // ── the engine and the real provider, trusting only the simulator's CA ──
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, hello.caPem] } });
  const rejectStarts = new Map<string, number[]>();
  const fetch: Fetch = (input, init) => {
    const url = String(input);
    const m = /\/calls\/([^/]+)\/reject$/.exec(url);
    if (m) push(rejectStarts, decodeURIComponent(m[1]!), Date.now());
    return undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  };
  const account: GraphAccount = {
    id: ACCOUNT_ID,
    provider: 'graph',
    tenantId: hello.tenantId,
    clientId: hello.clientId,
    callback: { host: '127.0.0.1', port: 0, path: '/callback' },
    openIdConfigUrl: hello.openIdConfigUrl,
    authorityHost: hello.authorityHost,
    graphBaseUrl: hello.graphBaseUrl,
  };
  const engine = new Engine({ clock: systemClock, logger: silentLogger });
  const provider = new GraphProvider(account, {
    fetch,
    clock: systemClock,
    logger: silentLogger,
    secrets: { get: async (name) => (name === `${ACCOUNT_ID}.clientSecret` ? hello.clientSecret : undefined) },
  });

  const rung = new Map<string, number>();
  const expiresAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  const ended = new Set<string>();
  const declined = new Set<string>();
  const declineResults = new Map<string, number>();
  const pendingActions = new Set<Promise<unknown>>();
  let connected = false;
  const track = (p: Promise<unknown>) => {
    pendingActions.add(p);
    void p.finally(() => pendingActions.delete(p));
  };
  engine.on((e: EngineEvent) => {
    if (e.type === 'account' && e.state === 'connected') connected = true;
    if (e.type === 'ended') ended.add(callIdOf(e.id));
    if (e.type !== 'invitation') return;
    const callId = callIdOf(e.invitation.id);
    rung.set(callId, (rung.get(callId) ?? 0) + 1);
    expiresAt.set(callId, e.invitation.expiresAt ?? 0);
    receivedAt.set(callId, e.invitation.receivedAt);
    if (Math.random() < 0.6) {
      declined.add(callId);
      track(
        sleep(Math.random() * 1_500)
          .then(() => engine.decline(e.invitation.id))
          .then((r) => {
            const key = r.status === 'failed' ? `failed:${r.error.code}` : r.status;
            declineResults.set(key, (declineResults.get(key) ?? 0) + 1);
          }),
      );
    } else {
      track(sleep(Math.random() * 2_000).then(() => control.call({ cmd: 'hangUp', callId })));
    }
  });
  await engine.addAccount(provider);
  for (let i = 0; i < 200 && !connected; i++) await sleep(50);
  await control.call({ cmd: 'setReceiver', url: provider.callbackUrl! });
  await control.call({ cmd: 'chaos', p500: 0.1, p429: 0.1, p404: 0.05, retryAfter: '0.3' });

  // ── the calls ──
  const valid: string[] = [];
  const accepted = new Set<string>();
  const forged = new Map<string, ForgeKind>();
  let duplicates = 0;
  let outage: { from: number; until: number } | null = null;
  const rings: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    if (i === Math.floor(n / 4)) {
      outage = (await control.call({ cmd: 'outage', ms: outageMs })) as { from: number; until: number };
      engine.wake('resume'); // the token is due for a refresh: it meets the outage
      progress(`graph soak: token endpoint outage for ${outageMs / 1000} s (call ${i})`);
    }
    if (i === Math.floor((n * 3) / 5)) {
      await control.call({ cmd: 'rotateKey' });
      progress(`graph soak: signing key rotated (call ${i})`);
    }
    const callId = randomUUID();
    valid.push(callId);
    rings.push(
      control.call({ cmd: 'ring', callId }).then((status) => {
        if (status === 202) accepted.add(callId);
      }),
    );
    if (Math.random() < 0.1) {
      duplicates++;
      rings.push(sleep(Math.random() * 500).then(() => control.call({ cmd: 'ring', callId })));
    }
    if (Math.random() < 0.1) {
      const kind = FORGE_KINDS[Math.floor(Math.random() * FORGE_KINDS.length)]!;
      const forgedId = randomUUID();
      forged.set(forgedId, kind);
      rings.push(control.call({ cmd: 'ring', callId: forgedId, forge: kind }));
    }
    if (i % 250 === 249) progress(`graph soak: ${i + 1}/${n} calls`);
    await sleep(ringEveryMs);
  }
  await Promise.all(rings);

  // ── let every call end (declined, hung up, or Graph's own 15 s timeout) ──
  const settleBy = Date.now() + 25_000;
  while (Date.now() < settleBy && [...rung.keys()].some((id) => !ended.has(id))) await sleep(100);
  await Promise.allSettled([...pendingActions]);
  // The token must be healthy again after the outage.
  let stats = (await control.call({ cmd: 'stats' })) as ChildStats;
  const healthyAfter = () => stats.tokensIssued.find((at) => outage !== null && at >= outage.until);
  for (let i = 0; i < 300 && outage && healthyAfter() === undefined; i++) {
    await sleep(100);
    stats = (await control.call({ cmd: 'stats' })) as ChildStats;
  }
  const childAlive = !childExited && child.connected;

  await engine.stop();
  child.disconnect();
  await dispatcher.close();
  process.off('unhandledRejection', onUnhandled);
  const rssEnd = process.memoryUsage().rss;

  // ── counting ──
  const rungTwice = [...rung.values()].filter((c) => c > 1).length;
  const lost = [...accepted].filter((id) => !rung.has(id)).length;
  const forgedRung = [...forged.keys()].filter((id) => rung.has(id)).length;
  const rejectsByCall = new Map<string, number[]>();
  for (const r of stats.rejects) push(rejectsByCall, r.callId, r.status);
  let rejectsOfDeclined = 0;
  let declinedWithRejects = 0;
  let patternViolations = 0;
  for (const id of declined) {
    const statuses = rejectsByCall.get(id) ?? [];
    if (statuses.length === 0) continue;
    declinedWithRejects++;
    rejectsOfDeclined += statuses.length;
    // Exactly one reject, plus one more after each retryable answer, and nothing after a final one.
    if (statuses.slice(0, -1).some((s) => !RETRYABLE.has(s)) || statuses.length > 6) patternViolations++;
  }
  const rejectsForUndeclined = [...rejectsByCall.keys()].filter((id) => !declined.has(id)).length;
  let startedAfterDeadline = 0;
  for (const [id, starts] of rejectStarts) {
    const deadline = expiresAt.get(id);
    if (deadline !== undefined) startedAfterDeadline += starts.filter((t) => t > deadline).length;
  }
  const arrivedAfterWindow = stats.rejects.filter((r) => {
    const at = receivedAt.get(r.callId);
    return at !== undefined && r.at > at + 15_000;
  }).length;
  const healthy = healthyAfter();
  const failedDeclines = [...declineResults.entries()].filter(([k]) => k.startsWith('failed'));

  return {
    part: 'graph',
    figures: [
      { label: 'calls rung by the simulator', value: n },
      { label: 'accepted by the receiver (202)', value: accepted.size },
      { label: 'rung (exactly once each)', value: [...rung.values()].filter((c) => c === 1).length },
      { label: 'duplicate deliveries sent', value: duplicates },
      { label: 'forged / other-tenant sent', value: forged.size },
      { label: 'forged or foreign rung', value: forgedRung, target: '0' },
      { label: 'notification retries (5xx)', value: stats.notificationRetries },
      { label: 'declined', value: declined.size },
      { label: 'declines sent', value: declineResults.get('sent') ?? 0 },
      {
        label: 'declines failed (by error code)',
        value: failedDeclines.map(([k, v]) => `${k.slice('failed:'.length)}: ${v}`).join(', ') || 0,
      },
      {
        label: 'rejects per declined call',
        value: declinedWithRejects ? (rejectsOfDeclined / declinedWithRejects).toFixed(3) : '-',
        target: '1 + retries',
      },
      {
        label: 'reject answers 500/429/404',
        value: [500, 429, 404].map((s) => stats.rejects.filter((r) => r.status === s).length).join('/'),
      },
      { label: 'rejects started after deadline', value: startedAfterDeadline, target: '0' },
      { label: 'rejects after the 15 s window', value: arrivedAfterWindow, target: '0' },
      {
        label: 'token healthy after outage',
        value: healthy !== undefined && outage ? `${((healthy - outage.until) / 1000).toFixed(1)} s` : 'never',
        target: '≤ 15 s',
      },
      { label: 'process alive (both)', value: childAlive && unhandled.length === 0 ? 'yes' : 'NO' },
      { label: 'RSS start → end (MiB)', value: `${(rssStart / MiB).toFixed(0)} → ${(rssEnd / MiB).toFixed(0)}` },
      { label: 'simulator RSS (MiB)', value: (stats.rssBytes / MiB).toFixed(0) },
      { label: 'duration', value: `${((Date.now() - startedAt) / 1000).toFixed(1)} s` },
    ],
    mustBeZero: {
      'rung twice': rungTwice,
      'accepted but never rung': lost,
      'calls never accepted (after retries)': valid.length - accepted.size,
      'forged or foreign rung': forgedRung,
      'reject pattern violations': patternViolations,
      'rejects for calls not declined': rejectsForUndeclined,
      'rejects started after deadline': startedAfterDeadline,
      'rejects after the 15 s window': arrivedAfterWindow,
      'token not healthy 15 s after the outage':
        outage && (healthy === undefined || healthy - outage.until > 15_000) ? 1 : 0,
      'unhandled rejections': unhandled.length,
      'simulator process died': childAlive ? 0 : 1,
    },
  };
}

function callIdOf(invitationId: string): string {
  return invitationId.slice(ACCOUNT_ID.length + 1);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Request/answer over the child's IPC channel. */
function controlChannel(child: ChildProcess) {
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let gotHello!: (h: ChildHello) => void;
  const hello = new Promise<ChildHello>((r) => (gotHello = r));
  child.on('message', (m: { hello?: ChildHello; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
    if (m.hello) return gotHello(m.hello);
    const w = m.id !== undefined ? waiting.get(m.id) : undefined;
    if (!w) return;
    waiting.delete(m.id!);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(m.error));
  });
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the simulator process exited (${code})`));
    waiting.clear();
  });
  return {
    hello,
    call(command: ChildCommand): Promise<unknown> {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, command });
      });
    },
  };
}
