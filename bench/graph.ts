/**
 * Graph latencies against the simulator on loopback, through the real engine and provider:
 *  - notification: from the simulator starting to send a signed incoming-call notification to
 *    the engine's `invitation` event (HTTP + JWT validation + parsing)
 *  - reject:       from engine.decline() to the reject arriving at the simulator
 */
import { Engine, type EngineEvent } from '../electron/core/engine.js';
import { systemClock } from '../electron/core/deps.js';
import { silentLogger } from '../electron/core/log.js';
import { GraphProvider } from '../electron/core/graph/provider.js';
import { demoGraphAccount, freeLoopbackPort, startSimulator } from '../electron/simulator/index.js';
import { summarize, type Summary } from './stats.js';

export async function benchGraph(rounds: number, warmup: number): Promise<{ notification: Summary; reject: Summary }> {
  const sim = await startSimulator();
  const account = demoGraphAccount(sim, await freeLoopbackPort());
  const engine = new Engine({ clock: systemClock, logger: silentLogger });
  const seen = new Map<string, (e: EngineEvent) => void>();
  engine.on((e) => seen.forEach((fn) => fn(e)));
  const next = (pred: (e: EngineEvent) => boolean) =>
    new Promise<EngineEvent>((resolve) => {
      const key = Math.random().toString(36);
      seen.set(key, (e) => {
        if (pred(e)) {
          seen.delete(key);
          resolve(e);
        }
      });
    });
  const connected = next((e) => e.type === 'account' && e.state === 'connected');
  await engine.addAccount(
    new GraphProvider(account, {
      fetch: (i, init) => fetch(i, init),
      clock: systemClock,
      logger: silentLogger,
      secrets: { get: async () => account.clientSecret },
    }),
  );
  await connected;

  const notification: number[] = [];
  const reject: number[] = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const rung = next((e) => e.type === 'invitation');
    const t0 = performance.now();
    void sim.graph.ringCall({ shape: i % 2 ? 'seed' : 'current', from: { name: `Caller ${i}` } });
    const e = (await rung) as Extract<EngineEvent, { type: 'invitation' }>;
    const t1 = performance.now();

    const ended = next((x) => x.type === 'ended' && x.id === e.invitation.id);
    const after = sim.server.requests.at(-1)?.seq ?? 0;
    const arrived = sim.server.waitForRequest(
      (r) => r.seq > after && r.method === 'POST' && r.path.endsWith('/reject'),
      10_000,
    );
    const t2 = performance.now();
    void engine.decline(e.invitation.id, 'busy');
    const rec = await arrived;
    await ended;
    if (i >= warmup) {
      notification.push(t1 - t0);
      reject.push(rec.hrAt - t2);
    }
  }
  await engine.stop();
  await sim.close();
  return { notification: summarize(notification), reject: summarize(reject) };
}
