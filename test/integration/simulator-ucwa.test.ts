/**
 * The UCWA simulator itself, over real HTTP on 127.0.0.1 with Node's fetch: discovery and the
 * 401 challenge, the password grant, applications, makeMeAvailable, the P-GET event channel
 * (hold, ack/resend/resync, PGetReplaced), invitations, decline in JSON and XML, and the
 * misbehaviour commands.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ucwaAccountSchema } from '../../electron/core/config.js';
import { demoUcwaAccount, startSimulator } from '../../electron/simulator/index.js';
import { SimServer } from '../../electron/simulator/server.js';
import { UcwaSimulator, type UcwaSimOptions } from '../../electron/simulator/ucwa.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The UCWA half alone on a loopback SimServer (the composed simulator is covered at the end). */
interface UcwaSim {
  origin: string;
  server: SimServer;
  ucwa: UcwaSimulator;
  close(): Promise<void>;
}

let sim: UcwaSim;
afterEach(async () => {
  await sim?.close();
});

async function start(opts: UcwaSimOptions = {}): Promise<UcwaSim> {
  const server = await SimServer.start();
  const ucwa = new UcwaSimulator(server, { maxHoldMs: 10_000, ...opts });
  sim = {
    origin: server.origin,
    server,
    ucwa,
    close: async () => {
      ucwa.close();
      await server.close();
    },
  };
  return sim;
}

const abs = (href: string): string => new URL(href, sim.origin).toString();

async function getJson(url: string, token?: string): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(abs(url), {
    headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text },
    headers: res.headers,
  };
}

async function post(
  url: string,
  token: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; body: Json }> {
  const res = await fetch(abs(url), {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': contentType } : {}),
    },
    body: body ?? '',
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function grant(tokenUrl: string, username = 'demo@softphone.test', password = 'demo'): Promise<Response> {
  return fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  });
}

/** Discovery → user → token → user again: the applications URL and the token. */
async function signIn(): Promise<{ token: string; applications: string }> {
  const root = await getJson(sim.ucwa.discoveryUrl);
  const userUrl = root.body._links.user.href as string;
  const token = ((await (await grant(sim.ucwa.tokenUrl)).json()) as Json).access_token as string;
  const user = await getJson(userUrl, token);
  return { token, applications: user.body._links.applications.href as string };
}

interface Session {
  token: string;
  app: Json;
  events: string;
}

async function createApp(endpointId = 'a917c6f4-976c-4cf3-847d-cdfffa28ccdf', available = true): Promise<Session> {
  const { token, applications } = await signIn();
  const created = await post(
    applications,
    token,
    JSON.stringify({ userAgent: 'SimTest/1.0', endpointId, culture: 'en-US' }),
  );
  expect(created.status).toBe(201);
  const app = created.body;
  if (available)
    expect(
      (
        await post(
          app._embedded.me._links.makeMeAvailable.href,
          token,
          JSON.stringify({ supportedModalities: ['Messaging', 'PhoneAudio'] }),
        )
      ).status,
    ).toBe(204);
  return { token, app, events: app._links.events.href };
}

/** One P-GET; returns the body and the continuation href. */
async function pget(s: Session, url = s.events): Promise<{ status: number; body: Json; next: string }> {
  const r = await getJson(url, s.token);
  const links = r.body._links ?? {};
  return { status: r.status, body: r.body, next: (links.next ?? links.resume ?? links.resync)?.href };
}

/** Drains the makeMeAvailable batch so the next P-GET is held. */
async function drained(s: Session): Promise<Session> {
  const first = await pget(s);
  return { ...s, events: first.next };
}

const allEvents = (body: Json): Json[] =>
  (body.sender ?? []).flatMap((x: Json) => x.events.map((e: Json) => ({ ...e, sender: x.rel })));

async function ringAndReceive(s: Session, kind: Parameters<UcwaSimulator['ring']>[0] = 'messaging', opts = {}) {
  const pending = pget(s);
  await sim.ucwa.waitUntilListening();
  const handle = sim.ucwa.ring(kind, opts);
  const got = await pending;
  return { handle, got, session: { ...s, events: got.next } };
}

function rawGet(url: string): Promise<{ status: number; wwwAuthenticate: string[]; contentType: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          wwwAuthenticate: res.headersDistinct['www-authenticate'] ?? [],
          contentType: String(res.headers['content-type']),
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('autodiscovery and authentication', () => {
  it('serves the root resource with self, user and xframe links', async () => {
    await start();
    const root = await getJson(sim.ucwa.discoveryUrl);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys(root.body._links).sort()).toEqual(['self', 'user', 'xframe']);
    expect(root.body._links.user.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\/oauth\/user\?originalDomain=/);
  });

  it('walks configured redirect hops before the real root', async () => {
    await start({ rootRedirects: 2 });
    let url = sim.ucwa.discoveryUrl;
    const seen: string[] = [];
    for (;;) {
      const { body } = await getJson(url);
      if (!body._links.redirect) break;
      expect(Object.keys(body._links)).toEqual(['redirect']);
      url = body._links.redirect.href;
      seen.push(url);
    }
    expect(seen).toHaveLength(2);
    expect((await getJson(url)).body._links.user).toBeDefined();
  });

  it('challenges an unauthenticated user GET with two WWW-Authenticate headers', async () => {
    await start();
    const root = await getJson(sim.ucwa.discoveryUrl);
    const res = await rawGet(root.body._links.user.href);
    expect(res.status).toBe(401);
    expect(res.contentType).toBe('text/html');
    expect(res.wwwAuthenticate).toHaveLength(2);
    expect(res.wwwAuthenticate[0]).toMatch(/^Bearer trusted_issuers="/);
    expect(res.wwwAuthenticate[1]).toBe(
      `MsRtcOAuth href="${sim.origin}/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"`,
    );
  });

  it('grants a cwt bearer token for good credentials and invalid_grant for bad ones', async () => {
    await start({ tokenLifetimeSec: 3600 });
    const ok = await grant(sim.ucwa.tokenUrl);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Json;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(body.access_token).toMatch(/^cwt=/);
    const bad = await grant(sim.ucwa.tokenUrl, 'demo@softphone.test', 'wrong');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_grant' });
    const unsupported = await fetch(sim.ucwa.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=urn:microsoft.rtc:windows',
    });
    expect(await unsupported.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('answers the user resource with an absolute applications link once authenticated', async () => {
    await start();
    const { applications } = await signIn();
    expect(applications).toBe(`${sim.origin}/ucwa/oauth/v1/applications`);
  });

  it('redirects the user to a second pool whose token endpoint must be used again', async () => {
    await start({ userRedirect: true });
    const root = await getJson(sim.ucwa.discoveryUrl);
    const token = ((await (await grant(sim.ucwa.tokenUrl)).json()) as Json).access_token;
    const user = await getJson(root.body._links.user.href, token);
    expect(user.body._links.applications).toBeUndefined();
    const pool2Root = await getJson(user.body._links.redirect.href);
    const pool2User = pool2Root.body._links.user.href as string;
    expect(pool2User).toContain('/pool2/');
    const challenged = await rawGet(pool2User);
    expect(challenged.wwwAuthenticate[1]).toContain(`href="${sim.origin}/pool2/WebTicket/oauthtoken"`);
    expect((await getJson(pool2User, token)).status).toBe(401);
    const token2 = ((await (await grant(`${sim.origin}/pool2/WebTicket/oauthtoken`)).json()) as Json).access_token;
    const apps = (await getJson(pool2User, token2)).body._links.applications.href as string;
    expect(apps).toBe(`${sim.origin}/pool2/ucwa/oauth/v1/applications`);
    const created = await post(apps, token2, JSON.stringify({ userAgent: 'x', endpointId: 'e', culture: 'en-US' }));
    expect(created.status).toBe(201);
    expect(created.body._links.self.href).toMatch(/^\/pool2\/ucwa\/oauth\/v1\/applications\/[0-9a-f]{32}$/);
  });

  it('rejects every token after expireTokens with a fresh challenge', async () => {
    await start();
    const s = await createApp();
    expect((await getJson(s.app._links.self.href, s.token)).status).toBe(200);
    sim.ucwa.expireTokens();
    const after = await rawGet(abs(s.app._links.self.href));
    expect(after.status).toBe(401);
    expect(after.wwwAuthenticate[1]).toMatch(/^MsRtcOAuth href=/);
  });

  it('lets tokens run out after their lifetime', async () => {
    let now = 1_000_000;
    await start({ tokenLifetimeSec: 60, now: () => now });
    const s = await createApp();
    now += 61_000;
    expect((await getJson(s.app._links.self.href, s.token)).status).toBe(401);
  });
});

describe('applications, makeMeAvailable and reportMyActivity', () => {
  it('creates an application in the documented shape, then returns the same one for the same endpointId', async () => {
    await start();
    const s = await createApp('ep-1', false);
    const app = s.app;
    expect(app).toMatchObject({ rel: 'application', culture: 'en-US', userAgent: 'SimTest/1.0' });
    expect(app._links.self.href).toMatch(/^\/ucwa\/oauth\/v1\/applications\/[0-9a-f]{32}$/);
    expect(app._links.events.href).toBe(`${app._links.self.href}/events?ack=1`);
    expect(app._embedded.me._links.makeMeAvailable.href).toBe(`${app._links.self.href}/me/makeMeAvailable`);
    expect(app._embedded.me._links.reportMyActivity).toBeUndefined();
    expect(app._embedded.communication).toMatchObject({ rel: 'communication', supportedModalities: [] });
    expect(app._embedded.communication._links.conversations.href).toContain('?filter=active');
    const { applications } = await signIn();
    const again = await post(
      applications,
      s.token,
      JSON.stringify({ UserAgent: 'SimTest/1.0', EndpointId: 'ep-1', Culture: 'en-US' }),
    );
    expect(again.status).toBe(200);
    expect(again.body._links.self.href).toBe(app._links.self.href);
    expect(sim.ucwa.applicationsCreated().map((a) => [a.endpointId, a.status])).toEqual([
      ['ep-1', 201],
      ['ep-1', 200],
    ]);
  });

  it('names the missing parameters of a bad application request', async () => {
    await start();
    const { token, applications } = await signIn();
    const bad = await post(applications, token, JSON.stringify({ userAgent: 'x' }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'BadRequest', subcode: 'ParameterValidationFailure' });
    expect(bad.body.message).toContain('endpointId, culture');
  });

  it('serves absolute hrefs when the option says so', async () => {
    await start({ absoluteLinks: true });
    const s = await createApp();
    expect(s.app._links.events.href).toMatch(
      new RegExp(`^${sim.origin}/ucwa/oauth/v1/applications/[0-9a-f]+/events\\?ack=1$`),
    );
    const first = await pget(s);
    expect(first.next.startsWith(sim.origin)).toBe(true);
    expect(first.body.sender[0].href.startsWith(sim.origin)).toBe(true);
  });

  it('makes the user available once, then offers reportMyActivity', async () => {
    await start();
    const s = await createApp('ep', false);
    const me = s.app._embedded.me._links;
    const early = await post(`${s.app._links.self.href}/me/reportMyActivity`, s.token);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'Conflict', subcode: 'MakeMeAvailableRequired' });
    expect(
      (await post(me.makeMeAvailable.href, s.token, JSON.stringify({ supportedModalities: ['Messaging'] }))).status,
    ).toBe(204);
    const twice = await post(me.makeMeAvailable.href, s.token, '{}');
    expect(twice).toMatchObject({ status: 409, body: { code: 'Conflict', subcode: 'AlreadyExists' } });
    const meNow = await getJson(me.self.href, s.token);
    expect((await post(meNow.body._links.reportMyActivity.href, s.token)).status).toBe(204);
    expect(sim.ucwa.activityReports()).toHaveLength(1);
    const events = allEvents((await pget(s)).body);
    expect(events.map((e) => `${e.sender}:${e.link.rel}:${e.type}`)).toEqual([
      'me:me:updated',
      'me:presence:added',
      'me:note:added',
      'me:location:added',
      'communication:communication:updated',
    ]);
    expect(events[4]!._embedded.communication.supportedModalities).toEqual(['Messaging', 'PhoneAudio']);
  });

  it('refuses modalities other than Messaging and PhoneAudio with 403', async () => {
    await start();
    const s = await createApp('ep', false);
    const r = await post(
      s.app._embedded.me._links.makeMeAvailable.href,
      s.token,
      JSON.stringify({ supportedModalities: ['Video'] }),
    );
    expect(r.status).toBe(403);
  });

  it('deletes an application: 204, then ApplicationNotFound', async () => {
    await start();
    const s = await createApp();
    const del = await fetch(abs(s.app._links.self.href), {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${s.token}` },
    });
    expect(del.status).toBe(204);
    const gone = await getJson(s.app._links.self.href, s.token);
    expect(gone).toMatchObject({ status: 404, body: { code: 'NotFound', subcode: 'ApplicationNotFound' } });
    expect(sim.ucwa.applicationsDeleted()).toMatchObject([{ by: 'client' }]);
  });
});

describe('event channel', () => {
  it('holds a P-GET until an invitation rings, then releases it with the invitation', async () => {
    await start();
    const s = await drained(await createApp());
    const { handle, got } = await ringAndReceive(s, 'messaging', {
      fromName: 'Lene Aaling',
      fromUri: 'sip:lenea@contoso.com',
    });
    expect(got.status).toBe(200);
    const [started, added, local] = allEvents(got.body);
    expect(started).toMatchObject({
      sender: 'communication',
      type: 'started',
      link: { rel: 'messagingInvitation', href: handle.href },
    });
    const inv = started!._embedded.messagingInvitation;
    expect(inv).toMatchObject({ direction: 'Incoming', state: 'Connecting', importance: 'Normal', subject: '' });
    expect(inv._links.decline.href).toBe(handle.declineHref);
    expect(inv._links.accept).toBeDefined();
    expect(inv._links.message.href).toBe('data:text/plain;charset=utf-8,Hi+there%0d%0a');
    expect(inv._embedded.from).toMatchObject({ name: 'Lene Aaling', uri: 'sip:lenea@contoso.com' });
    expect(added).toMatchObject({
      sender: 'communication',
      type: 'added',
      link: { rel: 'conversation', href: inv._links.conversation.href },
    });
    expect(local).toMatchObject({ sender: 'conversation', type: 'added', link: { rel: 'localParticipant' } });
  });

  it('follows up with an updated invitation that no longer carries action links', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    const next = allEvents((await pget(session)).body);
    const updated = next.find((e) => e.type === 'updated' && e.link.href === handle.href)!;
    expect(updated._embedded.messagingInvitation.state).toBe('Connecting');
    expect(updated._embedded.messagingInvitation._links.decline).toBeUndefined();
    expect(updated._embedded.messagingInvitation._links.accept).toBeUndefined();
  });

  it('never hands out ack=N+1, and answers a self-built URL with resync only', async () => {
    await start();
    const s = await createApp();
    const first = await pget(s);
    const n = Number(new URL(first.next, sim.origin).searchParams.get('ack'));
    expect(n).toBeGreaterThan(2);
    const guessed = await pget(s, `${s.app._links.self.href}/events?ack=2`);
    expect(Object.keys(guessed.body._links)).toEqual(['self', 'resync']);
    expect(guessed.body.sender).toBeUndefined();
  });

  it('resends the same batch when the client re-GETs an ack it already used', async () => {
    await start();
    const s = await createApp();
    const first = await pget(s);
    const again = await pget(s);
    expect(again.body).toEqual(first.body);
    expect(sim.ucwa.pgets().map((p) => p.outcome)).toEqual(['events', 'resend']);
  });

  it('points resync at the first unacknowledged batch', async () => {
    await start();
    const s = await createApp();
    const first = await pget(s);
    const wrong = await pget(s, `${s.app._links.self.href}/events?ack=999999`);
    expect(wrong.body._links.resync.href).toBe(s.events);
    expect((await pget(s, wrong.next)).body).toEqual(first.body);
  });

  it('drops an acknowledged batch: acking it moves on, and the old ack is then unknown', async () => {
    await start({ maxHoldMs: 20 });
    const s = await createApp();
    const first = await pget(s);
    const second = await pget(s, first.next);
    expect(second.body.sender).toBeUndefined();
    const stale = await pget(s);
    expect(stale.body._links.resync.href).toBe(first.next);
  });

  it('releases an empty batch (self + next, no sender) after the hold time', async () => {
    await start({ maxHoldMs: 20 });
    const s = await drained(await createApp());
    const empty = await pget(s, `${s.events}&timeout=900`);
    expect(empty.status).toBe(200);
    expect(Object.keys(empty.body._links)).toEqual(['self', 'next']);
    expect(empty.body.sender).toBeUndefined();
    expect(sim.ucwa.pgets().at(-1)!.outcome).toBe('empty');
  });

  it('answers a superseded P-GET with 409 PGetReplaced and keeps the newer one', async () => {
    await start();
    const s = await drained(await createApp());
    const older = pget(s);
    await sim.ucwa.waitUntilListening();
    const newer = pget(s);
    const first = await older;
    expect(first.status).toBe(409);
    expect(first.body).toMatchObject({ code: 'Conflict', subcode: 'PGetReplaced' });
    await sim.ucwa.waitFor(() => sim.ucwa.pgets().length === 3 && sim.ucwa.applications()[0]!.listening);
    sim.ucwa.ring('phoneAudio');
    expect(allEvents((await newer).body)[0]).toMatchObject({ type: 'started', link: { rel: 'phoneAudioInvitation' } });
  });

  it('supports all four invitation kinds with their own action links', async () => {
    await start();
    let s = await drained(await createApp());
    const expected = {
      messaging: ['accept', 'decline'],
      phoneAudio: ['decline'],
      onlineMeeting: ['accept', 'decline'],
      audioVideo: ['acceptWithAnswer', 'acceptWithPhoneAudio', 'decline'],
    } as const;
    for (const kind of ['messaging', 'phoneAudio', 'onlineMeeting', 'audioVideo'] as const) {
      const r = await ringAndReceive(s, kind);
      const started = allEvents(r.got.body).find((e) => e.type === 'started')!;
      expect(started.link.rel).toBe(`${kind}Invitation`);
      const links = Object.keys(started._embedded[`${kind}Invitation`]._links).filter(
        (k) => k.startsWith('accept') || k === 'decline',
      );
      expect(links.sort()).toEqual([...expected[kind]]);
      s = { ...r.session, events: (await pget(r.session)).next };
    }
  });

  it('omits _embedded on request, and serves the invitation on GET', async () => {
    await start();
    const { handle, got, session } = await ringAndReceive(await drained(await createApp()), 'phoneAudio', {
      embed: false,
    });
    const started = allEvents(got.body)[0]!;
    expect(started._embedded).toBeUndefined();
    const inv = await getJson(started.link.href, session.token);
    expect(inv.status).toBe(200);
    expect(inv.body).toMatchObject({ rel: 'phoneAudioInvitation', direction: 'Incoming', state: 'Connecting' });
    expect(inv.body._links.decline.href).toBe(handle.declineHref);
  });

  it('encodes the message as base64 on request', async () => {
    await start();
    const { got } = await ringAndReceive(await drained(await createApp()), 'messaging', {
      message: 'Hello ☎',
      base64Message: true,
    });
    const href = allEvents(got.body)[0]!._embedded.messagingInvitation._links.message.href as string;
    expect(href).toBe(`data:text/plain;base64,${Buffer.from('Hello ☎').toString('base64')}`);
  });
});

describe('decline and the end of an invitation', () => {
  it('declines with a JSON body: 204, then completed Failure/Declined and the conversation deleted', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    const r = await post(handle.declineHref, session.token, JSON.stringify({ reason: 'Global' }));
    expect(r.status).toBe(204);
    const events = allEvents((await pget(session)).body);
    const completed = events.find((e) => e.type === 'completed')!;
    expect(completed).toMatchObject({
      sender: 'communication',
      link: { href: handle.href },
      status: 'Failure',
      reason: { subcode: 'Declined' },
    });
    expect(events.find((e) => e.type === 'deleted')).toMatchObject({ link: { rel: 'conversation' } });
    const aboutIt = events.filter((e) => e.link.href === handle.href).map((e) => e.type);
    expect(aboutIt.at(-1)).toBe('completed');
    expect(aboutIt.filter((t) => t === 'completed')).toHaveLength(1);
    expect(sim.ucwa.declines()).toMatchObject([
      { reason: 'Global', format: 'json', contentType: 'application/json', status: 204, callId: handle.id },
    ]);
    expect(sim.ucwa.callState(handle)).toBe('completed');
  });

  it('declines with an XML body', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()), 'phoneAudio');
    const xml =
      '<?xml version="1.0" encoding="utf-8"?>\n<input xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa">\n  <property name="reason">Local</property>\n</input>';
    const r = await post(handle.declineHref, session.token, xml, 'application/xml');
    expect(r.status).toBe(204);
    expect(sim.ucwa.declines()[0]).toMatchObject({ reason: 'Local', format: 'xml', status: 204 });
    const completed = allEvents((await pget(session)).body).find((e) => e.type === 'completed')!;
    expect(completed.reason.subcode).toBe('Declined');
  });

  it('refuses an unknown reason (400) and a wrong content type (415), and the invitation keeps ringing', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    const bad = await post(handle.declineHref, session.token, JSON.stringify({ reason: 'Later' }));
    expect(bad).toMatchObject({ status: 400, body: { code: 'BadRequest', subcode: 'ParameterValidationFailure' } });
    expect(bad.body.message).toContain('Later');
    const media = await post(handle.declineHref, session.token, 'reason=Local', 'text/plain');
    expect(media).toMatchObject({ status: 415, body: { code: 'UnsupportedMediaType' } });
    const badXml = await post(handle.declineHref, session.token, '<input><property', 'application/xml');
    expect(badXml).toMatchObject({ status: 400, body: { subcode: 'DeserializationFailure' } });
    expect(sim.ucwa.callState(handle)).toBe('ringing');
    expect(sim.ucwa.declines().map((d) => d.status)).toEqual([400, 415, 400]);
  });

  it('answers 404 to a decline of an invitation that already ended', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    sim.ucwa.cancel(handle);
    const late = await post(handle.declineHref, session.token, JSON.stringify({ reason: 'Global' }));
    expect(late).toMatchObject({ status: 404, body: { code: 'NotFound', subcode: 'ResourceNotFound' } });
  });

  it('reports a caller cancel as completed Failure/Canceled', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    const followUp = await pget(session);
    sim.ucwa.cancel(handle);
    const next = await pget(session, followUp.next);
    const completed = allEvents(next.body).find((e) => e.type === 'completed')!;
    expect(completed).toMatchObject({ status: 'Failure', reason: { code: 'RemoteFailure', subcode: 'Canceled' } });
  });

  it('ends an invitation with any given outcome', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    sim.ucwa.complete(handle, { subcode: 'ConnectedElsewhere', code: 'Informational' });
    const events = allEvents((await pget(session)).body);
    expect(events.find((e) => e.type === 'completed')).toMatchObject({
      status: 'Failure',
      reason: { code: 'Informational', subcode: 'ConnectedElsewhere' },
    });
  });

  it('accepts an IM invitation: 204, then completed Success and the conversation Connected', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    const acceptHref = handle.legs[0]!.acceptHref!;
    expect((await post(acceptHref, session.token)).status).toBe(204);
    const events = allEvents((await pget(session)).body);
    expect(events.find((e) => e.type === 'completed')).toMatchObject({
      link: { href: handle.href },
      status: 'Success',
    });
    expect(events.find((e) => e.link.rel === 'conversation')).toMatchObject({
      type: 'updated',
      _embedded: { conversation: { state: 'Connected' } },
    });
  });

  it('forks an invitation to every endpoint: Local declines one leg, Global the rest', async () => {
    await start();
    const a = await drained(await createApp('ep-a'));
    const b = await drained(await createApp('ep-b'));
    const pa = pget(a);
    const pb = pget(b);
    await sim.ucwa.waitFor(() => sim.ucwa.applications().every((x) => x.listening));
    const handle = sim.ucwa.ring('messaging');
    expect(handle.legs).toHaveLength(2);
    await Promise.all([pa, pb]);
    expect((await post(handle.legs[0]!.declineHref, a.token, JSON.stringify({ reason: 'Local' }))).status).toBe(204);
    expect(sim.ucwa.callState(handle)).toBe('ringing');
    expect((await post(handle.legs[1]!.declineHref, b.token, JSON.stringify({ reason: 'Global' }))).status).toBe(204);
    expect(sim.ucwa.callState(handle)).toBe('completed');
  });
});

describe('misbehaviour on command', () => {
  it('fails the next P-GET with a 5xx and then serves the same URL normally', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.failNextPget(503);
    const failed = await pget(s);
    expect(failed).toMatchObject({ status: 503, body: { code: 'ServiceUnavailable' } });
    expect((await pget(s)).body.sender).toBeDefined();
  });

  it('answers the next P-GET with PGetReplaced on command', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.replaceNextPget();
    expect((await pget(s)).body).toMatchObject({ code: 'Conflict', subcode: 'PGetReplaced' });
  });

  it('removes an application: the held P-GET and later requests get ApplicationNotFound; re-creating gives new links', async () => {
    await start();
    const s = await drained(await createApp());
    const held = pget(s);
    await sim.ucwa.waitUntilListening();
    sim.ucwa.removeApplication();
    expect((await held).body).toMatchObject({ code: 'NotFound', subcode: 'ApplicationNotFound' });
    expect((await getJson(s.app._links.self.href, s.token)).status).toBe(404);
    const again = await createApp();
    expect(again.app._links.self.href).not.toBe(s.app._links.self.href);
    expect(sim.ucwa.applicationsDeleted()).toMatchObject([{ by: 'removed' }]);
  });

  it('expires an application with 410 InactiveApplicationExpired', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.expireApplication();
    expect((await pget(s)).body).toMatchObject({ code: 'Gone', subcode: 'InactiveApplicationExpired' });
  });

  it('fails the next decline with CallbackChannelError and lets the retry succeed', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    sim.ucwa.failNextDecline(500);
    const first = await post(handle.declineHref, session.token, JSON.stringify({ reason: 'Global' }));
    expect(first).toMatchObject({ status: 500, body: { code: 'ServiceFailure', subcode: 'CallbackChannelError' } });
    expect(first.body.message).toBeTruthy();
    expect(sim.ucwa.callState(handle)).toBe('ringing');
    expect((await post(handle.declineHref, session.token, JSON.stringify({ reason: 'Global' }))).status).toBe(204);
  });

  it('fails any route once with a given UCWA error', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.failNext('reportMyActivity', { status: 410, code: 'Gone', subcode: 'CannotRedirect' });
    const meHref = `${s.app._links.self.href}/me/reportMyActivity`;
    expect((await post(meHref, s.token)).body).toMatchObject({ code: 'Gone', subcode: 'CannotRedirect' });
    expect((await post(meHref, s.token)).status).toBe(204);
  });

  it('sends resync instead of next on command, and following it continues the channel', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.resyncNextPget();
    const r = await pget(s);
    expect(Object.keys(r.body._links)).toEqual(['self', 'resync']);
    expect((await pget(s, r.next)).body.sender).toHaveLength(2);
  });

  it('sends resume on command and drops the ringing invitations', async () => {
    await start();
    const { handle, session } = await ringAndReceive(await drained(await createApp()));
    sim.ucwa.resumeNextPget();
    const r = await pget(session);
    expect(Object.keys(r.body._links)).toEqual(['self', 'resume']);
    expect(r.body.sender).toBeUndefined();
    expect(sim.ucwa.callState(handle)).toBe('completed');
    expect((await post(handle.declineHref, session.token, '{}')).status).toBe(404);
  });

  it('duplicates the events of the next batch', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.duplicateNextBatch();
    const events = allEvents((await pget(s)).body);
    expect(events).toHaveLength(10);
    expect(events[0]).toEqual(events[1]);
  });

  it("puts an invitation's updated before its started on request", async () => {
    await start();
    const { got } = await ringAndReceive(await drained(await createApp()), 'messaging', { updatedBeforeStarted: true });
    expect(
      allEvents(got.body)
        .map((e) => e.type)
        .slice(0, 2),
    ).toEqual(['updated', 'started']);
  });

  it('sends completed for an invitation the client never saw', async () => {
    await start();
    const s = await drained(await createApp());
    const href = sim.ucwa.completeUnknown('phoneAudio');
    expect(allEvents((await pget(s)).body)[0]).toMatchObject({
      type: 'completed',
      link: { rel: 'phoneAudioInvitation', href },
    });
  });

  it('sends a malformed body once without consuming the batch', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.malformNextPget();
    const res = await fetch(abs(s.events), { headers: { Authorization: `Bearer ${s.token}` } });
    expect(res.headers.get('content-type')).toContain('application/json');
    await expect(res.json()).rejects.toThrow();
    expect((await pget(s)).body.sender).toHaveLength(2);
  });

  it('delivers a burst of invitations in one response', async () => {
    await start();
    const s = await drained(await createApp());
    const pending = pget(s);
    await sim.ucwa.waitUntilListening();
    const handles = sim.ucwa.burst(6);
    const started = allEvents((await pending).body).filter((e) => e.type === 'started');
    expect(started.map((e) => e.link.href)).toEqual(handles.map((h) => h.href));
  });

  it('loses a response after sending it; retrying the same URL gets the same batch', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.dropNextPget('lostResponse');
    await expect(fetch(abs(s.events), { headers: { Authorization: `Bearer ${s.token}` } })).rejects.toThrow();
    const retry = await pget(s);
    expect(retry.body.sender).toHaveLength(2);
    expect(sim.ucwa.pgets().map((p) => p.outcome)).toEqual(['dropped', 'resend']);
  });

  it('resets the connection of a dropped P-GET without consuming anything', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.dropNextPget('reset');
    await expect(fetch(abs(s.events), { headers: { Authorization: `Bearer ${s.token}` } })).rejects.toThrow();
    expect((await pget(s)).body.sender).toHaveLength(2);
    expect(sim.ucwa.pgets().map((p) => p.outcome)).toEqual(['dropped', 'events']);
  });

  it('never answers a hung P-GET; the client can abort it and retry', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.dropNextPget('hang');
    const ac = new AbortController();
    const hung = fetch(abs(s.events), { headers: { Authorization: `Bearer ${s.token}` }, signal: ac.signal });
    await sim.server.waitForRequest((r) => r.path.endsWith('/events'));
    ac.abort();
    await expect(hung).rejects.toThrow();
    expect((await pget(s)).body.sender).toHaveLength(2);
  });

  it('delays the next P-GET and still answers it', async () => {
    await start();
    const s = await createApp();
    sim.ucwa.delayNextPget(30);
    expect((await pget(s)).body.sender).toHaveLength(2);
  });
});

describe('simulator lifecycle, demo and the demo account', () => {
  it('composes the simulator with a demo account that the account schema accepts and that signs in', async () => {
    const composed = await startSimulator();
    sim = composed;
    const account = ucwaAccountSchema.parse(demoUcwaAccount(composed));
    expect(account).toMatchObject({
      id: 'demo-ucwa',
      provider: 'ucwa',
      username: 'demo@softphone.test',
      password: 'demo',
      discoveryUrl: `${composed.origin}/autodiscover/autodiscoverservice.svc/root`,
    });
    expect((await grant(composed.ucwa.tokenUrl, account.username, account.password)).status).toBe(200);
    await composed.close();
    await expect(fetch(account.discoveryUrl!)).rejects.toThrow();
  });

  it('rings sample invitations in demo mode once someone listens', async () => {
    await start();
    const s = await drained(await createApp());
    const pending = pget(s);
    await sim.ucwa.waitUntilListening();
    sim.ucwa.startDemo({ firstAfterMs: 0, everyMs: 0 });
    const started = allEvents((await pending).body)[0]!;
    expect(started.type).toBe('started');
    expect(started._embedded[started.link.rel]._embedded.from.name).toMatch(/^[A-Z][a-z]+ [A-Z]/);
    sim.ucwa.stopDemo();
  });

  it('releases a held P-GET with an empty batch when the UCWA half closes', async () => {
    await start();
    const s = await drained(await createApp());
    const held = pget(s);
    await sim.ucwa.waitUntilListening();
    sim.ucwa.close();
    const r = await held;
    expect(r.status).toBe(200);
    expect(Object.keys(r.body._links)).toEqual(['self', 'next']);
    expect(sim.ucwa.pgets().at(-1)!.outcome).toBe('closed');
  });

  it('is deterministic: the same seed gives the same ids and ack numbers', async () => {
    const run = async () => {
      await start({ seed: 'fixed' });
      const s = await createApp();
      const first = await pget(s);
      const out = [s.app._links.self.href, first.next];
      await sim.close();
      return out;
    };
    expect(await run()).toEqual(await run());
  });
});
