/**
 * Shared set-up for the Graph integration tests: a real loopback SimServer with the Graph
 * simulator, a fetch that refuses anything but that server (so no test can reach Microsoft),
 * a capturing logger, and the real Engine driving a real GraphProvider.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphAccount } from '../../../electron/core/config.js';
import type { Fetch, Logger, SecretStore } from '../../../electron/core/deps.js';
import { Engine, type EngineEvent } from '../../../electron/core/engine.js';
import { GraphProvider, type GraphDeps } from '../../../electron/core/graph/provider.js';
import { createLogger } from '../../../electron/core/log.js';
import { demoGraphAccount, GraphSim, type GraphSimOptions } from '../../../electron/simulator/graph.js';
import { SimServer } from '../../../electron/simulator/server.js';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { simCertificateAuthority, type SimCertificateAuthority } from '../../../electron/simulator/graph/ca.js';
import { ManualClock } from '../../support/manualClock.js';
import { SteerableClock } from '../../support/steerableClock.js';
import { selfSignedCertificate } from '../../../electron/simulator/graph/ca.js';

export interface FetchLog {
  fetch: Fetch;
  urls: string[];
}

/**
 * A fetch that only talks to `origin` and records every URL it was asked for; with `caPem`
 * it trusts that CA (and only the system's roots besides), as an account's `caFile` does.
 */
export function loopbackFetch(origin: string, caPem?: string): FetchLog {
  const urls: string[] = [];
  const dispatcher = caPem ? new Agent({ connect: { ca: [...rootCertificates, caPem] } }) : null;
  const fetch: Fetch = (input, init) => {
    const url = String(input);
    urls.push(url);
    if (new URL(url).origin !== origin) {
      return Promise.reject(new Error(`test fetch: refusing ${url} (only ${origin} is reachable)`));
    }
    if (!dispatcher) return globalThis.fetch(input, init);
    return undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  };
  return { fetch, urls };
}

export interface CapturedLogger {
  logger: Logger;
  lines: string[];
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  return { logger: createLogger((l) => lines.push(l), { level: 'debug' }), lines };
}

export function staticSecrets(values: Record<string, string>): SecretStore {
  return { get: (name) => Promise.resolve(values[name]) };
}

export interface GraphWorld {
  server: SimServer;
  sim: GraphSim;
  clock: ManualClock;
  net: FetchLog;
  log: CapturedLogger;
  close(): Promise<void>;
}

export async function startGraphWorld(opts: GraphSimOptions = {}): Promise<GraphWorld> {
  const server = await SimServer.start();
  const sim = await GraphSim.create(server, opts);
  // Real time as the starting point: the simulator signs tokens with the wall clock.
  const clock = new ManualClock(Date.now());
  const net = loopbackFetch(server.origin);
  const log = captureLogger();
  return {
    server,
    sim,
    clock,
    net,
    log,
    async close() {
      sim.close();
      await server.close();
    },
  };
}

export interface SecureGraphWorld extends Omit<GraphWorld, 'clock'> {
  clock: SteerableClock;
  ca: SimCertificateAuthority;
}

/**
 * The simulator over HTTPS with its own CA (the provider's fetch trusts that CA, nothing
 * else), on a SteerableClock that the simulator shares (token claims, outages).
 */
export async function startSecureGraphWorld(opts: GraphSimOptions = {}): Promise<SecureGraphWorld> {
  const ca = simCertificateAuthority();
  const server = await SimServer.start({ tls: { cert: ca.certPem, key: ca.keyPem } });
  const clock = new SteerableClock();
  const sim = await GraphSim.create(server, { now: () => clock.now(), ...opts });
  const net = loopbackFetch(server.origin, ca.caPem);
  const log = captureLogger();
  return {
    server,
    sim,
    clock,
    net,
    log,
    ca,
    async close() {
      sim.close();
      await server.close();
    },
  };
}

export interface EngineRig {
  engine: Engine;
  provider: GraphProvider;
  account: GraphAccount;
  events: EngineEvent[];
  /** Resolves with the first engine event (past or future) matching `pred`. */
  next<T extends EngineEvent['type']>(
    type: T,
    pred?: (e: Extract<EngineEvent, { type: T }>) => boolean,
  ): Promise<Extract<EngineEvent, { type: T }>>;
  ofType<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }>[];
  stop(): Promise<void>;
}

/** The real Engine with a GraphProvider for `account` (default: the simulator's demo account). */
export async function startEngine(
  world: Pick<GraphWorld, 'sim' | 'net' | 'log'> & { clock: GraphWorld['clock'] | SteerableClock },
  account: GraphAccount = demoGraphAccount(world.sim),
  deps: Partial<GraphDeps> = {},
): Promise<EngineRig> {
  const engine = new Engine({ clock: world.clock, logger: world.log.logger });
  const events: EngineEvent[] = [];
  const waiters = new Set<{ match: (e: EngineEvent) => boolean; done: (e: EngineEvent) => void }>();
  engine.on((e) => {
    events.push(e);
    for (const w of [...waiters]) if (w.match(e)) w.done(e);
  });
  const provider = new GraphProvider(account, {
    fetch: world.net.fetch,
    clock: world.clock,
    logger: world.log.logger,
    secrets: staticSecrets({ [`${account.id}.clientSecret`]: world.sim.clientSecret }),
    ...deps,
  });
  const next: EngineRig['next'] = (type, pred) => {
    const match = (e: EngineEvent) => e.type === type && (!pred || pred(e as never));
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen as never);
    return new Promise((resolve) => {
      const w = {
        match,
        done: (e: EngineEvent) => {
          waiters.delete(w);
          resolve(e as never);
        },
      };
      waiters.add(w);
    });
  };
  const rig: EngineRig = {
    engine,
    provider,
    account,
    events,
    next,
    ofType: (type) => events.filter((e) => e.type === type) as never,
    stop: () => engine.stop(),
  };
  await engine.addAccount(provider);
  const url = provider.callbackUrl;
  if (!url) throw new Error('the Graph provider did not start its receiver');
  world.sim.setReceiver(url);
  await next('account', (e) => e.state === 'connected' || e.state === 'error');
  return rig;
}

export interface TestCertificate {
  dir: string;
  certFile: string;
  keyFile: string;
  certPem: string;
  cleanup(): void;
}

/** A self-signed RSA certificate and its key (made with node:crypto), written to a temp dir. */
export function makeCertificate(opts: { pkcs1?: boolean } = {}): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'graph-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const made = selfSignedCertificate();
  writeFileSync(certFile, made.certPem);
  writeFileSync(keyFile, opts.pkcs1 ? made.rsaKeyPem : made.keyPem, { mode: 0o600 });
  return {
    dir,
    certFile,
    keyFile,
    certPem: made.certPem,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
