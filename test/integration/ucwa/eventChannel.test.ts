/**
 * The P-GET loop against the real simulator: only server links, next P-GET before handling,
 * and every special outcome (409, 404, 410, 401, 5xx, network loss, resync, resume, junk).
 */
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../../electron/simulator/index.js';
import { ManualClock } from '../../support/manualClock.js';
import { harnessPool, MemoryStore, pathOf, withoutTimeout, type Harness, type TimelineEntry } from './harness.js';

const { make, track } = harnessPool((o) => ({ ...o, deps: { backoff: { baseMs: 20, capMs: 40 }, ...o.deps } }));

const pgetFetches = (h: Harness) =>
  h.timeline.items.filter(
    (e): e is Extract<TimelineEntry, { kind: 'fetch' }> => e.kind === 'fetch' && /\/events\?/.test(e.url),
  );
/** Lets pending promise callbacks run (after a fake-clock timer fired); not a sleep. */
const flush = () => new Promise<void>((r) => setImmediate(r));
const requestsTo = (h: Harness, url: string) => h.sim.server.requests.filter((r) => `${h.sim.origin}${r.url}` === url);

describe('P-GET loop', () => {
  it('follows only the links the server sent (next), never computing ack, and adds only its timeout', async () => {
    const h = await make();
    await h.connect();
    for (const kind of ['messaging', 'phoneAudio', 'onlineMeeting'] as const) {
      const ring = h.sim.ucwa.ring(kind);
      await h.sink.waitRinging((i) => i.id.endsWith(ring.href));
    }
    await h.sim.ucwa.waitUntilListening();
    const answered = h.responses.items.filter((r) => /\/events\?/.test(r.url) && r.status === 200);
    expect(answered.length).toBeGreaterThanOrEqual(4);
    const requested = pgetFetches(h).map((f) => f.url);
    // the first P-GET is the application's events link
    const app = JSON.parse(
      h.responses.items.find((r) => r.method === 'POST' && /\/applications$/.test(r.url))!.body,
    ) as {
      _links: { events: { href: string } };
    };
    expect(withoutTimeout(requested[0]!)).toBe(new URL(app._links.events.href, h.sim.origin).href);
    // each following one is exactly the previous answer's next link (+ our timeout)
    for (const [i, res] of answered.entries()) {
      const next = (JSON.parse(res.body) as { _links: { next: { href: string } } })._links.next.href;
      expect(requested[i + 1], `P-GET #${i + 2}`).toBe(`${new URL(next, h.sim.origin).href}&timeout=180`);
    }
    expect(h.sim.ucwa.pgets().some((p) => p.outcome === 'resync')).toBe(false);
  });

  it('issues the next P-GET before it handles the current batch', async () => {
    const h = await make();
    await h.connect();
    // embed:false makes handling take a GET of the invitation: it must come after the next P-GET
    const ring = h.sim.ucwa.ring('messaging', { embed: false });
    const inv = await h.sink.waitRinging();
    const ringPath = new URL(ring.href, h.sim.origin).pathname;
    const carrier = await h.responses.waitFor(
      (xs) => xs.find((r) => /\/events\?/.test(r.url) && r.body.includes('"started"') && r.body.includes(ringPath)),
      'the batch with the started event',
    );
    const next = new URL(
      (JSON.parse(carrier.body) as { _links: { next: { href: string } } })._links.next.href,
      h.sim.origin,
    ).href;
    const t = h.timeline.items;
    const nextAt = t.findIndex((e) => e.kind === 'fetch' && e.url === `${next}&timeout=180`);
    const getAt = t.findIndex(
      (e) => e.kind === 'fetch' && e.method === 'GET' && e.url === new URL(ring.href, h.sim.origin).href,
    );
    const ringingAt = t.findIndex(
      (e) => e.kind === 'sink' && e.event.type === 'ringing' && e.event.invitation.id === inv.id,
    );
    expect(nextAt).toBeGreaterThan(0);
    expect(nextAt).toBeLessThan(getAt); // the next P-GET went out first...
    expect(getAt).toBeLessThan(ringingAt); // ...then the batch was handled
  });

  it('handles senders and events strictly in order, even when one needs a GET first', async () => {
    const h = await make();
    await h.connect();
    // two rings queued together land in one batch: the first is not embedded (GET), the second is
    const first = h.sim.ucwa.ring('phoneAudio', { embed: false, fromName: 'First' });
    const second = h.sim.ucwa.ring('messaging', { fromName: 'Second' });
    await h.sink.waitRinging((i) => i.id.endsWith(second.href));
    expect(h.sink.ringingInvitations().map((i) => i.from.name)).toEqual(['First', 'Second']);
    expect(h.sink.ringingInvitations()[0]!.id.endsWith(first.href)).toBe(true);
  });

  it('stops with a conflict when its P-GET is replaced (409 PGetReplaced) by someone else', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.ring('messaging');
    const inv = await h.sink.waitRinging();
    h.sim.ucwa.replaceNextPget();
    h.sim.ucwa.ring('phoneAudio'); // releases the parked P-GET so the next one is sent
    const { error } = await h.sink.waitState('error');
    expect(error).toMatchObject({
      status: 409,
      code: 'Conflict',
      subcode: 'PGetReplaced',
      message: expect.stringMatching(/Another copy/),
    });
    expect((await h.sink.waitEnded(inv.id)).outcome).toBe('gone');
    const pgets = h.sim.ucwa.pgetUrls().length;
    await h.provider.stop();
    expect(h.sim.ucwa.pgetUrls()).toHaveLength(pgets);
    // the application belongs to whoever took over: it is not deleted
    expect(h.sim.ucwa.applicationsDeleted()).toEqual([]);
  });

  it('a second copy with the same endpoint id takes the channel over: the first reports the conflict', async () => {
    const sim = await startSimulator();
    track(sim);
    const store = new MemoryStore();
    const a = await make({ simulator: sim, store });
    await a.connect();
    const b = await make({ simulator: sim, store });
    await b.provider.start(b.sink);
    const { error } = await a.sink.waitState('error');
    expect(error?.subcode).toBe('PGetReplaced');
    await b.sink.waitState('connected');
    expect(sim.ucwa.applicationsCreated().map((x) => x.status)).toEqual([201, 200]);
    sim.ucwa.ring('messaging');
    await b.sink.waitRinging();
    expect(a.sink.ringingInvitations()).toEqual([]);
  });

  it('re-creates a vanished application silently (404 ApplicationNotFound): new links, makeMeAvailable, new loop', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.ring('messaging');
    const before = await h.sink.waitRinging();
    const oldApp = h.sim.ucwa.applications()[0]!.appId;
    h.sim.ucwa.removeApplication();
    expect((await h.sink.waitEnded(before.id)).outcome).toBe('gone');
    const app = await h.sim.ucwa.waitFor(() =>
      h.sim.ucwa.applications().find((x) => x.appId !== oldApp && x.available && x.listening),
    );
    expect(h.sim.ucwa.applicationsCreated()).toHaveLength(2);
    expect(h.sim.server.requests.filter((r) => r.path.endsWith('/makeMeAvailable'))).toHaveLength(2);
    expect(h.sim.ucwa.pgetUrls().at(-1)).toContain(`/${app.appId}/events`);
    const ring = h.sim.ucwa.ring('phoneAudio');
    await h.sink.waitRinging((i) => i.id.endsWith(ring.href));
    expect(h.sink.states()).not.toContain('error');
    expect(h.sink.states().filter((s) => s === 'connecting')).toHaveLength(1);
  });

  it('re-creates the application silently on 410 InactiveApplicationExpired and re-validates what rang', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.ring('messaging');
    const inv = await h.sink.waitRinging();
    const [first] = h.sim.ucwa.applications();
    h.sim.ucwa.expireApplication();
    // what rang on the lost application is asked for again and found gone
    expect((await h.sink.waitEnded(inv.id)).outcome).toBe('gone');
    const second = await h.sim.ucwa.waitFor(() => h.sim.ucwa.applications().find((a) => a.listening));
    expect(second.appId).not.toBe(first!.appId);
    expect(second.endpointId).toBe(first!.endpointId);
    expect(h.sim.server.find((r) => r.method === 'GET' && inv.id.endsWith(r.path))).toHaveLength(1);
    expect(h.sink.states()).not.toContain('error');
    const c = h.sim.ucwa.ring('phoneAudio');
    await h.sink.waitRinging((i) => i.id.endsWith(c.href));
  });

  it('on 401 gets a new token and repeats the same P-GET URL', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.expireTokens();
    h.sim.ucwa.ring('messaging'); // releases the parked P-GET; the next one meets the 401
    await h.sink.waitRinging();
    await h.sim.ucwa.waitUntilListening();
    const tokenPosts = h.sim.server.requests.filter((r) => r.path.endsWith('/oauthtoken'));
    expect(tokenPosts).toHaveLength(2);
    const after = tokenPosts[1]!.seq;
    const retried = h.sim.server.requests.find((r) => r.seq > after && r.path.endsWith('/events'))!;
    const firstTry = h.sim.server.requests.filter((r) => r.seq < after && r.path.endsWith('/events')).at(-1)!;
    expect(retried.url).toBe(firstTry.url);
    expect(retried.headers.authorization).not.toBe(firstTry.headers.authorization);
    expect(h.sink.states()).not.toContain('error');
  });

  it('backs off on a 5xx and retries the same URL, going reconnecting then connected', async () => {
    const clock = new ManualClock();
    const h = await make({ clock, deps: { backoff: { baseMs: 1000, capMs: 60_000 } } });
    await h.connect();
    h.sim.ucwa.failNextPget(503);
    h.sim.ucwa.ring('messaging');
    const { error } = await h.sink.waitState('reconnecting');
    expect(error).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    const failed = requestsTo(h, pgetFetches(h).at(-1)!.url);
    expect(failed).toHaveLength(1);
    const attempts = () => pgetFetches(h).filter((f) => f.url === `${h.sim.origin}${failed[0]!.url}`).length;
    clock.advance(499); // random() = 0 → the first delay is half of 1 s
    await flush();
    expect(attempts()).toBe(1);
    clock.advance(1);
    await flush();
    expect(attempts()).toBe(2);
    await h.sink.waitRinging(); // the retried P-GET got the batch
    await h.sink.events.waitFor(
      (xs) => xs.filter((e) => e.type === 'state').at(-1)?.type === 'state' && h.sink.states().at(-1) === 'connected',
      'connected again',
    );
    const urls = pgetFetches(h).map((f) => f.url);
    const i = urls.indexOf(`${h.sim.origin}${failed[0]!.url}`);
    expect(urls[i + 1]).toBe(urls[i]);
    expect(h.sink.states().slice(-2)).toEqual(['reconnecting', 'connected']);
  });

  it('doubles the backoff on repeated failures, capped, and recovers', async () => {
    const clock = new ManualClock();
    const h = await make({ clock, deps: { backoff: { baseMs: 2000, capMs: 8000 } } }); // random() = 0: half of each step
    await h.connect();
    h.sim.ucwa.failNext('events', { status: 500, code: 'ServiceFailure' }, 4);
    h.sim.ucwa.ring('messaging');
    const sentAfter = async (ms: number) => {
      const sent = pgetFetches(h).length;
      clock.advance(ms);
      await flush();
      return pgetFetches(h).length > sent;
    };
    for (const [n, expected] of [1000, 2000, 4000, 4000].entries()) {
      await h.waitLog('P-GET failed; retrying the same URL', n + 1);
      expect(await sentAfter(expected - 1), `retry ${n + 1} too early`).toBe(false);
      expect(await sentAfter(1), `retry ${n + 1} after ${expected} ms`).toBe(true);
    }
    await h.sink.waitRinging();
  });

  it('retries the same URL when the connection drops, without ringing twice (lost response)', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.dropNextPget('lostResponse');
    const ring = h.sim.ucwa.ring('messaging');
    await h.sink.waitState('reconnecting');
    const lost = h.sim.ucwa.pgets().find((p) => p.outcome === 'dropped')!;
    await h.sink.events.waitFor(
      () => h.sink.states().at(-1) === 'connected' && h.sink.ringingInvitations().length > 0,
      'recovered',
    );
    const again = h.sim.ucwa.pgets().filter((p) => p.url === lost.url);
    expect(again.length).toBeGreaterThanOrEqual(2);
    expect(h.sink.ringingInvitations().filter((i) => i.id.endsWith(ring.href))).toHaveLength(1);
  });

  it('retries the same URL after a connection reset', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.dropNextPget('reset');
    h.sim.ucwa.ring('phoneAudio'); // rides the parked P-GET; the next one is reset
    const { error } = await h.sink.waitState('reconnecting');
    expect(error).toMatchObject({ status: null, code: 'NetworkError' });
    await h.sink.events.waitFor(() => h.sink.states().at(-1) === 'connected' || undefined, 'connected again');
    const urls = pgetFetches(h).map((f) => f.url);
    const reset = urls.findIndex((u, i) => i > 0 && u === urls[i - 1]);
    expect(reset).toBeGreaterThan(0);
    const b = h.sim.ucwa.ring('messaging');
    await h.sink.waitRinging((i) => i.id.endsWith(b.href));
  });

  it('gives up on a P-GET the server never answers after timeout + 60 s, and asks again', async () => {
    const clock = new ManualClock();
    const h = await make({ clock });
    await h.connect();
    h.sim.ucwa.dropNextPget('hang');
    h.sim.ucwa.ring('messaging'); // answered by the parked P-GET; the next one hangs
    await h.sink.waitRinging();
    const hungUrl = pgetFetches(h).at(-1)!.url;
    await h.sim.server.waitForRequest((r) => `${h.sim.origin}${r.url}` === hungUrl);
    clock.advance(180_000 + 59_999);
    expect(h.sink.states()).not.toContain('reconnecting');
    clock.advance(1);
    const { error } = await h.sink.waitState('reconnecting');
    expect(error?.code).toBe('Timeout');
    clock.advance(40);
    await h.sim.server.waitForRequest(
      (r) => `${h.sim.origin}${r.url}` === hungUrl && requestsTo(h, hungUrl).length === 2,
    );
  });

  it('resync: keeps what still rings (re-validated by GET), ends what ended, and continues with the resync link', async () => {
    const h = await make();
    await h.connect();
    const ra = h.sim.ucwa.ring('messaging');
    const rb = h.sim.ucwa.ring('phoneAudio');
    const a = await h.sink.waitRinging((i) => i.id.endsWith(ra.href));
    const b = await h.sink.waitRinging((i) => i.id.endsWith(rb.href));
    h.sim.ucwa.resyncNextPget();
    h.sim.ucwa.forgetInvitation(rb); // ended on the server without an event: its GET answers 404
    h.sim.ucwa.ring('audioVideo');
    expect((await h.sink.waitEnded(b.id)).outcome).toBe('gone');
    const resync = await h.responses.waitFor((xs) => xs.find((r) => r.body.includes('"resync"')), 'the resync answer');
    const link = new URL(
      (JSON.parse(resync.body) as { _links: { resync: { href: string } } })._links.resync.href,
      h.sim.origin,
    ).href;
    const urls = pgetFetches(h).map((f) => f.url);
    expect(urls[urls.indexOf(resync.url) + 1]).toBe(`${link}&timeout=180`);
    await h.sim.server.waitForRequest((r) => r.method === 'GET' && r.path === pathOf(ra.href, h.sim.origin));
    const c = h.sim.ucwa.ring('onlineMeeting');
    const later = await h.sink.waitRinging((i) => i.id.endsWith(c.href));
    expect(later.modality).toBe('meeting');
    // a still rings, once, and its decline goes to the link cached from its first sighting
    expect(h.sink.events.items.filter((e) => e.type === 'ended' && e.id === a.id)).toHaveLength(0);
    expect(h.sink.ringingInvitations().filter((i) => i.id === a.id)).toHaveLength(1);
    expect(await h.provider.decline(a, 'Global')).toEqual({ ok: true });
    expect((await h.sim.ucwa.waitForDecline()).url).toBe(pathOf(ra.declineHref, h.sim.origin));
  });

  it('resume: ends every ringing invitation as gone and continues with the resume link', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.ring('phoneAudio');
    const a = await h.sink.waitRinging();
    h.sim.ucwa.resumeNextPget();
    h.sim.ucwa.ring('messaging');
    expect((await h.sink.waitEnded(a.id)).outcome).toBe('gone');
    const resume = await h.responses.waitFor((xs) => xs.find((r) => r.body.includes('"resume"')), 'the resume answer');
    const link = new URL(
      (JSON.parse(resume.body) as { _links: { resume: { href: string } } })._links.resume.href,
      h.sim.origin,
    ).href;
    await h.timeline.waitFor(
      (t) => t.some((e) => e.kind === 'fetch' && e.url === `${link}&timeout=180`),
      'P-GET of the resume link',
    );
    const c = h.sim.ucwa.ring('audioVideo');
    await h.sink.waitRinging((i) => i.id.endsWith(c.href));
  });

  it('skips an unreadable batch, asks the same URL again, and goes on', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.malformNextPget();
    h.sim.ucwa.ring('messaging'); // rides the parked P-GET; the next answer is junk
    await h.sink.waitState('reconnecting');
    const junk = h.sim.ucwa.pgets().find((p) => p.outcome === 'malformed')!;
    expect(junk).toBeDefined();
    const b = h.sim.ucwa.ring('phoneAudio');
    await h.sink.waitRinging((i) => i.id.endsWith(b.href));
    expect(h.sim.ucwa.pgets().filter((p) => p.url === junk.url).length).toBeGreaterThanOrEqual(2);
    expect(h.log.items.some((l) => l.includes('not JSON'))).toBe(true);
    expect(h.sink.states().at(-1)).toBe('connected');
  });

  it('rings once when the server duplicates a batch, and ignores completions of unknown invitations', async () => {
    const h = await make();
    await h.connect();
    h.sim.ucwa.duplicateNextBatch();
    const ring = h.sim.ucwa.ring('messaging');
    await h.sink.waitRinging();
    h.sim.ucwa.completeUnknown('phoneAudio');
    h.sim.ucwa.cancel(ring);
    await h.sink.events.waitFor((xs) => xs.some((e) => e.type === 'ended'), 'the cancel');
    expect(h.sink.ringingInvitations()).toHaveLength(1);
    expect(h.sink.events.items.filter((e) => e.type === 'ended')).toEqual([
      { type: 'ended', id: h.sink.ringingInvitations()[0]!.id, outcome: 'cancelled' },
    ]);
  });
});
