/**
 * Demo mode's backend: the embedded simulator plus the accounts that sign in to it.
 * `npm start` with no account configured, and `npm run headless` without --config, run
 * against this, so a new user sees a toast within seconds without any Microsoft server.
 */
import type { DemoBackend } from '../core/app.js';
import type { SimulateKind } from '../contract.js';
import { secretName } from '../core/providers.js';
import { demoUcwaAccount, startSimulator, type Simulator } from './index.js';

export interface DemoBackendOptions {
  /** Delay before the first sample invitation (default 3 s). */
  firstRingAfterMs?: number;
  /** Period of further sample invitations; 0 rings only once (default: once). */
  ringEveryMs?: number;
  logLevel?: string;
}

export interface SimulatorDemoBackend extends DemoBackend {
  readonly sim: Simulator;
}

export async function startDemoBackend(opts: DemoBackendOptions = {}): Promise<SimulatorDemoBackend> {
  const sim = await startSimulator({ ucwa: { maxHoldMs: 30_000 } });
  const ucwa = demoUcwaAccount(sim);
  const accounts = [ucwa];
  const secrets: Record<string, string> = { [secretName(ucwa)]: ucwa.password ?? '' };
  return {
    sim,
    accounts,
    secrets,
    async simulate(kind: SimulateKind) {
      if (kind === 'graphCall') throw new Error('Teams (Graph) calls are not part of this demo yet');
      if (!sim.ucwa.applications().some((a) => a.available)) {
        throw new Error('The demo account is still signing in to the simulator; try again in a moment.');
      }
      sim.ucwa.ring(kind);
    },
    startAutoRing() {
      // The first sample rings a few seconds after the demo account is listening, so a slow
      // first start still shows it.
      sim.ucwa
        .waitUntilListening({}, 120_000)
        .then(() => sim.ucwa.startDemo({ firstAfterMs: opts.firstRingAfterMs ?? 3_000, everyMs: opts.ringEveryMs ?? 0 }))
        .catch(() => undefined);
    },
    close: () => sim.close(),
  };
}
