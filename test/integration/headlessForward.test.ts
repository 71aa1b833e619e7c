import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoGraphAccount, freeLoopbackPort, startSimulator, type Simulator } from '../../electron/simulator/index.js';
import { startHeadless, ucwaTestAccount, type HeadlessChild } from '../support/headlessChild.js';

/** `{"cmd":"forward"}` in headless mode as a child process, against the simulator. */
describe('headless forward', () => {
  let sim: Simulator;
  let child: HeadlessChild;
  let secret: string;

  beforeAll(async () => {
    sim = await startSimulator({ ucwa: { maxHoldMs: 5_000 } });
    const { clientSecret, ...graph } = demoGraphAccount(sim, await freeLoopbackPort(), {
      id: 'teams',
      forwardTargets: [{ label: 'Reception', phone: '+14255550100' }],
    });
    secret = clientSecret!;
    child = startHeadless(
      [{ ...graph, clientSecretEnv: 'GRAPH_TEST_SECRET' }, ucwaTestAccount(sim.ucwa.discoveryUrl)],
      { GRAPH_TEST_SECRET: secret, SFB_TEST_PASSWORD: 'demo' },
    );
    await child.next((e) => e.type === 'account' && e.accountId === 'teams' && e.state === 'connected');
    await child.next((e) => e.type === 'account' && e.accountId === 'work' && e.state === 'connected');
  });
  afterAll(async () => {
    child.kill();
    await sim.close();
  });

  const ringGraph = async () => {
    const sent = await sim.graph.ringCall({ shape: 'current', from: { name: 'Adele Vance' } });
    const { invitation } = (await child.next(
      (e) => e.type === 'invitation' && (e.invitation as { id: string }).id.endsWith(sent.callId),
    )) as { invitation: { id: string } };
    return { callId: sent.callId, id: invitation.id };
  };

  it('forwards a Graph call to a phone number with one redirect and ends it forwarded', async () => {
    const { callId, id } = await ringGraph();
    child.send({ cmd: 'forward', id, target: { phone: '+14255550100' } });
    child.send({ cmd: 'forward', id, target: { phone: '+14255550100' } });
    const ended = await child.next((e) => e.type === 'ended' && e.id === id);
    expect(ended).toEqual({ type: 'ended', id, outcome: 'forwarded' });
    const redirects = sim.graph.redirects.records.filter((r) => r.callId === callId);
    expect(redirects.map((r) => [r.path, r.targets, r.status])).toEqual([
      [`/graph/v1.0/communications/calls/${callId}/redirect`, [{ kind: 'phone', id: '+14255550100' }], 202],
    ]);
  });

  it('reports forwardFailed with the error when Graph answers 404, then the call ends gone', async () => {
    const { id } = await ringGraph();
    sim.graph.redirects.fail({ status: 404 });
    child.send({ cmd: 'forward', id, target: { userId: '5a2c1e7d-3b4f-4e2a-9c1d-8f6b0a3e2d17' } });
    const failed = await child.next((e) => e.type === 'forwardFailed' && e.id === id);
    expect(failed).toMatchObject({ id, error: { status: 404, message: 'The call had already ended' } });
    await expect(child.next((e) => e.type === 'ended' && e.id === id)).resolves.toMatchObject({ outcome: 'gone' });
  });

  it('answers NotSupported for a UCWA invitation and a named error for a bad target', async () => {
    await sim.ucwa.waitUntilListening();
    sim.ucwa.ring('phoneAudio', { fromName: 'Lene Aaling', fromUri: 'sip:lenea@contoso.com' });
    const { invitation } = (await child.next(
      (e) => e.type === 'invitation' && (e.invitation as { provider: string }).provider === 'ucwa',
    )) as { invitation: { id: string } };
    child.send({ cmd: 'forward', id: invitation.id, target: { phone: '+14255550100' } });
    await expect(child.next((e) => e.type === 'error' && e.cmd === 'forward')).resolves.toMatchObject({
      code: 'NotSupported',
    });
    child.send({ cmd: 'forward', id: invitation.id, target: { phone: '0425 555 0100' } });
    await expect(
      child.next((e) => e.type === 'error' && e.code === 'BadCommand' && e.cmd === 'forward'),
    ).resolves.toMatchObject({ message: expect.stringContaining('target') });
    expect(child.stderr).not.toContain(secret);
  });
});
