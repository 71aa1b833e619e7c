/**
 * The headless protocol's issue-9 commands, against `npm run headless` as a child process and
 * the real simulator: reply, forwarding, dnd with until.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoGraphAccount, freeLoopbackPort, startSimulator, type Simulator } from '../../electron/simulator/index.js';
import { ofType, startHeadless, ucwaTestAccount, type HeadlessChild } from '../support/headlessChild.js';

describe('headless: reply, forwarding, timed dnd', () => {
  let sim: Simulator;
  let child: HeadlessChild | undefined;

  beforeEach(async () => {
    sim = await startSimulator({ ucwa: { maxHoldMs: 5_000 } });
  });
  afterEach(async () => {
    child?.kill();
    child = undefined;
    await sim.close();
  });

  const start = (accounts: unknown[], env: NodeJS.ProcessEnv = { SFB_TEST_PASSWORD: 'demo' }) =>
    (child = startHeadless(accounts, env));
  it('reply: ended(declined) then replySent; the simulator got the text for the caller', async () => {
    const c = start([ucwaTestAccount(sim.ucwa.discoveryUrl)]);
    await sim.ucwa.waitUntilListening();
    sim.ucwa.ring('phoneAudio', { fromName: 'Lene Aaling', fromUri: 'sip:lenea@contoso.com' });
    const { invitation } = (await c.next(ofType('invitation'))) as { invitation: { id: string } };
    c.send({ cmd: 'reply', id: invitation.id, text: 'Can’t talk now. Send me an IM?' });
    await c.next(ofType('replySent'));
    const mine = c.events.filter((e) => e.id === invitation.id).map((e) => [e.type, e.outcome]);
    expect(mine).toEqual([
      ['ended', 'declined'],
      ['replySent', undefined],
    ]);
    expect(sim.ucwa.replies().map((r) => [r.to, r.text])).toEqual([
      ['sip:lenea@contoso.com', 'Can’t talk now. Send me an IM?'],
    ]);
  });

  it('reply: an IM failure after the decline is replyFailed with the error', async () => {
    const c = start([ucwaTestAccount(sim.ucwa.discoveryUrl)]);
    await sim.ucwa.waitUntilListening();
    sim.ucwa.failNext('startMessaging', { status: 500, code: 'ServiceFailure', subcode: 'CallbackChannelError' });
    sim.ucwa.ring('messaging');
    const { invitation } = (await c.next(ofType('invitation'))) as { invitation: { id: string } };
    c.send({ cmd: 'reply', id: invitation.id, text: 'later' });
    const failed = (await c.next(ofType('replyFailed'))) as { id: string; error: Record<string, unknown> };
    expect(failed.id).toBe(invitation.id);
    expect(failed.error).toMatchObject({ status: 500, code: 'ServiceFailure', subcode: 'CallbackChannelError' });
    expect(String(failed.error.message)).toMatch(/^Declined, but the reply could not be sent/);
    expect(c.events.find((e) => e.type === 'ended' && e.id === invitation.id)?.outcome).toBe('declined');
  });

  it('reply on a Graph invitation is an error event NotSupported and sends nothing', async () => {
    const { clientSecret, ...graph } = demoGraphAccount(sim, await freeLoopbackPort(), { id: 'teams' });
    const c = start([{ ...graph, clientSecretEnv: 'GRAPH_TEST_SECRET' }], { GRAPH_TEST_SECRET: clientSecret });
    await c.next((e) => e.type === 'account' && e.state === 'connected');
    await sim.graph.ringCall({ shape: 'current', from: { name: 'Adele Vance' } });
    const { invitation } = (await c.next(ofType('invitation'))) as { invitation: { id: string } };
    c.send({ cmd: 'reply', id: invitation.id, text: 'hi' });
    const err = await c.next(ofType('error'));
    expect(err).toMatchObject({ code: 'NotSupported', cmd: 'reply' });
    expect(sim.graph.rejects).toEqual([]);
  });

  it('forwarding: state at sign-in, after a command, and when changed elsewhere', async () => {
    const c = start([ucwaTestAccount(sim.ucwa.discoveryUrl)]);
    expect(await c.next(ofType('forwarding'))).toEqual({ type: 'forwarding', accountId: 'work', state: 'off' });
    c.send({ cmd: 'forwarding', accountId: 'work', to: 'sip:boss@contoso.com' });
    expect(await c.next((e) => e.type === 'forwarding' && e.state === 'contact')).toEqual({
      type: 'forwarding',
      accountId: 'work',
      state: 'contact',
      target: 'sip:boss@contoso.com',
    });
    sim.ucwa.changeForwardingElsewhere({ state: 'voicemail' });
    await c.next((e) => e.type === 'forwarding' && e.state === 'voicemail');
    c.send({ cmd: 'forwarding', accountId: 'work', to: 'nobody' });
    const err = await c.next(ofType('error'));
    expect(err).toMatchObject({ code: 'BadCommand', cmd: 'forwarding' });
    expect(String(err.message)).toMatch(/^to: /);
  });

  it('dnd with until: echoed in ISO 8601, presence set; a bad until is an error naming it', async () => {
    const c = start([ucwaTestAccount(sim.ucwa.discoveryUrl)]);
    await sim.ucwa.waitUntilListening();
    await c.next((e) => e.type === 'account' && e.state === 'connected');
    const until = new Date(Date.now() + 30 * 60_000);
    until.setMilliseconds(0);
    c.send({ cmd: 'dnd', on: true, until: until.toISOString().replace('.000Z', '+00:00') });
    expect(await c.next(ofType('dnd'))).toEqual({ type: 'dnd', on: true, until: until.toISOString() });
    await sim.ucwa.waitFor(() => sim.ucwa.availabilityOf() === 'DoNotDisturb');
    c.send({ cmd: 'dnd', on: true, until: 'tomorrow' });
    const err = await c.next(ofType('error'));
    expect(err).toMatchObject({ code: 'BadCommand', cmd: 'dnd' });
    expect(String(err.message)).toMatch(/^until: must be an ISO 8601/);
    c.send({ cmd: 'dnd', on: true, until: '2020-01-01T00:00:00Z' });
    expect(await c.next((e) => e.type === 'error' && e.code === 'InvalidUntil')).toMatchObject({
      cmd: 'dnd',
      message: 'until must be a time in the future',
    });
    c.send({ cmd: 'dnd', on: false });
    await c.next((e) => e.type === 'dnd' && e.on === false);
    await sim.ucwa.waitFor(() => sim.ucwa.availabilityOf() === 'Online' && sim.ucwa.presencePosts().length === 2);
  });
});
