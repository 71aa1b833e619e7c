import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoGraphAccount, freeLoopbackPort, startSimulator, type Simulator } from '../../electron/simulator/index.js';
import { HeadlessChild, ofType, ucwaTestAccount } from '../support/headlessChild.js';

describe('headless mode as a child process', () => {
  let sim: Simulator;
  let dir: string;
  let child: HeadlessChild | undefined;

  beforeEach(async () => {
    sim = await startSimulator({ ucwa: { maxHoldMs: 5_000 } });
    dir = mkdtempSync(join(tmpdir(), 'softphone-headless-'));
  });
  afterEach(async () => {
    child?.kill();
    child = undefined;
    await sim.close();
  });

  const writeConfig = (config: unknown) => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    return file;
  };
  const ucwaAccount = (over: Record<string, unknown> = {}) => ucwaTestAccount(sim.ucwa.discoveryUrl, over);
  const start = (config: unknown, env: NodeJS.ProcessEnv = { SFB_TEST_PASSWORD: 'demo' }) =>
    (child = new HeadlessChild(['--config', writeConfig(config), '--data-dir', dir], env));

  it('rings, declines with exactly one POST, ends on the completed event, and signs out on quit', async () => {
    const c = start({ accounts: [ucwaAccount()] });
    await c.next(ofType('ready'));
    await c.next((e) => e.type === 'account' && e.state === 'connected');
    await sim.ucwa.waitUntilListening();

    const handle = sim.ucwa.ring('messaging', {
      fromName: 'Lene Aaling',
      fromUri: 'sip:lenea@contoso.com',
      message: 'Hi Tosh\r\n',
    });
    const { invitation } = (await c.next(ofType('invitation'))) as { invitation: Record<string, unknown> };
    expect(invitation).toMatchObject({
      accountId: 'work',
      provider: 'ucwa',
      modality: 'messaging',
      from: { name: 'Lene Aaling', uri: 'sip:lenea@contoso.com' },
      importance: 'normal',
      expiresAt: null,
      defaultDeclineReason: 'Global',
    });
    expect(invitation.message).toMatch(/^Hi Tosh/);

    c.send({ cmd: 'decline', id: invitation.id });
    c.send({ cmd: 'decline', id: invitation.id });
    const ended = await c.next(ofType('ended'));
    expect(ended).toEqual({ type: 'ended', id: invitation.id, outcome: 'declined' });
    const posts = sim.server.find((r) => r.method === 'POST' && handle.declineHref.endsWith(r.path));
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({ reason: 'Global' });

    c.send({ cmd: 'quit' });
    expect(await c.exited).toBe(0);
    expect(sim.ucwa.applicationsDeleted()).toHaveLength(1);
  });

  it('rings a Graph call with its 13 s deadline and rejects it busy with exactly one request', async () => {
    // The simulator learns the receiver's address from the fixed port.
    const { clientSecret, ...graph } = demoGraphAccount(sim, await freeLoopbackPort(), { id: 'teams' });
    const c = start(
      // allowedTenants: the headless config takes the same account schema as the desktop.
      {
        accounts: [
          { ...graph, allowedTenants: ['3c9e2f4a-7b1d-4e8f-9a6c-0d5b8e2f1a47'], clientSecretEnv: 'GRAPH_TEST_SECRET' },
        ],
      },
      { GRAPH_TEST_SECRET: clientSecret },
    );
    await c.next((e) => e.type === 'account' && e.accountId === 'teams' && e.state === 'connected');

    const sent = await sim.graph.ringCall({ shape: 'current', from: { name: 'Adele Vance' } });
    expect(sent.status).toBe(202);
    const { invitation } = (await c.next(ofType('invitation'))) as {
      invitation: { id: string; receivedAt: number; expiresAt: number };
    };
    expect(invitation).toMatchObject({
      accountId: 'teams',
      provider: 'graph',
      from: { name: 'Adele Vance' },
      defaultDeclineReason: 'none',
      declineReasons: ['none', 'busy', 'forbidden'],
    });
    // Graph's 15 s window less the 2 s margin for delivery and the reject's trip.
    expect(invitation.expiresAt).toBe(invitation.receivedAt + 13_000);

    c.send({ cmd: 'decline', id: invitation.id, reason: 'busy' });
    c.send({ cmd: 'decline', id: invitation.id, reason: 'busy' });
    const ended = await c.next(ofType('ended'));
    expect(ended).toEqual({ type: 'ended', id: invitation.id, outcome: 'declined' });
    expect(sim.graph.rejects.map((r) => [r.callId, JSON.parse(r.body), r.status])).toEqual([
      [sent.callId, { reason: 'busy' }, 202],
    ]);
    // It ended on the simulator's `deleted` notification, not on a local timer.
    expect(sim.graph.notifications.filter((n) => n.callId === sent.callId).map((n) => n.changeType)).toEqual([
      'created',
      'deleted',
    ]);
    c.send({ cmd: 'quit' });
    expect(await c.exited).toBe(0);
    expect(c.stderr).not.toContain(clientSecret!);
  });

  it('declines on this device only with reason Local, in XML when the account says so', async () => {
    const c = start({ accounts: [ucwaAccount({ payloadFormat: 'xml' })] });
    await sim.ucwa.waitUntilListening();
    const handle = sim.ucwa.ring('phoneAudio');
    const { invitation } = (await c.next(ofType('invitation'))) as { invitation: { id: string; modality: string } };
    expect(invitation.modality).toBe('audio');
    c.send({ cmd: 'decline', id: invitation.id, reason: 'Local' });
    const post = await sim.server.waitForRequest((r) => r.method === 'POST' && handle.declineHref.endsWith(r.path));
    expect(post.headers['content-type']).toMatch(/^application\/xml/);
    expect(post.body).toContain('<property name="reason">Local</property>');
    c.endInput();
    expect(await c.exited).toBe(0);
  });

  it('under Do Not Disturb declines new invitations automatically without announcing them', async () => {
    const c = start({ accounts: [ucwaAccount()] });
    await sim.ucwa.waitUntilListening();
    c.send({ cmd: 'dnd', on: true });
    await c.next(ofType('dnd'));
    sim.ucwa.ring('onlineMeeting');
    const ended = await c.next(ofType('ended'));
    expect(ended.outcome).toBe('declined');
    expect(c.events.filter(ofType('invitation'))).toHaveLength(0);
    expect(sim.ucwa.declines().map((d) => [d.reason, d.status])).toEqual([['Global', 204]]);
  });

  it('reports a bad command line and an unknown id as error events and keeps running', async () => {
    const c = start({ accounts: [ucwaAccount()] });
    await c.next(ofType('ready'));
    c.send('this is not json');
    c.send({ cmd: 'decline' });
    c.send({ cmd: 'decline', id: 'work:nope' });
    c.send({ cmd: 'dance' });
    const errors = [
      await c.next((e) => e.type === 'error' && e.code === 'BadJson'),
      await c.next((e) => e.type === 'error' && e.cmd === 'decline' && String(e.message).includes('id')),
      await c.next((e) => e.type === 'error' && e.code === 'UnknownInvitation'),
      await c.next((e) => e.type === 'error' && String(e.message).includes('cmd')),
    ];
    expect(errors).toHaveLength(4);
    await sim.ucwa.waitUntilListening();
    sim.ucwa.ring('messaging');
    await c.next(ofType('invitation'));
  });

  it('exits 2 naming the field when the config is wrong', async () => {
    const c = start({ accounts: [ucwaAccount({ sipAddress: 'not-an-address' })] });
    expect(await c.exited).toBe(2);
    expect(c.stderr).toContain('accounts[0].sipAddress');
    expect(c.events).toHaveLength(0);
  });

  it('exits 2 naming the variable when passwordEnv is not set', async () => {
    const c = start({ accounts: [ucwaAccount()] }, { SFB_TEST_PASSWORD: '' });
    expect(await c.exited).toBe(2);
    expect(c.stderr).toContain('accounts[0].passwordEnv');
    expect(c.stderr).toContain('SFB_TEST_PASSWORD');
  });

  it('exits 2 on an unknown field and on a file that is not JSON', async () => {
    const a = start({ accounts: [ucwaAccount({ pasword: 'typo' })] });
    expect(await a.exited).toBe(2);
    expect(a.stderr).toMatch(/accounts\[0\].*pasword/);
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"accounts": [');
    const b = (child = new HeadlessChild(['--config', file]));
    expect(await b.exited).toBe(2);
    expect(b.stderr).toContain('not valid JSON');
  });

  it('never writes the password to its output', async () => {
    const c = start({ accounts: [ucwaAccount({ passwordEnv: undefined, password: 'demo' })] }, {});
    await c.next((e) => e.type === 'account' && e.state === 'connected');
    c.send({ cmd: 'quit' });
    await c.exited;
    expect(c.stderr).not.toMatch(/password=demo|"demo"/);
    expect(JSON.stringify(c.events)).not.toContain('cwt=');
  });

  it('runs against the embedded simulator when no config is given (demo mode)', async () => {
    const c = (child = new HeadlessChild(['--data-dir', dir], { SOFTPHONE_DEMO_FIRST_RING_MS: '200' }));
    const ready = await c.next(ofType('ready'));
    expect(ready.demo).toBe(true);
    const { invitation } = (await c.next(ofType('invitation'))) as { invitation: { id: string } };
    c.send({ cmd: 'decline', id: invitation.id });
    expect((await c.next(ofType('ended'))).outcome).toBe('declined');
    c.endInput();
    expect(await c.exited).toBe(0);
  });
});
