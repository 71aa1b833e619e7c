/**
 * The desktop's HTTP: the engine's autodiscovery through a real redirecting loopback server,
 * over Electron's net (faked as Electron behaves: net.fetch would reject the 3xx), and the
 * account's own CA file against a real TLS server.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { systemClock, type Fetch } from '../../electron/core/deps.js';
import { silentLogger } from '../../electron/core/log.js';
import { TokenCache } from '../../electron/core/ucwa/auth.js';
import { discover } from '../../electron/core/ucwa/discovery.js';
import { UcwaHttp } from '../../electron/core/ucwa/http.js';
import { desktopFetchFor } from '../../electron/main/accountFetch.js';
import { createNetFetch } from '../../electron/main/netFetch.js';
import { DEMO_USER, SimServer, startSimulator, type Simulator } from '../../electron/simulator/index.js';
import { selfSignedCertificate } from '../../electron/simulator/graph/ca.js';
import { app, net } from './fakeElectron.js';

let sim: Simulator;
let front: SimServer;
/** Where the front server's redirects went (the password must never go to another site). */
const foreignHits: string[] = [];
let foreign: SimServer;

beforeAll(async () => {
  app.fireReady();
  sim = await startSimulator();
  foreign = await SimServer.start();
  foreign.use(({ req, res }) => {
    foreignHits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(404).end();
    return true;
  });
  // lyncdiscover behind a load balancer: same-site 302 to the pool; and one pointing elsewhere.
  front = await SimServer.start();
  const foreignOrigin = foreign.origin.replace('127.0.0.1', 'localhost');
  front.use(({ res, url }) => {
    if (url.pathname === '/lyncdiscover') res.writeHead(302, { Location: sim.ucwa.discoveryUrl }).end();
    else if (url.pathname === '/elsewhere') res.writeHead(302, { Location: `${foreignOrigin}/steal` }).end();
    else res.writeHead(404).end();
    return true;
  });
}, 20_000);

afterAll(async () => {
  await front?.close();
  await foreign?.close();
  await sim?.close();
});

beforeEach(() => {
  net.calls.length = 0;
  foreignHits.length = 0;
});

function http(fetch: Fetch) {
  const tokens = new TokenCache({
    fetch,
    clock: systemClock,
    logger: silentLogger,
    credentials: async () => ({ username: DEMO_USER.username, password: DEMO_USER.password }),
  });
  return new UcwaHttp({ fetch, clock: systemClock, logger: silentLogger, tokens });
}

describe('sign-in through HTTP redirects (desktop HTTP)', () => {
  it('autodiscovery follows a same-site 302 in front of lyncdiscover and signs in', async () => {
    const res = await discover(http(createNetFetch(net)), {
      sipAddress: DEMO_USER.username,
      discoveryUrl: `${front.origin}/lyncdiscover`,
      log: silentLogger,
    });
    expect(res.applicationsUrl.startsWith(sim.origin)).toBe(true);
    // Every hop went through Chromium's stack (the fake net.request), with redirects manual.
    expect(net.calls[0]).toEqual([`${front.origin}/lyncdiscover`, { method: 'GET', redirect: 'manual' }]);
    expect(net.calls.some(([url, init]) => /oauthtoken/i.test(url) && init?.method === 'POST')).toBe(true);
  });

  it('Electron net.fetch — what the desktop used before — cannot: the 302 rejects as "Redirect was cancelled"', async () => {
    const netFetch: Fetch = (input, init) => net.fetch(String(input), init);
    await expect(
      discover(http(netFetch), {
        sipAddress: DEMO_USER.username,
        discoveryUrl: `${front.origin}/lyncdiscover`,
        log: silentLogger,
      }),
    ).rejects.toThrow(/not reachable/);
  });

  it('a redirect to another site is refused: nothing, least of all the password, goes there', async () => {
    await expect(
      discover(http(createNetFetch(net)), {
        sipAddress: DEMO_USER.username,
        discoveryUrl: `${front.origin}/elsewhere`,
        log: silentLogger,
      }),
    ).rejects.toThrow(/redirect to another domain/);
    expect(foreignHits).toEqual([]);
  });

  it('follow mode follows, error mode fails, and the body, method and headers arrive as sent', async () => {
    const f = createNetFetch(net);
    const followed = await f(`${front.origin}/lyncdiscover`);
    expect(followed.status).toBe(200);
    expect(await followed.json()).toHaveProperty('_links');
    await expect(f(`${front.origin}/lyncdiscover`, { redirect: 'error' })).rejects.toThrow('fetch failed');

    const echo = await SimServer.start();
    echo.use(({ req, res, body }) => {
      res.writeHead(201, { 'X-Echo': 'yes' }).end(`${req.method} ${req.headers['x-a']} ${body}`);
      return true;
    });
    try {
      const res = await f(new URL(`${echo.origin}/x`), { method: 'POST', headers: { 'X-A': 'b' }, body: 'payload' });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-echo')).toBe('yes');
      expect(await res.text()).toBe('POST b payload');
    } finally {
      await echo.close();
    }
  });

  it('an aborted request rejects with the abort reason', async () => {
    const ac = new AbortController();
    const hang = await SimServer.start();
    hang.use(() => {
      queueMicrotask(() => ac.abort(new Error('stop')));
      return true; // never answers
    });
    try {
      await expect(createNetFetch(net)(`${hang.origin}/`, { signal: ac.signal })).rejects.toThrow('stop');
    } finally {
      await hang.close();
    }
  });
});

describe("the account's CA file (desktop)", () => {
  let dir: string;
  let tlsServer: HttpsServer;
  let origin: string;
  let caPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cafile-'));
    const cert = selfSignedCertificate('localhost');
    caPath = join(dir, 'pool-ca.pem');
    await writeFile(caPath, cert.certPem);
    tlsServer = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.end('pool'));
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    origin = `https://localhost:${(tlsServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => tlsServer.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('an account with caFile reaches a pool signed by that CA; without it the same pool fails TLS', async () => {
    const fetchFor = desktopFetchFor({ netFetch: createNetFetch(net) });
    const res = await fetchFor({ caFile: caPath })(`${origin}/`);
    expect(await res.text()).toBe('pool');
    await expect(fetchFor({})(`${origin}/`)).rejects.toThrow('fetch failed');
  });

  it('accounts without caFile share the Chromium-backed fetch', () => {
    const netFetch = createNetFetch(net);
    const fetchFor = desktopFetchFor({ netFetch });
    expect(fetchFor({})).toBe(netFetch);
  });

  it('a missing or non-PEM CA file fails each request with a message naming the file', async () => {
    const fetchFor = desktopFetchFor({ netFetch: createNetFetch(net) });
    const missing = await fetchFor({ caFile: join(dir, 'nope.pem') })(`${origin}/`).catch((e: Error) => e);
    expect((missing as Error).cause).toMatchObject({
      message: expect.stringMatching(/nope\.pem could not be read \(ENOENT\)/),
    });
    const junk = join(dir, 'junk.pem');
    await writeFile(junk, 'hello');
    const bad = await fetchFor({ caFile: junk })(`${origin}/`).catch((e: Error) => e);
    expect((bad as Error).cause).toMatchObject({
      message: expect.stringMatching(/junk\.pem holds no PEM certificate/),
    });
  });
});
