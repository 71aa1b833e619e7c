/**
 * UCWA latencies against the simulator on loopback, through the real engine and provider:
 *  - invitation: from ring() releasing the parked P-GET to the engine's `invitation` event
 *  - decline:    from engine.decline() to the POST arriving at the simulator
 */
import { Engine, type EngineEvent } from '../electron/core/engine.js';
import { silentLogger } from '../electron/core/log.js';
import { systemClock } from '../electron/core/deps.js';
import { UcwaProvider } from '../electron/core/ucwa/provider.js';
import { demoUcwaAccount, startSimulator } from '../electron/simulator/index.js';
import type { Summary } from './stats.js';
import { summarize } from './stats.js';

export async function benchUcwa(
  rounds: number,
  warmup: number,
): Promise<{ invitation: Summary; decline: Summary; heapPerInvitationBytes: number }> {
  const sim = await startSimulator({ ucwa: { maxHoldMs: 60_000 } });
  const account = demoUcwaAccount(sim);
  const engine = new Engine({ clock: systemClock, logger: silentLogger });
  const waiters: ((e: EngineEvent) => void)[] = [];
  engine.on((e) => waiters.forEach((w) => w(e)));
  const next = <T extends EngineEvent['type']>(
    type: T,
    pred: (e: Extract<EngineEvent, { type: T }>) => boolean = () => true,
  ) =>
    new Promise<Extract<EngineEvent, { type: T }>>((resolve) => {
      const w = (e: EngineEvent) => {
        if (e.type === type && pred(e as Extract<EngineEvent, { type: T }>)) {
          waiters.splice(waiters.indexOf(w), 1);
          resolve(e as Extract<EngineEvent, { type: T }>);
        }
      };
      waiters.push(w);
    });
  const store = new Map<string, string>();
  await engine.addAccount(
    new UcwaProvider(account, {
      fetch: (i, init) => fetch(i, init),
      clock: systemClock,
      logger: silentLogger,
      store: { get: async (k) => store.get(k), set: async (k, v) => void store.set(k, v) },
      secrets: { get: async () => account.password },
    }),
  );

  const invitation: number[] = [];
  const decline: number[] = [];
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < warmup + rounds; i++) {
    await sim.ucwa.waitUntilListening({}, 10_000);
    const rung = next('invitation');
    const t0 = performance.now();
    const handle = sim.ucwa.ring(i % 2 ? 'phoneAudio' : 'messaging', { fromName: `Caller ${i}` });
    const { invitation: inv } = await rung;
    const t1 = performance.now();

    const ended = next('ended', (e) => e.id === inv.id);
    const posted = sim.server.waitForRequest((r) => r.method === 'POST' && handle.declineHref.endsWith(r.path), 10_000);
    const t2 = performance.now();
    void engine.decline(inv.id);
    const rec = await posted;
    await ended;
    if (i >= warmup) {
      invitation.push(t1 - t0);
      decline.push(rec.hrAt - t2);
    }
  }
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  await engine.stop();
  await sim.close();
  return {
    invitation: summarize(invitation),
    decline: summarize(decline),
    heapPerInvitationBytes: Math.max(0, heapAfter - heapBefore) / (warmup + rounds),
  };
}
