/**
 * The embedded simulator, composed: one loopback SimServer with the protocol halves attached.
 * Used by demo mode (`startSimulator()` + `demoUcwaAccount()`), integration/e2e tests and
 * benchmarks. Each protocol half is attached by its own small function so others (graph.ts)
 * can be added beside it without touching the UCWA part.
 */
import type { UcwaAccount } from '../core/config.js';
import { SimServer, type SimServerOptions } from './server.js';
import { UcwaSimulator } from './ucwa.js';
import type { SimUser, UcwaSimOptions } from './ucwa/types.js';

/** The default simulator user: the account demo mode signs in with. */
export const DEMO_USER: Readonly<Required<Pick<SimUser, 'username' | 'password' | 'name' | 'sipUri'>>> = {
  username: 'demo@softphone.test',
  password: 'demo',
  name: 'Demo User',
  sipUri: 'sip:demo@softphone.test',
};

export interface SimulatorOptions extends SimServerOptions {
  /** UCWA options; users default to [DEMO_USER]. */
  ucwa?: UcwaSimOptions;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  server: SimServer;
  ucwa: UcwaSimulator;
  /** Stops timers, releases held requests, closes the server. Idempotent. */
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const server = await SimServer.start({ host: opts.host, port: opts.port });
  const ucwa = new UcwaSimulator(server, { users: [DEMO_USER], ...opts.ucwa });
  let closing: Promise<void> | undefined;
  return {
    origin: server.origin,
    server,
    ucwa,
    close() {
      closing ??= (async () => {
        ucwa.close();
        await server.close();
      })();
      return closing;
    },
  };
}

/** The UCWA account that signs in to the simulator as DEMO_USER. */
export function demoUcwaAccount(sim: Pick<Simulator, 'ucwa'>): UcwaAccount {
  return {
    id: 'demo-ucwa',
    provider: 'ucwa',
    displayName: 'Demo (simulator)',
    sipAddress: DEMO_USER.username,
    username: DEMO_USER.username,
    password: DEMO_USER.password,
    discoveryUrl: sim.ucwa.discoveryUrl,
  };
}

export { SimServer } from './server.js';
export { UcwaSimulator } from './ucwa.js';
export type * from './ucwa/types.js';
