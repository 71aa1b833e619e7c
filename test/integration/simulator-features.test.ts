/**
 * The simulator's issue-9 resources over raw HTTP (no client code): presence set/reset and its
 * refusals, startMessaging's validation and decoded text, call forwarding's resource, actions
 * and refusals. What a real server would refuse, it refuses with a UCWA error naming why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimServer } from '../../electron/simulator/server.js';
import { UcwaSimulator } from '../../electron/simulator/ucwa.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let server: SimServer;
let ucwa: UcwaSimulator;
afterEach(async () => {
  ucwa?.close();
  await server?.close();
});

async function session() {
  server = await SimServer.start();
  ucwa = new UcwaSimulator(server, { maxHoldMs: 2_000 });
  const abs = (href: string) => new URL(href, server.origin).toString();
  const token = (
    (await (
      await fetch(ucwa.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=demo%40softphone.test&password=demo',
      })
    ).json()) as Json
  ).access_token as string;
  const call = async (method: string, href: string, body?: string, type = 'application/json') => {
    const res = await fetch(abs(href), {
      method,
      headers: {
        Accept: 'application/json',
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'Content-Type': type } : {}),
      },
      ...(method === 'POST' ? { body: body ?? '' } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const root = await call('GET', ucwa.discoveryUrl);
  const user = await call('GET', root.body._links.user.href);
  const app = await call(
    'POST',
    user.body._links.applications.href,
    JSON.stringify({ userAgent: 't', endpointId: 'e1', culture: 'en-US' }),
  );
  await call('POST', app.body._embedded.me._links.makeMeAvailable.href, '{}');
  const fresh = (await call('GET', app.body._links.self.href)).body;
  return { call, me: fresh._embedded.me._links as Json, comm: fresh._embedded.communication._links as Json };
}

describe('simulator: presence', () => {
  it('sets availability, resets it with an empty body, refuses an unknown value', async () => {
    const { call, me } = await session();
    expect((await call('POST', me.presence.href, JSON.stringify({ availability: 'DoNotDisturb' }))).status).toBe(204);
    expect(ucwa.availabilityOf()).toBe('DoNotDisturb');
    expect((await call('GET', me.presence.href)).body.availability).toBe('DoNotDisturb');
    const bad = await call('POST', me.presence.href, JSON.stringify({ availability: 'Sleeping' }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'BadRequest', subcode: 'ParameterValidationFailure' });
    expect(bad.body.message).toMatch(/availability: "Sleeping" is not one of/);
    expect((await call('POST', me.presence.href)).status).toBe(204);
    expect(ucwa.availabilityOf()).toBe('Online');
    expect(ucwa.presencePosts().map((p) => [p.availability, p.status])).toEqual([
      ['DoNotDisturb', 204],
      [null, 400],
      [null, 204],
    ]);
  });
});

describe('simulator: startMessaging', () => {
  it('answers 201 with a Location and records the decoded first message', async () => {
    const { call, comm } = await session();
    const r = await call(
      'POST',
      comm.startMessaging.href,
      JSON.stringify({
        to: 'sip:lenea@contoso.com',
        operationId: 'op1',
        importance: 'Normal',
        _links: { message: { href: `data:text/plain;base64,${Buffer.from('Hi — back soon').toString('base64')}` } },
      }),
    );
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toMatch(/messagingInvitations\//);
    expect(ucwa.replies()[0]).toMatchObject({
      to: 'sip:lenea@contoso.com',
      operationId: 'op1',
      text: 'Hi — back soon',
    });
  });

  it('refuses a missing operationId or a to that is not a SIP URI', async () => {
    const { call, comm } = await session();
    const missing = await call('POST', comm.startMessaging.href, JSON.stringify({ to: 'sip:a@b.c' }));
    expect([missing.status, missing.body.message]).toEqual([400, 'Missing required parameters: operationId']);
    const notSip = await call('POST', comm.startMessaging.href, JSON.stringify({ to: 'a@b.c', operationId: 'x' }));
    expect([notSip.status, notSip.body.message]).toEqual([400, 'to: "a@b.c" is not a SIP URI']);
    expect(ucwa.replies()).toEqual([]);
  });
});

describe('simulator: call forwarding', () => {
  it('serves the resource with its action links, and changes state on each action', async () => {
    const { call, me } = await session();
    const settings = (await call('GET', me.callForwardingSettings.href)).body;
    expect(settings).toMatchObject({ rel: 'callForwardingSettings', activeSetting: 'None' });
    expect(settings._links.turnOffCallForwarding).toBeUndefined(); // nothing to turn off
    const imm = settings._embedded.immediateForwardSettings._links;
    expect(
      (await call('POST', imm.immediateForwardToContact.href, JSON.stringify({ target: 'sip:x@contoso.com' }))).status,
    ).toBe(204);
    const after = (await call('GET', me.callForwardingSettings.href)).body;
    expect(after).toMatchObject({
      activeSetting: 'ImmediateForward',
      _embedded: { immediateForwardSettings: { target: 'Contact' } },
    });
    expect(after._embedded.immediateForwardSettings._links.contact.title).toBe('sip:x@contoso.com');
    expect((await call('POST', after._links.turnOffCallForwarding.href)).status).toBe(204);
    expect(ucwa.forwardingOf()).toEqual({ state: 'off' });
  });

  it('refuses a contact target that is not a sip:/tel: URI of at most 80 characters', async () => {
    const { call, me } = await session();
    const imm = (await call('GET', me.callForwardingSettings.href)).body._embedded.immediateForwardSettings._links;
    const bad = await call(
      'POST',
      imm.immediateForwardToContact.href,
      JSON.stringify({ target: `sip:${'a'.repeat(80)}@b.c` }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/is not a sip: or tel: URI of at most 80 characters/);
    expect(ucwa.forwardingOf()).toEqual({ state: 'off' });
  });
});
