import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../electron/core/engine.js';
import type { ForwardTarget } from '../../../electron/core/invitation.js';
import { demoGraphAccount, SEED_CALL_ID } from '../../../electron/simulator/graph.js';
import { parseTargets } from '../../../electron/simulator/graph/redirect.js';
import { sampleInvitation, ScriptedProvider } from '../../support/scriptedProvider.js';
import { startEngine, startGraphWorld, type EngineRig, type GraphWorld } from './harness.js';

/** Lets pending I/O callbacks and promise continuations run (not a timed wait). */
const flushIo = () => new Promise<void>((r) => setImmediate(r));
const POLL = { timeout: 5_000 };

const RECEPTION: ForwardTarget = { label: 'Reception', phone: '+14255550100' };
const LEE: ForwardTarget = { label: 'Lee Gu', userId: '5a2c1e7d-3b4f-4e2a-9c1d-8f6b0a3e2d17' };

describe('Forward a Graph call (redirect) through the engine and the simulator', () => {
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

  it('POSTs one invitationParticipantInfo (phone) to v1.0 …/redirect, gets 202, and ends forwarded after `deleted`', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current', callId: SEED_CALL_ID });
    const { invitation } = await rig.next('invitation');

    await expect(rig.engine.forward(invitation.id, RECEPTION)).resolves.toEqual({ status: 'sent' });
    const redirect = await world.sim.redirects.waitFor();
    expect(redirect).toMatchObject({
      path: `/graph/v1.0/communications/calls/${SEED_CALL_ID}/redirect`,
      status: 202,
      targets: [{ kind: 'phone', id: '+14255550100' }],
    });
    expect(JSON.parse(redirect.body)).toEqual({
      targets: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: {
            '@odata.type': '#microsoft.graph.identitySet',
            phone: { '@odata.type': '#microsoft.graph.identity', id: '+14255550100' },
          },
        },
      ],
    });
    const req = world.server.find((r) => r.path.endsWith('/redirect'))[0]!;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toMatch(/^Bearer ey/);
    expect(rig.events.find((e) => e.type === 'forwardingCall')).toEqual({
      type: 'forwardingCall',
      id: invitation.id,
      target: RECEPTION,
    });
    await expect(rig.next('ended')).resolves.toMatchObject({ id: invitation.id, outcome: 'forwarded' });
    // The simulator's `deleted` ended it (the manual clock never ran the local fallback).
    await expect.poll(() => world.sim.notifications.map((n) => n.changeType), POLL).toEqual(['created', 'deleted']);
    expect(world.sim.rejects).toEqual([]);
    expect(rig.engine.snapshot().history[0]).toMatchObject({
      outcome: 'forwarded',
      forwardedTo: RECEPTION,
      declineReason: null,
    });
  });

  it('uses the seed’s /beta/app path family and /beta/communications, like reject, with a user target', async () => {
    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { rejectPath: 'app' }));
    await world.sim.ringCall({ shape: 'seed' });
    const { invitation } = await rig.next('invitation');
    await rig.engine.forward(invitation.id, LEE);
    const r = await world.sim.redirects.waitFor();
    expect(r).toMatchObject({ path: `/graph/beta/app/calls/${SEED_CALL_ID}/redirect`, route: 'app', status: 202 });
    expect(r.targets).toEqual([{ kind: 'user', id: LEE.userId }]);
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'forwarded' });
    await rig.stop();

    rig = await startEngine(world, demoGraphAccount(world.sim, 0, { id: 'beta', apiVersion: 'beta' }));
    await world.sim.ringCall({ shape: 'current' });
    const second = await rig.next('invitation');
    await rig.engine.forward(second.invitation.id, RECEPTION);
    const r2 = await world.sim.redirects.waitFor((x) => x.seq === 2);
    expect(r2.path).toMatch(/^\/graph\/beta\/communications\/calls\/[^/]+\/redirect$/);
  });

  it('a forward while one is under way sends nothing more, and a decline cannot overtake it', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    const first = rig.engine.forward(invitation.id, RECEPTION);
    await expect(rig.engine.forward(invitation.id, LEE)).resolves.toEqual({ status: 'ignored' });
    await expect(rig.engine.decline(invitation.id)).resolves.toEqual({ status: 'ignored' });
    await expect(first).resolves.toEqual({ status: 'sent' });
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'forwarded' });
    expect(world.sim.redirects.records).toHaveLength(1);
    expect(world.sim.rejects).toHaveLength(0);
  });

  it('ends the invitation as gone when Graph answers 404', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.sim.redirects.fail({ status: 404 });
    const result = await rig.engine.forward(invitation.id, RECEPTION);
    expect(result).toMatchObject({ status: 'failed', error: { status: 404 } });
    await expect(rig.next('forwardFailed')).resolves.toMatchObject({ id: invitation.id, error: { status: 404 } });
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'gone', message: 'The call had already ended' });
    expect(world.sim.redirects.records).toHaveLength(1);
  });

  it('retries a 500 while the window allows and then succeeds', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.sim.redirects.fail({ status: 500 });
    const forwarding = rig.engine.forward(invitation.id, LEE);
    await expect.poll(() => world.log.lines.some((l) => l.includes('forward will be retried')), POLL).toBe(true);
    world.clock.advance(250);
    await expect(forwarding).resolves.toEqual({ status: 'sent' });
    expect(world.sim.redirects.records.map((r) => r.status)).toEqual([500, 202]);
  });

  it('does not retry a 500 when the window has closed; the call rings on with a forward error, and may be retried', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    // 400 ms before the decision deadline (receivedAt + 13 s): room for one attempt, not a retry.
    world.clock.advance(12_600);
    world.sim.redirects.fail({ status: 500 });
    const result = await rig.engine.forward(invitation.id, RECEPTION);
    expect(result).toMatchObject({ status: 'failed', error: { status: 500 } });
    expect(result.status === 'failed' && result.error.message).toMatch(/500/);
    expect(result.status === 'failed' && result.error.message).not.toMatch(/reject/);
    expect(world.sim.redirects.records).toHaveLength(1);
    expect(rig.engine.snapshot().ringing).toEqual([
      expect.objectContaining({ phase: 'ringing', error: expect.objectContaining({ status: 500 }) }),
    ]);
    await flushIo();
    await expect(rig.engine.forward(invitation.id, RECEPTION)).resolves.toEqual({ status: 'sent' });
    expect(world.sim.redirects.records.map((r) => r.status)).toEqual([500, 202]);
  });

  it('sends nothing after the 13 s decision deadline and says the call has ended', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    world.clock.advance(13_000);
    const result = await rig.engine.forward(invitation.id, RECEPTION);
    expect(result).toMatchObject({ status: 'expired', error: { code: 'DeadlinePassed' } });
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'timedOut' });
    expect(world.net.urls.filter((u) => u.includes('/redirect'))).toEqual([]);
  });

  it('still ends as forwarded when `deleted` overtakes the redirect’s answer', async () => {
    rig = await startEngine(world);
    await world.sim.ringCall({ shape: 'current' });
    const { invitation } = await rig.next('invitation');
    // The `deleted` arrives while the redirect is in flight: the provider holds it back.
    world.sim.redirects.setDeleteBeforeAnswer(true);
    await expect(rig.engine.forward(invitation.id, RECEPTION)).resolves.toEqual({ status: 'sent' });
    await expect(rig.next('ended')).resolves.toMatchObject({ outcome: 'forwarded' });
  });
});

describe('engine.forward on a provider without the capability (UCWA)', () => {
  it('throws NotSupported and sends nothing', async () => {
    const { Engine } = await import('../../../electron/core/engine.js');
    const { ManualClock } = await import('../../support/manualClock.js');
    const { createLogger } = await import('../../../electron/core/log.js');
    const clock = new ManualClock(1_000);
    const engine = new Engine({ clock, logger: createLogger(() => undefined, { level: 'error' }) });
    const provider = new ScriptedProvider('acc', 'ucwa');
    await engine.addAccount(provider);
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    const err = await engine.forward(inv.id, RECEPTION).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'NotSupported' });
    expect(engine.snapshot().ringing[0]?.phase).toBe('ringing');
    expect(provider.declines).toEqual([]);
  });
});

describe('the simulator’s redirect body check', () => {
  it('names what is wrong', () => {
    expect(parseTargets('x')).toMatch(/JSON object/);
    expect(parseTargets('{"targets":[]}')).toMatch(/non-empty/);
    expect(parseTargets('{"targets":[{"identity":{"phone":{"id":"0425"}}}]}')).toMatch(/E\.164/);
    expect(parseTargets('{"targets":[{"identity":{"phone":{"id":"+14255550100"},"user":{"id":"u"}}}]}')).toMatch(
      /exactly one/,
    );
    expect(parseTargets('{"targets":[{"identity":{"user":{"id":"u"}}}]}')).toEqual([{ kind: 'user', id: 'u' }]);
  });
});
