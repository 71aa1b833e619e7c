/**
 * Demo mode's backend: the embedded simulator plus the accounts that sign in to it.
 * `npm start` with no account configured, and `npm run headless` without --config, run
 * against this, so a new user sees a toast within seconds without any Microsoft server:
 * a Skype for Business invitation first, then a Teams (Graph) call.
 */
import type { DemoBackend } from '../app/app.js';
import type { SimulateKind } from '../contract.js';
import { secretName } from '../core/providers.js';
import { demoGraphAccount, demoUcwaAccount, freeLoopbackPort, startSimulator, type Simulator } from './index.js';

/** The demo Teams account's "Forward to…" entries (the simulator accepts any user id or E.164 number). */
export const DEMO_FORWARD_TARGETS = [
  { label: 'Reception', phone: '+14255550100' },
  { label: 'Megan Bowen (mobile)', phone: '+14255550142' },
  { label: 'Lee Gu', userId: '5a2c1e7d-3b4f-4e2a-9c1d-8f6b0a3e2d17' },
];

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
  // Saved forwarding targets, so the tray's call-forwarding menu has contacts to offer.
  const ucwa = {
    ...demoUcwaAccount(sim),
    forwardContacts: [
      { label: 'Reception', sipUri: 'sip:reception@softphone.test' },
      { label: 'Mobile', sipUri: 'tel:+14255550100' },
    ],
  };
  // The simulator must know where to send Graph notifications before the receiver starts.
  const graph = demoGraphAccount(sim, await freeLoopbackPort(), { forwardTargets: DEMO_FORWARD_TARGETS });
  const secrets: Record<string, string> = {
    [secretName(ucwa)]: ucwa.password ?? '',
    [secretName(graph)]: graph.clientSecret ?? '',
  };
  const firstAfterMs = opts.firstRingAfterMs ?? 3_000;
  const everyMs = opts.ringEveryMs ?? 0;
  return {
    sim,
    accounts: [ucwa, graph],
    secrets,
    async simulate(kind: SimulateKind) {
      if (kind === 'graphCall') {
        const sent = await sim.graph.ringCall({ shape: 'current' });
        if (sent.status !== 202) throw new Error(`The demo Teams call was not accepted (HTTP ${sent.status}).`);
        return;
      }
      try {
        sim.ucwa.ring(kind);
      } catch {
        // The simulator rings only accounts that made themselves available (kind is schema-checked).
        throw new Error('The demo account is still signing in to the simulator; try again in a moment.');
      }
    },
    startAutoRing() {
      // The first sample rings a few seconds after the demo account is listening, so a slow
      // first start still shows it; the Teams call follows a few seconds later.
      sim.ucwa
        .waitUntilListening({}, 120_000)
        .then(() => {
          sim.ucwa.startDemo({ firstAfterMs, everyMs });
          sim.graph.startDemo({ firstAfterMs: firstAfterMs + 5_000, everyMs });
        })
        .catch(() => undefined);
    },
    close: () => sim.close(),
  };
}
