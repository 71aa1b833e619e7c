/**
 * UCWA provider against the real simulator: sign-in, application, staying alive, sign-out.
 */
import { describe, expect, it } from 'vitest';
import type { Fetch } from '../../../electron/core/deps.js';
import { endpointIdKey } from '../../../electron/core/ucwa/application.js';
import { startSimulator } from '../../../electron/simulator/index.js';
import { ManualClock } from '../../support/manualClock.js';
import { harnessPool, MemoryStore } from './harness.js';

const { make, track } = harnessPool();

describe('UCWA sign-in and session', () => {
  it('discovers, answers the 401 challenge with a password grant, creates the application and makes itself available', async () => {
    const h = await make();
    await h.connect();
    const reqs = h.sim.server.requests.map((r) => `${r.method} ${r.path}`);
    expect(reqs.slice(0, 7)).toEqual([
      'GET /autodiscover/autodiscoverservice.svc/root',
      'GET /autodiscover/autodiscoverservice.svc/root/oauth/user',
      'POST /WebTicket/oauthtoken',
      'GET /autodiscover/autodiscoverservice.svc/root/oauth/user',
      'POST /ucwa/oauth/v1/applications',
      expect.stringMatching(/^POST \/ucwa\/oauth\/v1\/applications\/[^/]+\/me\/makeMeAvailable$/),
      expect.stringMatching(/^GET \/ucwa\/oauth\/v1\/applications\/[^/]+$/),
    ]);
    const r = h.sim.server.requests;
    expect(r[1]!.headers.authorization).toBeUndefined();
    const token = r[2]!;
    expect(token.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      grant_type: 'password',
      username: 'demo@softphone.test',
      password: 'demo',
    });
    expect(r[3]!.headers.authorization).toMatch(/^Bearer \S+/);
    expect(JSON.parse(r[4]!.body)).toEqual({
      userAgent: expect.stringMatching(/^Softphone\//),
      endpointId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      culture: 'en-US',
    });
    expect(JSON.parse(r[5]!.body)).toMatchObject({
      supportedModalities: expect.arrayContaining(['Messaging', 'PhoneAudio']),
    });
    // every request after the grant carries the token, including the P-GET
    for (const req of r.slice(3))
      expect(req.headers.authorization, `${req.method} ${req.path}`).toBe(r[3]!.headers.authorization);
    expect(h.sim.ucwa.pgetUrls()[0]).toMatch(/\/events\?ack=[^&]+&timeout=180$/);
    expect(h.sink.states()).toEqual(['connecting', 'connected']);
  });

  it('never writes the password or the token to its log', async () => {
    const h = await make({
      sim: { ucwa: { users: [{ username: 'lene@softphone.test', password: 'S3cr3t-Pa55-w0rd' }] } },
      account: { username: 'lene@softphone.test', sipAddress: 'lene@softphone.test' },
      password: 'S3cr3t-Pa55-w0rd',
    });
    await h.connect();
    h.sim.ucwa.ring('messaging');
    await h.sink.waitRinging();
    const token = h.sim.server.requests
      .find((q) => q.headers.authorization)!
      .headers.authorization!.toString()
      .replace(/^Bearer /, '');
    const log = h.log.items.join('\n');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain('S3cr3t-Pa55-w0rd');
    expect(log).not.toContain(token);
  });

  it('reports a wrong password as an account error and stops trying', async () => {
    const h = await make({ password: 'wrong' });
    await h.provider.start(h.sink);
    const { error } = await h.sink.waitState('error');
    expect(error).toMatchObject({
      code: 'InvalidCredentials',
      message: expect.stringMatching(/refused the password/),
    });
    expect(h.sim.server.requests.filter((r) => r.path.endsWith('/oauthtoken'))).toHaveLength(1);
    expect(h.sim.ucwa.applicationsCreated()).toHaveLength(0);
  });

  it('reports a missing password without asking the server for a token', async () => {
    const h = await make({ password: undefined });
    await h.provider.start(h.sink);
    const { error } = await h.sink.waitState('error');
    expect(error).toMatchObject({ code: 'NoPassword', message: 'No password is stored for this account.' });
    expect(h.sim.server.requests.some((r) => r.path.endsWith('/oauthtoken'))).toBe(false);
  });

  it('without a discovery URL tries lyncdiscoverinternal.<domain>, then lyncdiscover.<domain>', async () => {
    const sim = await startSimulator();
    track(sim);
    const asked: string[] = [];
    // Plays DNS: the internal name does not resolve, the external one is the simulator.
    const network =
      (inner: Fetch): Fetch =>
      (input, init) => {
        const url = String(input);
        if (url.startsWith('https://lyncdiscoverinternal.')) {
          asked.push(url);
          return Promise.reject(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') }));
        }
        if (url.startsWith('https://lyncdiscover.')) {
          asked.push(url);
          return inner(sim.ucwa.discoveryUrl, init);
        }
        return inner(input, init);
      };
    const h = await make({
      simulator: sim,
      network,
      account: { discoveryUrl: undefined, sipAddress: 'sip:demo@softphone.test' },
    });
    await h.connect();
    expect(asked).toEqual(['https://lyncdiscoverinternal.softphone.test/', 'https://lyncdiscover.softphone.test/']);
  });

  it('follows autodiscover redirect hops to the root', async () => {
    const h = await make({ sim: { ucwa: { rootRedirects: 2 } } });
    await h.connect();
    const roots = h.sim.server.requests
      .filter((r) => r.path.endsWith('/autodiscoverservice.svc/root'))
      .map((r) => r.path);
    expect(roots).toEqual([
      '/autodiscover/autodiscoverservice.svc/root',
      '/hop1/autodiscover/autodiscoverservice.svc/root',
      '/hop2/autodiscover/autodiscoverservice.svc/root',
    ]);
  });

  for (const target of ['root', 'user'] as const) {
    it(`follows a user redirect to another pool (${target}) and authenticates again there`, async () => {
      const h = await make({ sim: { ucwa: { userRedirect: target } } });
      await h.connect();
      const tokenPosts = h.sim.server.requests
        .filter((r) => r.method === 'POST' && r.path.endsWith('/oauthtoken'))
        .map((r) => r.path);
      expect(tokenPosts).toEqual(['/WebTicket/oauthtoken', '/pool2/WebTicket/oauthtoken']);
      expect(h.sim.ucwa.applicationsCreated()[0]!.href).toMatch(/^(http:\/\/127\.0\.0\.1:\d+)?\/pool2\/ucwa\//);
      h.sim.ucwa.ring('phoneAudio');
      await h.sink.waitRinging();
    });
  }

  it('persists the endpointId per account and reuses it on the next start', async () => {
    const sim = await startSimulator();
    track(sim);
    const store = new MemoryStore();
    const first = await make({ simulator: sim, store });
    await first.connect();
    const stored = store.data.get(endpointIdKey('demo-ucwa'));
    expect(stored).toMatch(/^[0-9a-f-]{36}$/);
    await first.close();

    const second = await make({ simulator: sim, store });
    await second.connect();
    expect(sim.ucwa.applicationsCreated().map((a) => a.endpointId)).toEqual([stored, stored]);

    const other = await make({ simulator: sim, store: new MemoryStore() });
    await other.connect();
    expect(sim.ucwa.applicationsCreated()[2]!.endpointId).not.toBe(stored);
  });

  it('reports activity every 3 minutes on its clock', async () => {
    const clock = new ManualClock();
    const h = await make({ clock, deps: { pgetTimeoutSec: 1800 } });
    await h.connect();
    expect(h.sim.ucwa.activityReports()).toHaveLength(0);
    clock.advance(3 * 60_000 - 1);
    expect(h.sim.server.requests.some((r) => r.path.endsWith('/reportMyActivity'))).toBe(false);
    clock.advance(1);
    await h.waitLog('reported activity', 1);
    clock.advance(3 * 60_000);
    await h.waitLog('reported activity', 2);
    expect(h.sim.ucwa.activityReports()).toHaveLength(2);
    const posts = h.sim.server.requests.filter((r) => r.path.endsWith('/reportMyActivity'));
    expect(posts.map((p) => [p.method, p.headers['content-length']])).toEqual([
      ['POST', '0'],
      ['POST', '0'],
    ]);
  });

  it('gets a new token before the old one expires, without waiting for a 401', async () => {
    const clock = new ManualClock();
    const h = await make({
      clock,
      sim: { ucwa: { tokenLifetimeSec: 300, now: () => clock.now() } },
      deps: { pgetTimeoutSec: 1800 },
    });
    await h.connect();
    const tokenPosts = () => h.sim.server.requests.filter((r) => r.path.endsWith('/oauthtoken'));
    clock.advance(3 * 60_000); // activity at 180 s: the token is still good
    await h.waitLog('reported activity', 1);
    expect(tokenPosts()).toHaveLength(1);
    clock.advance(3 * 60_000); // activity at 360 s: the 300 s token has lapsed
    await h.waitLog('reported activity', 2);
    expect(h.sim.ucwa.activityReports()).toHaveLength(2);
    expect(tokenPosts()).toHaveLength(2);
    // one request per tick: the token was renewed before the request, not after a 401
    expect(h.sim.server.requests.filter((r) => r.path.endsWith('/reportMyActivity'))).toHaveLength(2);
  });

  it('deletes the application on stop, aborting the held P-GET, and reports stopped', async () => {
    const h = await make();
    await h.connect();
    const appId = h.sim.ucwa.applications()[0]!.appId;
    await h.provider.stop();
    expect(h.sim.ucwa.applicationsDeleted()).toEqual([expect.objectContaining({ appId, by: 'client' })]);
    const del = h.sim.server.requests.find((r) => r.method === 'DELETE')!;
    expect(del.headers.authorization).toMatch(/^Bearer /);
    expect(h.sink.states().at(-1)).toBe('stopped');
    const pgets = h.sim.ucwa.pgetUrls().length;
    expect(h.sim.ucwa.applications()).toEqual([]);
    // nothing more goes out once stopped
    await h.provider.stop();
    expect(h.sim.ucwa.pgetUrls()).toHaveLength(pgets);
    expect(h.sim.server.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('stopping while still connecting sends nothing more and leaves no application behind', async () => {
    const h = await make();
    await h.provider.start(h.sink);
    await h.provider.stop();
    expect(h.sink.states()).toEqual(['connecting', 'stopped']);
    expect(h.sim.ucwa.applications()).toEqual([]);
    const count = h.sim.server.requests.length;
    expect(h.sim.server.requests.some((r) => r.path.endsWith('/applications'))).toBe(false);
    expect(count).toBeLessThanOrEqual(1);
  });
});
