/**
 * The embedded simulator, composed: one loopback SimServer with the protocol halves attached.
 * Used by demo mode (`startSimulator()` + `demoUcwaAccount()`), integration/e2e tests and
 * benchmarks. Each protocol half is attached by its own small function so others (graph.ts)
 * can be added beside it without touching the UCWA part.
 */
import type { UcwaAccount } from '../core/config.js';
import { GraphSim, type GraphSimOptions } from './graph.js';
import { SimServer, type SimServerOptions } from './server.js';
import { DEMO_USER, UcwaSimulator } from './ucwa.js';
import type { UcwaSimOptions } from './ucwa/types.js';

export interface SimulatorOptions extends SimServerOptions {
  /** UCWA options; users default to [DEMO_USER] (the first user is the one `ring()` targets by default). */
  ucwa?: UcwaSimOptions;
  /** Graph options (tenant, client id/secret, trusted certificates, ring timeout...). */
  graph?: GraphSimOptions;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  server: SimServer;
  ucwa: UcwaSimulator;
  /** Token authority, Graph and notification sender; see demoGraphAccount(). */
  graph: GraphSim;
  /** Stops timers, releases held requests, closes the server. Idempotent. */
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const server = await SimServer.start({ host: opts.host, port: opts.port });
  const ucwa = new UcwaSimulator(server, opts.ucwa);
  /** Protocol halves, closed (timers stopped, held requests released) before the server. */
  const graph = await GraphSim.create(server, opts.graph);
  const halves: Array<{ close(): void }> = [ucwa, graph];
  let closing: Promise<void> | undefined;
  return {
    origin: server.origin,
    server,
    ucwa,
    graph,
    close() {
      closing ??= (async () => {
        for (const half of halves) half.close();
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
export { demoGraphAccount, freeLoopbackPort, GraphSim } from './graph.js';
export type { GraphSimOptions, RingOptions as GraphRingOptions, ForgeKind } from './graph.js';
export { DEMO_USER, UcwaSimulator } from './ucwa.js';
export type * from './ucwa/types.js';
