import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackVerifier } from '../../../electron/core/graph/jwt.js';
import { CallbackReceiver } from '../../../electron/core/graph/receiver.js';
import { FORGE_KINDS, type ForgeKind } from '../../../electron/simulator/graph.js';
import { startGraphWorld, type GraphWorld } from './harness.js';

/** What each forged notification must get back, and the reason logged. */
const EXPECTED: Record<ForgeKind, { status: number; logged: string }> = {
  noToken: { status: 401, logged: 'without a token' },
  badSignature: { status: 403, logged: '"reason":"signature"' },
  wrongAudience: { status: 403, logged: '"reason":"audience"' },
  wrongIssuer: { status: 403, logged: '"reason":"issuer"' },
  expired: { status: 403, logged: '"reason":"expired"' },
  noTid: { status: 403, logged: '"reason":"noTid"' },
  // Keys were fetched moments ago: the key may be newer than that, so Microsoft should retry.
  unknownKey: { status: 503, logged: '"reason":"keyNotYetKnown"' },
  otherTenant: { status: 403, logged: '"reason":"tenant"' },
};

describe('Graph callback receiver', () => {
  let world: GraphWorld;
  let receiver: CallbackReceiver;
  let delivered: { body: { value: unknown[] }; tid: string }[];
  let url: string;

  const startReceiver = async (opts: { maxBodyBytes?: number } = {}) => {
    const verifier = new CallbackVerifier({
      audience: world.sim.clientId,
      openIdConfigUrl: world.sim.openIdConfigUrl,
      fetch: world.net.fetch,
      clock: world.clock,
      logger: world.log.logger,
    });
    receiver = new CallbackReceiver({
      port: 0,
      tenants: [world.sim.tenantId],
      verifier,
      maxBodyBytes: opts.maxBodyBytes,
      onNotification: (body, ctx) => {
        delivered.push({ body, tid: ctx.claims.tid });
      },
      clock: world.clock,
      logger: world.log.logger,
    });
    url = await receiver.listen();
    world.sim.setReceiver(url);
  };

  beforeEach(async () => {
    world = await startGraphWorld();
    delivered = [];
    await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await world.close();
  });

  /** Background processing has run for everything accepted so far. */
  const settled = () => receiver.close();

  it('listens on 127.0.0.1 with an ephemeral port and reports the bound URL', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url).not.toContain(':0/');
  });

  it('accepts a correctly signed notification with 202 and hands it on exactly once', async () => {
    const result = await world.sim.ringCall({ shape: 'current' });
    expect(result.status).toBe(202);
    await settled();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.tid).toBe(world.sim.tenantId);
  });

  for (const kind of FORGE_KINDS) {
    it(`refuses a forged notification (${kind}) with ${EXPECTED[kind].status} and passes nothing on`, async () => {
      const result = await world.sim.sendForged(kind);
      expect(result.status).toBe(EXPECTED[kind].status);
      await settled();
      expect(delivered).toEqual([]);
      const logs = world.log.lines.join('\n');
      expect(world.log.lines.filter((l) => l.includes('refused a notification'))).toEqual([
        expect.stringContaining(EXPECTED[kind].logged),
      ]);
      // The token itself never reaches a log line.
      expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    });
  }

  it('accepts tokens issued by https://graph.microsoft.com as well as the Bot Framework', async () => {
    const token = await world.sim.signCallbackToken({ iss: 'https://graph.microsoft.com' });
    const result = await world.sim.postNotification({ value: [] }, { token });
    expect(result.status).toBe(202);
  });

  it('tolerates 5 minutes of clock skew, and no more', async () => {
    const now = Math.floor(Date.now() / 1000);
    const recent = await world.sim.signCallbackToken({ exp: now - 240 });
    expect((await world.sim.postNotification({ value: [] }, { token: recent })).status).toBe(202);
    const future = await world.sim.signCallbackToken({ nbf: now + 240 });
    expect((await world.sim.postNotification({ value: [] }, { token: future })).status).toBe(202);
    const tooEarly = await world.sim.signCallbackToken({ nbf: now + 420 });
    expect((await world.sim.postNotification({ value: [] }, { token: tooEarly })).status).toBe(403);
  });

  it('checks the token before reading the body: garbage with a bad token is 403, not 400', async () => {
    const result = await world.sim.postNotification('this is not json', { token: 'e30.e30.c2ln' });
    expect(result.status).toBe(403);
    const unsigned = await world.sim.postNotification('this is not json', { token: null });
    expect(unsigned.status).toBe(401);
  });

  it('answers 400 to a signed body that is not JSON and 204 to one in an unknown (legacy) format', async () => {
    expect((await world.sim.postNotification('{"value": [')).status).toBe(400);
    expect((await world.sim.postNotification({ callState: 'incoming' })).status).toBe(204);
    await settled();
    expect(delivered).toEqual([]);
  });

  it('answers only POST on its path', async () => {
    const base = new URL(url);
    const other = await fetch(new URL('/elsewhere', base), { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('refuses a body over the size limit with 413', async () => {
    await receiver.close();
    await startReceiver({ maxBodyBytes: 1024 });
    const big = {
      value: [{ changeType: 'created', resourceUrl: '/communications/calls/x', padding: 'x'.repeat(4096) }],
    };
    const result = await world.sim.postNotification(big);
    expect(result.status).toBe(413);
    await settled();
    expect(delivered).toEqual([]);
  });

  it('reads the signing keys through the injected fetch, once, from the configured OpenID configuration', async () => {
    await world.sim.ringCall({ shape: 'current' });
    await world.sim.ringCall({ shape: 'current' });
    await world.sim.ringCall({ shape: 'seed' });
    expect(world.net.urls).toEqual([world.sim.openIdConfigUrl, world.sim.jwksUrl]);
  });

  it('re-reads the OpenID configuration after two hours', async () => {
    await world.sim.ringCall({ shape: 'current' });
    world.clock.advance(2 * 60 * 60 * 1000 + 1);
    // Tokens are signed with the wall clock; keep them inside the (moved) validity window.
    const now = Math.floor(world.clock.now() / 1000);
    const token = await world.sim.signCallbackToken({ nbf: now - 5, exp: now + 300 });
    expect((await world.sim.postNotification({ value: [] }, { token })).status).toBe(202);
    expect(world.net.urls.filter((u) => u === world.sim.openIdConfigUrl)).toHaveLength(2);
  });

  it('answers 503 (and passes nothing on) while the signing keys cannot be fetched', async () => {
    await receiver.close();
    const verifier = new CallbackVerifier({
      audience: world.sim.clientId,
      openIdConfigUrl: `${world.server.origin}/nowhere/.well-known/OpenIdConfiguration`,
      fetch: world.net.fetch,
      clock: world.clock,
      logger: world.log.logger,
    });
    receiver = new CallbackReceiver({
      port: 0,
      tenants: [world.sim.tenantId],
      verifier,
      onNotification: (body, ctx) => void delivered.push({ body, tid: ctx.claims.tid }),
      clock: world.clock,
      logger: world.log.logger,
    });
    world.sim.setReceiver(await receiver.listen());
    const result = await world.sim.ringCall({ shape: 'current' });
    expect(result.status).toBe(503);
    await settled();
    expect(delivered).toEqual([]);
  });
});
