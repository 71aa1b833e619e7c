import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountWithSecretSchema } from '../../../electron/core/config.js';
import { startSimulator, type Simulator } from '../../../electron/simulator/index.js';
import { demoGraphAccount } from '../../../electron/simulator/graph.js';
import { startGraphWorld, type GraphWorld } from './harness.js';

/** A client-credentials token straight from the simulator's token endpoint. */
async function token(world: GraphWorld): Promise<string> {
  const res = await fetch(world.sim.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: world.sim.clientId,
      client_secret: world.sim.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('Graph simulator (what it refuses, so client mistakes show up in tests)', () => {
  let world: GraphWorld;

  beforeEach(async () => {
    world = await startGraphWorld({ receiverUrl: 'http://127.0.0.1:9/callback', ringTimeoutMs: null });
  });
  afterEach(() => world.close());

  const reject = async (path: string, body: string, bearer: string | null, contentType = 'application/json') => {
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    return fetch(`${world.sim.graphBaseUrl}${path}`, { method: 'POST', headers, body });
  };

  it('serves both OpenID configurations and their keys', async () => {
    const aps = (await (await fetch(world.sim.openIdConfigUrl)).json()) as { jwks_uri: string };
    expect(aps.jwks_uri).toBe(world.sim.jwksUrl);
    const keys = (await (await fetch(aps.jwks_uri)).json()) as { keys: { kty: string; kid: string }[] };
    expect(keys.keys).toEqual([expect.objectContaining({ kty: 'RSA', kid: expect.any(String) })]);
    const entra = (await (
      await fetch(`${world.sim.authorityHost}/${world.sim.tenantId}/v2.0/.well-known/openid-configuration`)
    ).json()) as {
      token_endpoint: string;
    };
    expect(entra.token_endpoint).toBe(world.sim.tokenUrl);
  });

  it('refuses a reject without a valid Graph token (401)', async () => {
    await world.sim.ringCall({ shape: 'current', callId: 'c1' });
    expect((await reject('/v1.0/communications/calls/c1/reject', '{"reason":"busy"}', null)).status).toBe(401);
    const callbackToken = await world.sim.signCallbackToken();
    expect((await reject('/v1.0/communications/calls/c1/reject', '{"reason":"busy"}', callbackToken)).status).toBe(401);
    expect(world.sim.calls.get('c1')?.state).toBe('ringing');
  });

  it('refuses a capitalised or unknown reason (400) and a body that is not JSON', async () => {
    await world.sim.ringCall({ shape: 'current', callId: 'c2' });
    const t = await token(world);
    expect((await reject('/v1.0/communications/calls/c2/reject', '{"reason":"Busy"}', t)).status).toBe(400);
    expect((await reject('/v1.0/communications/calls/c2/reject', '{"reason":"unknownFutureValue"}', t)).status).toBe(
      400,
    );
    expect(
      (await reject('/v1.0/communications/calls/c2/reject', 'reason=busy', t, 'application/x-www-form-urlencoded'))
        .status,
    ).toBe(415);
    expect((await reject('/v1.0/communications/calls/c2/reject', '{"reason":"busy"}', t)).status).toBe(202);
  });

  it('answers 404 "Call not found." for an unknown call and for a second reject', async () => {
    await world.sim.ringCall({ shape: 'current', callId: 'c3' });
    const t = await token(world);
    const unknown = await reject('/v1.0/communications/calls/nope/reject', '{}', t);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: '9997', message: 'Call not found.' } });
    expect((await reject('/beta/app/calls/c3/reject', '{"reason":"none"}', t)).status).toBe(200);
    expect((await reject('/beta/app/calls/c3/reject', '{"reason":"none"}', t)).status).toBe(404);
    expect(world.sim.rejects.map((r) => [r.route, r.version, r.status])).toEqual([
      ['communications', 'v1.0', 404],
      ['app', 'beta', 200],
      ['app', 'beta', 404],
    ]);
  });

  it('has no /v1.0/app path (the app singleton was beta only)', async () => {
    const t = await token(world);
    expect((await reject('/v1.0/app/calls/c4/reject', '{}', t)).status).toBe(404);
    expect(world.sim.rejects).toEqual([]);
  });

  it('refuses a token request with a wrong client id, grant or scope, in Entra’s words', async () => {
    const post = (params: Record<string, string>) =>
      fetch(world.sim.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: world.sim.clientId,
          client_secret: world.sim.clientSecret,
          scope: 'https://graph.microsoft.com/.default',
          ...params,
        }),
      });
    const wrongId = await post({ client_id: 'someone' });
    expect(wrongId.status).toBe(400);
    expect(await wrongId.json()).toMatchObject({ error: 'unauthorized_client' });
    // The double slash Microsoft's V1 sample builds (PROTOCOL.md §7).
    const badScope = await post({ scope: 'https://graph.microsoft.com//.default' });
    expect(await badScope.json()).toMatchObject({ error: 'invalid_scope' });
    const password = await post({ grant_type: 'password' });
    expect(await password.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect(world.sim.tokensIssued).toEqual([]);
  });

  it('refuses to send notifications anywhere but loopback', async () => {
    await expect(world.sim.ringCall({ receiverUrl: 'https://example.com/callback' })).rejects.toThrow(
      /off the machine/,
    );
  });
});

describe('The composed simulator', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  it('carries the Graph half beside UCWA, and demoGraphAccount points everything at it', async () => {
    sim = await startSimulator();
    const account = demoGraphAccount(sim, 45_123);
    expect(account).toMatchObject({
      provider: 'graph',
      tenantId: sim.graph.tenantId,
      clientId: sim.graph.clientId,
      clientSecret: sim.graph.clientSecret,
      openIdConfigUrl: `${sim.origin}/aps/v1/.well-known/OpenIdConfiguration`,
      authorityHost: sim.origin,
      graphBaseUrl: `${sim.origin}/graph`,
      callback: { host: '127.0.0.1', port: 45_123, path: '/callback' },
    });
    expect(sim.graph.receiverUrl).toBe('http://127.0.0.1:45123/callback');
    expect(accountWithSecretSchema.safeParse(account).success).toBe(true);
  });
});
