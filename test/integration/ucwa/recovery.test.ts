/**
 * The UCWA account never goes deaf (DESIGN.md §3 recovery policy), against the real simulator:
 * wake after sleep, outages, token trouble, application loss, and the one thing that stops an
 * account — a refused password.
 */
import { describe, expect, it } from 'vitest';
import { ClockJumpWatchdog } from '../../../electron/core/clockWatchdog.js';
import { DEMO_USER } from '../../../electron/simulator/ucwa.js';
import { SteerableClock } from '../../support/steerableClock.js';
import { harnessPool, withEngine, type Harness } from './harness.js';

const { make, connected } = harnessPool((o) => ({
  ...o,
  deps: { backoff: { baseMs: 20, capMs: 40 }, ...o.deps },
}));

const tokenPosts = (h: Harness) => h.sim.server.find((r) => r.method === 'POST' && r.path.endsWith('/oauthtoken'));
const pgets = (h: Harness) => h.sim.ucwa.pgetUrls();

describe('UCWA recovery', () => {
  it('wake via the clock-jump watchdog: the dead P-GET is abandoned, the same URL asked again, and a call placed during sleep rings', async () => {
    const clock = new SteerableClock();
    const h = await make({ clock });
    const { engine, waitInvitation, waitAccount } = await withEngine(h);
    await waitAccount('connected');
    await h.sim.ucwa.waitUntilListening();
    const watchdog = new ClockJumpWatchdog({
      clock,
      intervalMs: 5_000,
      toleranceMs: 5_000,
      onJump: () => engine.wake('clockJump'),
    });
    watchdog.start();
    try {
      // the laptop sleeps: the held P-GET becomes a dead connection, a call comes in meanwhile
      expect(h.sim.ucwa.abandonHeldPget()).toBe(1);
      const abandoned = pgets(h).at(-1)!;
      const call = h.sim.ucwa.ring('phoneAudio');
      clock.pause();
      clock.jump(10 * 60_000);
      clock.advance(5_000); // the watchdog's tick comes 10 min late on the wall clock
      clock.resume();
      const inv = await waitInvitation((i) => i.id.endsWith(call.href));
      expect(inv.modality).toBe('audio');
      // the first P-GET after the wake repeats the abandoned URL: the ack did not advance
      expect(pgets(h)[pgets(h).indexOf(abandoned) + 1]).toBe(abandoned);
      await h.waitLog('wake');
    } finally {
      watchdog.stop();
    }
  });

  it('wake re-validates what rings: an invitation that ended while asleep ends, one still ringing keeps ringing', async () => {
    const { h, engine, waitEnded, waitInvitation, events } = await connected();
    const a = h.sim.ucwa.ring('messaging');
    const b = h.sim.ucwa.ring('audioVideo');
    const ia = await waitInvitation((i) => i.id.endsWith(a.href));
    const ib = await waitInvitation((i) => i.id.endsWith(b.href));
    await h.sim.ucwa.waitUntilListening();
    h.sim.ucwa.abandonHeldPget();
    h.sim.ucwa.forgetInvitation(a); // its completion never reached us
    engine.wake('resume');
    expect((await waitEnded(ia.id)).outcome).toBe('gone');
    await h.sim.server.waitForRequest((r) => r.method === 'GET' && b.href.endsWith(r.path));
    await h.sim.ucwa.waitUntilListening();
    expect(events.items.filter((e) => e.type === 'ended')).toHaveLength(1);
    expect(engine.snapshot().ringing.map((r) => r.invitation.id)).toEqual([ib.id]);
  });

  it('an outage: one reconnecting, one connected when the server is back on the same port, and the next call rings', async () => {
    const h = await make();
    await h.connect();
    await h.sim.server.refuseConnections();
    await h.waitLog('P-GET failed; retrying the same URL', 3);
    await h.sim.server.acceptConnections();
    await h.sink.events.waitFor(
      (xs) => xs.filter((e) => e.type === 'state' && e.state === 'connected').length >= 2,
      'connected again',
    );
    await h.sim.ucwa.waitUntilListening();
    const call = h.sim.ucwa.ring('messaging');
    await h.sink.waitRinging((i) => i.id.endsWith(call.href));
    expect(h.sink.states()).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('a 401 right after a fresh grant is retried with a new grant, never fatal', async () => {
    const h = await make();
    await h.connect();
    const grants = tokenPosts(h).length;
    h.sim.ucwa.expireTokens();
    h.sim.ucwa.revokeTokens(3); // each of the next three fresh tokens is refused once used
    const first = h.sim.ucwa.ring('messaging'); // answers the held P-GET; the next one meets the 401s
    await h.sink.waitRinging((i) => i.id.endsWith(first.href));
    await h.sim.ucwa.waitFor(() => tokenPosts(h).length >= grants + 4 || undefined);
    await h.sim.ucwa.waitUntilListening();
    const call = h.sim.ucwa.ring('onlineMeeting');
    await h.sink.waitRinging((i) => i.id.endsWith(call.href));
    expect(h.sink.states()).not.toContain('error');
  });

  it('a refused password stops the account: error saying so, and the password is never sent again — not on wake, not to sign out — until the user retries', async () => {
    const h = await make();
    const { engine, waitAccount } = await withEngine(h);
    await waitAccount('connected');
    await h.sim.ucwa.waitUntilListening();
    h.sim.ucwa.changePassword('demo@softphone.test', 'changed-by-the-admin');
    h.sim.ucwa.expireTokens();
    h.sim.ucwa.ring('messaging'); // answers the held P-GET; the next one meets the 401
    const { error } = await waitAccount('error');
    expect(error).toMatchObject({ code: 'InvalidCredentials', message: expect.stringMatching(/refused the password/) });
    const refused = tokenPosts(h).length;
    engine.wake('resume');
    engine.wake('online');
    const before = h.sim.server.requests.length;
    await h.provider.stop();
    expect(h.sim.server.requests.length).toBe(before); // no grant, no DELETE
    expect(tokenPosts(h)).toHaveLength(refused);
  });

  it('after a refused password, wake("user") sends it once more', async () => {
    const h = await make({ password: 'wrong' });
    await h.provider.start(h.sink);
    await h.sink.waitState('error');
    expect(tokenPosts(h)).toHaveLength(1);
    h.provider.wake('resume');
    h.provider.wake('user');
    await h.sim.server.waitForRequest((r) => r.path.endsWith('/oauthtoken') && r.seq > tokenPosts(h)[0]!.seq);
    await h.sink.events.waitFor(
      (xs) => xs.filter((e) => e.type === 'state' && e.state === 'error').length >= 2,
      'refused again',
    );
    expect(tokenPosts(h)).toHaveLength(2);
  });

  /** A refused password through the engine: the admin changed it, the next grant is refused. */
  async function refusedAccount() {
    const h = await make();
    const e = await withEngine(h);
    await e.waitAccount('connected');
    await h.sim.ucwa.waitUntilListening();
    h.sim.ucwa.changePassword(DEMO_USER.username, 'changed-by-the-admin');
    h.sim.ucwa.expireTokens();
    h.sim.ucwa.ring('messaging'); // answers the held P-GET; the next one meets the 401
    await e.waitAccount('error');
    const nth = (state: string, n: number) =>
      e.events.waitFor(
        (xs) => xs.filter((x) => x.type === 'account' && x.state === state).length >= n || false,
        `${n}× account ${state}`,
      );
    return { h, ...e, nth };
  }

  it('engine.retryAccount after the password was set right again: the account signs in and rings', async () => {
    const { h, engine, nth, waitInvitation } = await refusedAccount();
    const refused = tokenPosts(h).length;
    h.sim.ucwa.changePassword(DEMO_USER.username, DEMO_USER.password); // the stored one is right again
    engine.retryAccount(h.account.id);
    await nth('connected', 2);
    expect(tokenPosts(h)).toHaveLength(refused + 1);
    expect(engine.snapshot().accounts[0]).toMatchObject({ state: 'connected', error: null });
    await h.sim.ucwa.waitUntilListening();
    const call = h.sim.ucwa.ring('phoneAudio');
    await waitInvitation((i) => i.id.endsWith(call.href));
  });

  it('engine.retryAccount with the password still wrong: exactly one more grant, and the account stays in error', async () => {
    const { h, engine, events, nth } = await refusedAccount();
    const refused = tokenPosts(h).length;
    const accountEvents = events.items.length;
    engine.retryAccount(h.account.id);
    await nth('error', 2);
    const states = events.items.slice(accountEvents).flatMap((e) => (e.type === 'account' ? [e.state] : []));
    expect(states.filter((x, i) => x !== states[i - 1])).toEqual(['connecting', 'error']); // heard-only repeats aside
    expect(engine.snapshot().accounts[0]).toMatchObject({ state: 'error', error: { code: 'InvalidCredentials' } });
    expect(tokenPosts(h)).toHaveLength(refused + 1);
    engine.wake('resume'); // and it stays refused: nothing is sent on its own
    const before = h.sim.server.requests.length;
    await h.provider.stop();
    expect(h.sim.server.requests.length).toBe(before);
    expect(tokenPosts(h)).toHaveLength(refused + 1);
  });

  it('engine.retryAccount names an unknown account', async () => {
    const h = await make();
    const { engine } = await withEngine(h);
    expect(() => engine.retryAccount('nobody')).toThrow(
      expect.objectContaining({ name: 'EngineError', code: 'UnknownAccount', message: 'no account with id "nobody"' }),
    );
  });

  it('410 TooManyApplications surfaces an error, keeps retrying slowly, and a wake re-creates the application at once', async () => {
    const h = await make({ deps: { slowRetryMs: 10 * 60_000 } });
    await h.connect();
    h.sim.ucwa.ring('messaging');
    const inv = await h.sink.waitRinging();
    h.sim.ucwa.expireApplication(undefined, 'TooManyApplications');
    const { error } = await h.sink.waitState('error');
    expect(error).toMatchObject({ status: 410, subcode: 'TooManyApplications' });
    expect((await h.sink.waitEnded(inv.id)).outcome).toBe('gone');
    const created = h.sim.ucwa.applicationsCreated().length;
    h.provider.wake('unlock');
    await h.sink.events.waitFor(
      (xs) => xs.filter((e) => e.type === 'state' && e.state === 'connected').length >= 2,
      'connected again',
    );
    expect(h.sim.ucwa.applicationsCreated()).toHaveLength(created + 1);
    const call = h.sim.ucwa.ring('phoneAudio');
    await h.sink.waitRinging((i) => i.id.endsWith(call.href));
  });

  it('a started event re-delivered for an invitation that rings or has ended never rings again', async () => {
    const h = await make();
    await h.connect();
    const a = h.sim.ucwa.ring('messaging');
    const b = h.sim.ucwa.ring('phoneAudio');
    const ia = await h.sink.waitRinging((i) => i.id.endsWith(a.href));
    await h.sink.waitRinging((i) => i.id.endsWith(b.href));
    h.sim.ucwa.cancel(a);
    await h.sink.waitEnded(ia.id);
    const replay = (href: string, rel: string) => ({
      link: { rel, href },
      _embedded: { [rel]: { direction: 'Incoming', _links: { self: { href } } } },
      type: 'started',
    });
    h.sim.ucwa.deliverRaw([
      {
        rel: 'communication',
        href: `${h.sim.ucwa.applications()[0]!.href}/communication`,
        events: [replay(a.href, 'messagingInvitation'), replay(b.href, 'phoneAudioInvitation')],
      },
    ]);
    const c = h.sim.ucwa.ring('onlineMeeting'); // events are handled in order: c comes after the replays
    await h.sink.waitRinging((i) => i.id.endsWith(c.href));
    const ids = h.sink.ringingInvitations().map((i) => i.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  it('a decline answered 410 InactiveApplicationExpired ends the invitation as gone instead of ringing on', async () => {
    const { h, engine, waitInvitation, waitEnded } = await connected();
    const call = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation((i) => i.id.endsWith(call.href));
    await h.sim.ucwa.waitUntilListening();
    h.sim.ucwa.abandonHeldPget(); // the loop has not noticed yet
    h.sim.ucwa.expireApplication();
    const r = await engine.decline(inv.id);
    expect(r).toMatchObject({ status: 'failed', error: { status: 410, subcode: 'InactiveApplicationExpired' } });
    expect((await waitEnded(inv.id)).outcome).toBe('gone');
  });

  it('404 ApplicationNotFound on a wake probe re-creates the application silently (same endpointId)', async () => {
    const h = await make();
    await h.connect();
    const [first] = h.sim.ucwa.applications();
    h.sim.ucwa.abandonHeldPget();
    h.sim.ucwa.removeApplication();
    h.provider.wake('resume');
    const next = await h.sim.ucwa.waitFor(() => h.sim.ucwa.applications().find((a) => a.listening));
    expect(next.endpointId).toBe(first!.endpointId);
    expect(h.sink.states()).not.toContain('error');
  });

  it('persistent 502 on the event channel makes it discover the server again', async () => {
    const h = await make();
    await h.connect();
    const roots = () => h.sim.server.find((r) => r.path.endsWith('/autodiscoverservice.svc/root')).length;
    expect(roots()).toBe(1);
    h.sim.ucwa.failNext('events', { status: 502, code: 'BadGateway' }, 3);
    h.sim.ucwa.ring('messaging'); // answers the held P-GET; the next ones meet the 502s
    await h.sim.ucwa.waitFor(() => roots() >= 2 || undefined);
    await h.sim.ucwa.waitUntilListening();
    const call = h.sim.ucwa.ring('messaging');
    await h.sink.waitRinging((i) => i.id.endsWith(call.href));
  });

  it('lastHeardAt follows the server’s answers', async () => {
    const { h, engine, waitInvitation } = await connected();
    const first = engine.snapshot().accounts[0]!.lastHeardAt;
    expect(first).toEqual(expect.any(Number));
    h.sim.ucwa.ring('messaging');
    await waitInvitation();
    expect(engine.snapshot().accounts[0]!.lastHeardAt).toBeGreaterThanOrEqual(first!);
  });
});
