/**
 * The Graph receiver and provider under attack and through outages, against the simulator
 * over HTTPS with its own CA and real signatures (issue 8). Time-dependent rules run on a
 * SteerableClock the simulator shares: paused, and moved forward by the test.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { graphAccountSchema } from '../../../electron/core/config.js';
import type { Fetch } from '../../../electron/core/deps.js';
import type { EngineEvent } from '../../../electron/core/engine.js';
import { CallbackVerifier } from '../../../electron/core/graph/jwt.js';
import { CallbackReceiver, type ReceiverLimits } from '../../../electron/core/graph/receiver.js';
import { demoGraphAccount, OTHER_TENANT_ID } from '../../../electron/simulator/graph.js';
import { newSigningKey } from '../../../electron/simulator/graph/keys.js';
import { incomingCallBody } from '../../../electron/simulator/graph/shapes.js';
import { startEngine, startSecureGraphWorld, type EngineRig, type SecureGraphWorld } from './harness.js';
import { chunk, head, openRaw, writeSafe } from './rawHttp.js';

const POLL = { timeout: 5_000 };
const SECOND_TENANT = '3c9e2f4a-7b1d-4e8f-9a6c-0d5b8e2f1a47';
const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;

/** Fails the test on any unhandled rejection while `body` runs (and one macrotask after). */
async function noUnhandledRejections(body: () => Promise<void>): Promise<void> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body();
    // Node reports unhandled rejections when the microtask queue drains: one macrotask later.
    await new Promise<void>((r) => setImmediate(r));
  } finally {
    process.off('unhandledRejection', listener);
  }
  expect(seen).toEqual([]);
}

/** A fetch whose requests for the notification signer's keys wait until `open()`. */
function gatedFetch(inner: Fetch) {
  let open!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const arrived = new Promise<void>((r) => (reached = r));
  const fetch: Fetch = async (input, init) => {
    if (String(input).includes('/aps/v1/')) {
      reached();
      await gate;
    }
    return inner(input, init);
  };
  return { fetch, open, arrived };
}

describe('Graph receiver hardening (simulator over HTTPS, real signatures)', () => {
  let world: SecureGraphWorld;
  let rig: EngineRig | null = null;
  let receiver: CallbackReceiver | null = null;
  let delivered: unknown[];

  beforeEach(async () => {
    world = await startSecureGraphWorld();
    delivered = [];
  });
  afterEach(async () => {
    await rig?.stop();
    rig = null;
    await receiver?.close();
    receiver = null;
    await world.close();
  });

  /** The event after index `from` matching type and predicate (past or future). */
  const nextAfter = <T extends EngineEvent['type']>(
    from: number,
    type: T,
    pred: (e: Extract<EngineEvent, { type: T }>) => boolean = () => true,
  ) => rig!.next(type, (e) => rig!.events.indexOf(e) >= from && pred(e));

  const startReceiver = async (opts: { fetch?: Fetch; maxBodyBytes?: number; limits?: ReceiverLimits } = {}) => {
    const verifier = new CallbackVerifier({
      audience: world.sim.clientId,
      openIdConfigUrl: world.sim.openIdConfigUrl,
      fetch: opts.fetch ?? world.net.fetch,
      clock: world.clock,
      logger: world.log.logger,
    });
    receiver = new CallbackReceiver({
      port: 0,
      maxBodyBytes: opts.maxBodyBytes,
      limits: opts.limits,
      tenants: [world.sim.tenantId],
      verifier,
      onNotification: (body) => void delivered.push(body),
      clock: world.clock,
      logger: world.log.logger,
    });
    const url = await receiver.listen();
    world.sim.setReceiver(url);
    return url;
  };

  it('answers a chunked body over the limit, signed with an unknown key, with 413 and closes; nothing crashes', async () => {
    await noUnhandledRejections(async () => {
      const gate = gatedFetch(world.net.fetch);
      const url = await startReceiver({ fetch: gate.fetch, maxBodyBytes: 1024 });
      const stranger = await newSigningKey();
      const token = await world.sim.signCallbackToken({}, stranger);
      const raw = await openRaw(url);
      raw.socket.write(
        head('POST', '/callback', {
          Host: '127.0.0.1',
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          'Transfer-Encoding': 'chunked',
        }),
      );
      // The token check is now waiting for the keys while the body overflows the limit.
      await gate.arrived;
      for (let i = 0; i < 8; i++) writeSafe(raw.socket, chunk('x'.repeat(512)));
      const answer = await raw.closed;
      expect(answer.status).toBe(413);
      expect(answer.text).toMatch(/connection: close/i);

      // The verification finishes after the answer; the receiver still serves real calls.
      gate.open();
      expect((await world.sim.postNotification({ value: [] })).status).toBe(202);
      await receiver!.close();
      expect(delivered).toHaveLength(1);
    });
    expect(world.log.lines.join('\n')).toContain('body too large');
  });

  it('refuses another tenant’s correctly signed call with 403; nothing rings, the token is not logged', async () => {
    rig = await startEngine(world);
    expect((await world.sim.sendForged('otherTenant')).status).toBe(403);

    // Our tenant's token, another tenant's call in the body.
    const foreignBody = incomingCallBody({
      shape: 'current',
      callId: randomUUID(),
      from: {},
      video: false,
      tenantId: OTHER_TENANT_ID,
      botAppId: world.sim.clientId,
      botName: 'Softphone Bot',
      callbackUri: rig.provider.callbackUrl!,
    });
    expect((await world.sim.postNotification(foreignBody)).status).toBe(403);

    // Another tenant's token around our tenant's call.
    const ours = incomingCallBody({
      shape: 'current',
      callId: randomUUID(),
      from: {},
      video: false,
      tenantId: world.sim.tenantId,
      botAppId: world.sim.clientId,
      botName: 'Softphone Bot',
      callbackUri: rig.provider.callbackUrl!,
    });
    const foreignToken = await world.sim.signCallbackToken({ tid: OTHER_TENANT_ID });
    expect((await world.sim.postNotification(ours, { token: foreignToken })).status).toBe(403);

    expect(rig.ofType('invitation')).toEqual([]);
    const refusals = world.log.lines.filter((l) => l.includes('refused a notification'));
    expect(refusals).toEqual([
      expect.stringContaining('"reason":"tenant"'),
      expect.stringContaining('"reason":"resourceTenant"'),
      expect.stringContaining('"reason":"tenant"'),
    ]);
    expect(world.log.lines.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('rings a second tenant listed in allowedTenants, and still refuses a third', async () => {
    const account = demoGraphAccount(world.sim, 0, { allowedTenants: [SECOND_TENANT.toUpperCase()] });
    expect(graphAccountSchema.safeParse(account).success).toBe(true);
    rig = await startEngine(world, account);
    expect((await world.sim.ringCall({ shape: 'current', tenantId: SECOND_TENANT })).status).toBe(202);
    await rig.next('invitation');
    expect((await world.sim.ringCall({ shape: 'current', tenantId: OTHER_TENANT_ID })).status).toBe(403);
    expect(rig.ofType('invitation')).toHaveLength(1);
  });

  it('names a bad allowedTenants entry', () => {
    const bad = graphAccountSchema.safeParse({ ...demoGraphAccount(world.sim), allowedTenants: [''] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['allowedTenants', 0]);
  });

  it('is connected within 15 s of Entra recovering from a 20 s outage (503), and Decline works', async () => {
    world.clock.pause();
    const outageEnd = world.clock.now() + 20_000;
    world.sim.failTokens({
      status: 503,
      error: 'temporarily_unavailable',
      description: 'AADSTS90033: A transient error has occurred. Please try again.',
      until: outageEnd,
    });
    rig = await startEngine(world);
    const first = rig.ofType('account').find((e) => e.state === 'error');
    expect(first?.error?.message).toMatch(/could not reach Microsoft Entra: it answered HTTP 503/);

    let connectedAt: number | null = null;
    for (let i = 0; i < 30 && connectedAt === null; i++) {
      await expect.poll(() => rig!.provider.nextTokenAttemptAt ?? 0, POLL).toBeGreaterThan(world.clock.now());
      const seen = rig.events.length;
      world.clock.advance(rig.provider.nextTokenAttemptAt! - world.clock.now());
      const e = await nextAfter(seen, 'account');
      if (e.state === 'connected') connectedAt = world.clock.now();
      else expect(e.error?.message).not.toMatch(/refused/);
    }
    expect(connectedAt).not.toBeNull();
    expect(connectedAt! - outageEnd).toBeLessThanOrEqual(15_000);
    // Entra was asked on every attempt (msal's throttle cache never answered in its place).
    const attempts = world.server.find((r) => r.method === 'POST' && TOKEN_PATH.test(r.path));
    expect(attempts.length).toBeGreaterThan(3);

    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    await expect(rig.engine.decline(invitation.id)).resolves.toEqual({ status: 'sent' });
  });

  it('honours Entra’s Retry-After: nothing is asked before it, the error says until when', async () => {
    world.clock.pause();
    world.sim.failTokens({
      status: 429,
      error: 'temporarily_unavailable',
      description: 'AADSTS50196: The server terminated an operation because it encountered a client request loop.',
      retryAfter: '30',
    });
    rig = await startEngine(world);
    const error = rig.ofType('account').find((e) => e.state === 'error')?.error;
    expect(error?.message).toMatch(/waiting before asking Microsoft Entra again \(throttled until \d\d:\d\d:\d\d\)/);
    await expect.poll(() => rig!.provider.nextTokenAttemptAt, POLL).toBe(world.clock.now() + 30_000);

    // A Decline meanwhile says the same, without asking Entra.
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    const declined = await rig.engine.decline(invitation.id);
    expect(declined).toMatchObject({ status: 'failed', error: { code: 'NoToken' } });
    expect(declined.status === 'failed' && declined.error.message).toMatch(/throttled until/);
    const tokenPosts = () => world.server.find((r) => r.method === 'POST' && TOKEN_PATH.test(r.path)).length;
    expect(tokenPosts()).toBe(1);

    const seen = rig.events.length;
    world.clock.advance(30_000);
    await expect(nextAfter(seen, 'account')).resolves.toMatchObject({ state: 'connected' });
    expect(tokenPosts()).toBe(2);
  });

  it('says "refused" with Entra’s code for a bad secret, and "could not reach" when the connection drops', async () => {
    world.clock.pause();
    world.sim.failTokens({
      status: 401,
      error: 'invalid_client',
      description: 'AADSTS7000215: Invalid client secret provided.',
    });
    rig = await startEngine(world);
    expect(rig.ofType('account').find((e) => e.state === 'error')?.error?.message).toMatch(
      /^Microsoft Entra refused the token request \(AADSTS7000215 invalid_client\): AADSTS7000215/,
    );
    await rig.stop();

    world.sim.failTokens({ status: 'drop' });
    rig = await startEngine(world);
    expect(rig.ofType('account').find((e) => e.state === 'error')?.error?.message).toMatch(
      /^could not reach Microsoft Entra at https:\/\/127\.0\.0\.1:\d+\/.* \(network error\); retrying/,
    );
  });

  it('answers 503 to a key published inside the re-fetch cooldown, and accepts Microsoft’s retry', async () => {
    world.clock.pause();
    rig = await startEngine(world);
    await world.server.waitForRequest((r) => r.path === '/aps/v1/keys');
    const keyFetches = () => world.server.find((r) => r.path === '/aps/v1/keys').length;
    const before = keyFetches();

    await world.sim.rotateCallbackKey();
    const callId = randomUUID();
    expect((await world.sim.ringCall({ shape: 'current', callId })).status).toBe(503);
    expect(rig.ofType('invitation')).toEqual([]);
    expect(keyFetches()).toBe(before); // not fetched again inside the cooldown

    world.clock.advance(30_000); // the cooldown ends: the keys are fetched again
    expect((await world.sim.ringCall({ shape: 'current', callId })).status).toBe(202);
    await expect(rig.next('invitation')).resolves.toMatchObject({ invitation: { id: `demo-graph:${callId}` } });
    expect(keyFetches()).toBe(before + 1);
  });

  it('refuses a key that is still unknown after a fresh fetch with 403', async () => {
    world.clock.pause();
    rig = await startEngine(world);
    await world.server.waitForRequest((r) => r.path === '/aps/v1/keys');
    world.clock.advance(30_000);
    expect((await world.sim.sendForged('unknownKey')).status).toBe(403);
    expect(world.log.lines.some((l) => l.includes('"reason":"unknownKey"'))).toBe(true);
  });

  it('checks a token without kid against every published key', async () => {
    await world.sim.rotateCallbackKey(); // two keys published: the old one and the current one
    rig = await startEngine(world);
    const keyless = await world.sim.signCallbackToken({}, undefined, { kid: false });
    expect((await world.sim.postNotification({ value: [] }, { token: keyless })).status).toBe(202);
    const stranger = await world.sim.signCallbackToken({}, await newSigningKey(), { kid: false });
    expect((await world.sim.postNotification({ value: [] }, { token: stranger })).status).toBe(403);
    expect(world.log.lines.some((l) => l.includes('"reason":"signature"'))).toBe(true);
  });

  it('retries a failed key warm-up in the background, with backoff, before any notification', async () => {
    world.clock.pause();
    let failuresLeft = 2;
    const flaky: Fetch = (input, init) => {
      if (String(input).includes('/aps/v1/') && failuresLeft-- > 0) {
        return Promise.reject(new TypeError('fetch failed (ECONNREFUSED)'));
      }
      return world.net.fetch(input, init);
    };
    const verifier = new CallbackVerifier({
      audience: world.sim.clientId,
      openIdConfigUrl: world.sim.openIdConfigUrl,
      fetch: flaky,
      clock: world.clock,
      logger: world.log.logger,
    });
    verifier.startWarming();
    await expect.poll(() => world.log.lines.filter((l) => l.includes('retrying')).length, POLL).toBe(1);
    world.clock.advance(1_000);
    await expect.poll(() => world.log.lines.filter((l) => l.includes('retrying')).length, POLL).toBe(2);
    expect(world.server.find((r) => r.path === '/aps/v1/keys')).toHaveLength(0);
    world.clock.advance(2_000);
    await world.server.waitForRequest((r) => r.path === '/aps/v1/keys');
    verifier.stop();
  });

  it('abandons a reject that hangs at the deadline (receivedAt + 13 s); the call ends timed out', async () => {
    world.clock.pause();
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    expect(invitation.expiresAt).toBe(invitation.receivedAt + 13_000);
    world.sim.failRejects({ status: 'hang' });

    const declining = rig.engine.decline(invitation.id);
    await world.sim.waitForReject((r) => r.status === 0);
    world.clock.advance(invitation.expiresAt! - world.clock.now());
    await expect(declining).resolves.toMatchObject({ status: 'failed', error: { code: 'Timeout' } });
    await expect(rig.next('ended')).resolves.toMatchObject({ id: invitation.id, outcome: 'timedOut' });
    expect(world.clock.now()).toBe(invitation.expiresAt);
    expect(world.log.lines.some((l) => l.includes('reject abandoned at the deadline'))).toBe(true);
  });

  it('caps concurrent connections: one over the cap is dropped, and a freed slot serves again', async () => {
    const url = await startReceiver({ limits: { maxConnections: 2 } });
    const a = await openRaw(url);
    const b = await openRaw(url);
    const over = await openRaw(url);
    await expect(over.closed).resolves.toEqual({ text: '', status: null });
    expect(world.log.lines.some((l) => l.includes('too many open connections'))).toBe(true);

    a.socket.destroy();
    await expect.poll(async () => (await fetch(url).catch(() => null))?.status ?? null, POLL).toBe(405);
    b.socket.destroy();
  });

  it('cuts a connection whose headers or body stall, at the configured timeouts', async () => {
    const url = await startReceiver({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 } });
    const slowHeaders = await openRaw(url);
    slowHeaders.socket.write('POST /callback HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const slowBody = await openRaw(url);
    const token = await world.sim.signCallbackToken();
    slowBody.socket.write(
      head('POST', '/callback', { Host: '127.0.0.1', Authorization: `Bearer ${token}`, 'Content-Length': '100' }) +
        '{"va',
    );
    // Node's own check interval is 30 s; these close well inside the test's 20 s timeout.
    await expect(slowHeaders.closed).resolves.toMatchObject({ status: 408 });
    await expect(slowBody.closed).resolves.toMatchObject({ status: 408 });
  });

  it('bounds keep-alive: an idle connection is closed, and so is one that served its quota', async () => {
    const url = await startReceiver({
      limits: { keepAliveTimeoutMs: 200, maxRequestsPerSocket: 2, checkIntervalMs: 50 },
    });
    const token = await world.sim.signCallbackToken();
    const post = head('POST', '/callback', {
      Host: '127.0.0.1',
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Content-Length': '12',
    });
    const idle = await openRaw(url);
    idle.socket.write(post + '{"value":[]}');
    await expect(idle.status).resolves.toBe(202);
    // Nothing more is sent: the server closes the idle connection on its own.
    await expect(idle.closed).resolves.toMatchObject({ status: 202 });

    const busy = await openRaw(url);
    for (let i = 0; i < 3; i++) busy.socket.write(post + '{"value":[]}');
    const { text } = await busy.closed;
    // Two answered, the third refused (503) and the connection closed.
    expect(text.match(/^HTTP\/1\.1 \d{3}/gm)).toEqual(['HTTP/1.1 202', 'HTTP/1.1 202', 'HTTP/1.1 503']);
  });

  it('on wake, refreshes a token close to expiry and the notification keys in the background', async () => {
    await world.close();
    world = await startSecureGraphWorld({ tokenLifetimeSec: 300 });
    rig = await startEngine(world);
    await world.server.waitForRequest((r) => r.path === '/aps/v1/keys');
    const tokens = world.sim.tokensIssued.length;
    const keys = world.server.find((r) => r.path === '/aps/v1/keys').length;
    rig.engine.wake('resume');
    await expect.poll(() => world.sim.tokensIssued.length, POLL).toBe(tokens + 1);
    await expect.poll(() => world.server.find((r) => r.path === '/aps/v1/keys').length, POLL).toBe(keys + 1);
  });
});
