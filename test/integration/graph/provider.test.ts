import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  demoGraphAccount,
  SEED_CALL_ID,
  SEED_DELETED_NOTIFICATION,
  SEED_INCOMING_NOTIFICATION,
  SEED_REJECT_RESPONSE,
} from '../../../electron/simulator/graph.js';
import { startEngine, startGraphWorld, type EngineRig, type GraphWorld } from './harness.js';

/** Lets pending I/O callbacks and promise continuations run (not a timed wait). */
const flushIo = () => new Promise<void>((r) => setImmediate(r));

const POLL = { timeout: 5_000 };

describe('Graph calls through the engine (real provider, real simulator)', () => {
  let world: GraphWorld;
  let rig: EngineRig | null = null;

  beforeEach(async () => {
    world = await startGraphWorld();
  });
  afterEach(async () => {
    await rig?.stop();
    rig = null;
    await world.close();
  });

  it('connects once the receiver listens and a token is warm; Entra’s answer is when it last heard from the service', async () => {
    const startedAt = world.clock.now();
    rig = await startEngine(world);
    expect(rig.engine.snapshot().accounts).toEqual([
      { accountId: 'demo-graph', provider: 'graph', state: 'connected', error: null, lastHeardAt: startedAt },
    ]);
    expect(world.sim.tokensIssued).toHaveLength(1);
  });

  it('a verified notification updates lastHeardAt; a forged one does not', async () => {
    rig = await startEngine(world);
    const heardAt = () => rig!.engine.snapshot().accounts[0]!.lastHeardAt;
    const connectedAt = heardAt();

    world.clock.advance(60_000);
    expect((await world.sim.sendForged('badSignature')).status).toBe(403);
    expect(heardAt()).toBe(connectedAt);

    await world.sim.ringCall({ shape: 'current' });
    await rig.next('invitation');
    expect(heardAt()).toBe(world.clock.now());
  });

  it('rings the seed’s example notification, verbatim, as an invitation from "Test User"', async () => {
    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { rejectPath: 'app' }));
    const ring = await world.sim.ringCall({ shape: 'seed' });
    expect(ring.status).toBe(202);
    const { invitation } = await rig.next('invitation');
    expect(invitation).toMatchObject({
      id: `demo-graph:${SEED_CALL_ID}`,
      accountId: 'demo-graph',
      provider: 'graph',
      modality: 'video',
      from: { name: 'Test User', uri: '8A34A46B-3D17-4ADC-8DCE-DC4E7D572698' },
      declineReasons: ['none', 'busy', 'forbidden'],
      defaultDeclineReason: 'none',
    });
    // Graph's 15 s window less the 2 s margin for delivery and the reject's own trip.
    expect(invitation.expiresAt).toBe(invitation.receivedAt + 13_000);
    expect(rig.ofType('invitation')).toHaveLength(1);
  });

  it('rejects at the seed’s beta path, gets the seed’s 200 commsOperation, and ends as declined after `deleted`', async () => {
    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { rejectPath: 'app' }));
    await world.sim.ringCall({ shape: 'seed' });
    const { invitation } = await rig.next('invitation');

    await expect(rig.engine.decline(invitation.id, 'busy')).resolves.toEqual({ status: 'sent' });
    expect(world.sim.rejects).toEqual([
      expect.objectContaining({
        path: `/graph/beta/app/calls/${SEED_CALL_ID}/reject`,
        body: '{"reason":"busy"}',
        status: 200,
        response: SEED_REJECT_RESPONSE,
      }),
    ]);
    const ended = await rig.next('ended');
    expect(ended).toMatchObject({ id: invitation.id, outcome: 'declined' });
    // It was the `deleted` notification that ended it (the manual clock never ran the local fallback).
    await expect
      .poll(() => world.sim.notifications.map((n) => [n.changeType, n.status]), POLL)
      .toEqual([
        ['created', 202],
        ['deleted', 202],
      ]);
    expect(rig.engine.snapshot().history[0]).toMatchObject({ outcome: 'declined', declineReason: 'busy' });
  });

  it('rejects the same call in today’s shape at v1.0 and gets 202', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current', callId: SEED_CALL_ID, from: { name: 'Test User' } });
    const { invitation } = await rig.next('invitation');
    expect(invitation.from.name).toBe('Test User');
    expect(invitation.modality).toBe('call');

    await expect(rig.engine.decline(invitation.id)).resolves.toEqual({ status: 'sent' });
    const reject = await world.sim.waitForReject();
    expect(reject).toMatchObject({
      path: `/graph/v1.0/communications/calls/${SEED_CALL_ID}/reject`,
      body: '{"reason":"none"}',
      status: 202,
      response: '',
    });
    const reqs = world.server.find((r) => r.path.endsWith('/reject'));
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.headers['content-type']).toBe('application/json');
    expect(reqs[0]!.headers.authorization).toMatch(/^Bearer ey/);
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'declined' });
  });

  it('uses /beta/communications when the account asks for beta', async () => {
    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { apiVersion: 'beta' }));
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    await rig.engine.decline(invitation.id, 'forbidden');
    const reject = await world.sim.waitForReject();
    expect(reject.path).toMatch(/^\/graph\/beta\/communications\/calls\/[^/]+\/reject$/);
    expect(reject).toMatchObject({ reason: 'forbidden', status: 202 });
  });

  it('never waits for a token inside the window: the reject uses the token acquired at start', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    const tokenRequests = () => world.server.find((r) => r.path.endsWith('/oauth2/v2.0/token')).length;
    expect(tokenRequests()).toBe(1);
    await rig.engine.decline(invitation.id);
    expect(tokenRequests()).toBe(1);
  });

  it('ends the invitation as gone, saying so, when Graph answers 404 (the call had already ended)', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.sim.failRejects({ status: 404 });

    const result = await rig.engine.decline(invitation.id, 'busy');
    expect(result).toMatchObject({ status: 'failed', error: { status: 404, message: 'The call had already ended' } });
    await expect(rig.next('ended')).resolves.toMatchObject({
      id: invitation.id,
      outcome: 'gone',
      message: 'The call had already ended',
    });
    expect(world.sim.rejects).toHaveLength(1);
  });

  it('retries a 429 after its fractional Retry-After while the window allows', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.sim.failRejects({ status: 429, retryAfter: '2.128' });

    const declining = rig.engine.decline(invitation.id, 'busy');
    await expect.poll(() => world.log.lines.some((l) => l.includes('reject will be retried')), POLL).toBe(true);
    expect(world.sim.rejects.map((r) => r.status)).toEqual([429]);
    world.clock.advance(2_127);
    await flushIo();
    expect(world.sim.rejects).toHaveLength(1);
    world.clock.advance(1);
    await expect(declining).resolves.toEqual({ status: 'sent' });
    expect(world.sim.rejects.map((r) => [r.status, r.reason])).toEqual([
      [429, 'busy'],
      [202, 'busy'],
    ]);
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'declined' });
  });

  it('does not retry a 429 whose Retry-After would overrun the 15 s window; the call rings on with the reason', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.clock.advance(12_000);
    world.sim.failRejects({ status: 429, retryAfter: '5' });

    const result = await rig.engine.decline(invitation.id);
    expect(result).toMatchObject({ status: 'failed', error: { status: 429, code: 'TooManyRequests' } });
    expect(result.status === 'failed' && result.error.message).toMatch(/throttling/);
    expect(world.sim.rejects).toHaveLength(1);
    expect(rig.engine.snapshot().ringing).toEqual([
      expect.objectContaining({ phase: 'ringing', error: expect.objectContaining({ status: 429 }) }),
    ]);
  });

  it('retries a 500 with a short backoff and succeeds', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.sim.failRejects({ status: 500 });

    const declining = rig.engine.decline(invitation.id);
    await expect.poll(() => world.log.lines.some((l) => l.includes('reject will be retried')), POLL).toBe(true);
    world.clock.advance(250);
    await expect(declining).resolves.toEqual({ status: 'sent' });
    expect(world.sim.rejects.map((r) => r.status)).toEqual([500, 202]);
  });

  it('sends nothing for a decline after the 15 s deadline and says the call has ended', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.clock.advance(15_000);

    const result = await rig.engine.decline(invitation.id, 'busy');
    expect(result).toMatchObject({ status: 'expired', error: { code: 'DeadlinePassed' } });
    await expect(rig.next('ended')).resolves.toMatchObject({
      outcome: 'timedOut',
      message: expect.stringMatching(/nothing was sent/),
    });
    expect(world.sim.rejects).toEqual([]);
    expect(world.net.urls.filter((u) => u.includes('/reject'))).toEqual([]);
  });

  it('ends a ringing call when the caller hangs up (`deleted`)', async () => {
    rig = await startEngine(world);
    const { callId } = await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    await world.sim.hangUp(callId);
    await expect(rig.next('ended')).resolves.toMatchObject({ id: invitation.id, outcome: 'gone' });
    expect(rig.engine.snapshot().ringing).toEqual([]);
  });

  it('still ends as declined when `deleted` overtakes the reject’s answer', async () => {
    rig = await startEngine(world);
    world.sim.setDeleteBeforeAnswer(true);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    await expect(rig.engine.decline(invitation.id, 'busy')).resolves.toEqual({ status: 'sent' });
    expect(world.log.lines.some((l) => l.includes('the call ended while its reject was in flight'))).toBe(true);
    await expect(rig.next('ended')).resolves.toMatchObject({ id: invitation.id, outcome: 'declined' });
  });

  it('rings a duplicated notification once, and never rings a call whose `deleted` came first', async () => {
    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { rejectPath: 'app' }));
    const otherId = 'AAAABBBBCCCCDDDDEEEEFFFF00001111';
    await world.sim.postNotification(SEED_DELETED_NOTIFICATION.split(SEED_CALL_ID).join(otherId));
    await world.sim.postNotification(SEED_INCOMING_NOTIFICATION.split(SEED_CALL_ID).join(otherId));
    await world.sim.postNotification(SEED_INCOMING_NOTIFICATION);
    await world.sim.postNotification(SEED_INCOMING_NOTIFICATION);
    await rig.next('invitation');
    await rig.provider.stop(); // waits for background processing of everything accepted
    expect(rig.ofType('invitation').map((e) => e.invitation.id)).toEqual([`demo-graph:${SEED_CALL_ID}`]);
  });

  it('declines automatically with the default reason under Do Not Disturb, without showing the call', async () => {
    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { declineReason: 'busy' }));
    rig.engine.setDnd(true);
    await world.sim.ringCall({ shape: 'current' });
    const reject = await world.sim.waitForReject();
    expect(reject).toMatchObject({ reason: 'busy', status: 202 });
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'declined' });
    expect(rig.ofType('invitation')).toEqual([]);
  });

  it('offers the account’s decline reason first, else the settings’ default', async () => {
    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { declineReason: 'forbidden' }));
    await world.sim.ringCall({ shape: 'current' });
    const first = await rig.next('invitation');
    expect(first.invitation).toMatchObject({
      declineReasons: ['forbidden', 'none', 'busy'],
      defaultDeclineReason: 'forbidden',
    });
    await rig.stop();

    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { id: 'graph-2' }), {
      defaultDeclineReason: () => 'busy',
    });
    await world.sim.ringCall({ shape: 'current' });
    const second = await rig.next('invitation');
    expect(second.invitation).toMatchObject({
      declineReasons: ['busy', 'none', 'forbidden'],
      defaultDeclineReason: 'busy',
    });
  });

  it('reports a token failure as an account error, and calls still ring', async () => {
    const account = demoGraphAccount(world.sim);
    rig = await startEngine(world, account, { secrets: { get: () => Promise.resolve('wrong-secret') } });
    expect(rig.engine.snapshot().accounts[0]).toMatchObject({
      state: 'error',
      error: { code: 'TokenRequestFailed', message: expect.stringContaining('AADSTS7000215') },
    });
    await world.sim.ringCall({ shape: 'current' });
    await expect(rig.next('invitation')).resolves.toBeTruthy();
  });

  it('closes the receiver on stop', async () => {
    rig = await startEngine(world);
    await rig.stop();
    const result = await world.sim.ringCall({ shape: 'current' });
    expect(result.status).toBeNull();
  });

  it('never writes a token or the client secret to the log', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    await rig.engine.decline(invitation.id);
    await rig.next('ended');
    const logs = world.log.lines.join('\n');
    expect(logs).not.toContain(world.sim.clientSecret);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });
});
