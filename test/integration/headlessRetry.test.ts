/**
 * Issue 7, headless: `{"cmd":"retry","accountId":…}` is the user's way to send a refused
 * password once more. A child process against the real simulator.
 */
import { afterEach, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../electron/simulator/index.js';
import { DEMO_USER } from '../../electron/simulator/ucwa.js';
import { startHeadless, ucwaTestAccount, type HeadlessChild } from '../support/headlessChild.js';

let sim: Simulator | undefined;
let child: HeadlessChild | undefined;
afterEach(async () => {
  child?.kill();
  child = undefined;
  await sim?.close();
});

it('retry sends a refused password exactly once more, names an unknown account, and connects once the server takes it', async () => {
  sim = await startSimulator({ ucwa: { maxHoldMs: 5_000 } });
  sim.ucwa.changePassword(DEMO_USER.username, 'rotated-by-the-admin');
  const c = (child = startHeadless([ucwaTestAccount(sim.ucwa.discoveryUrl)], {
    SFB_TEST_PASSWORD: DEMO_USER.password,
  }));
  const grants = () => sim!.server.find((r) => r.method === 'POST' && r.path.endsWith('/oauthtoken')).length;
  const nth = (state: string, n: number) =>
    c.next(() => c.events.filter((e) => e.type === 'account' && e.state === state).length >= n);

  const refused = await nth('error', 1);
  expect(refused).toMatchObject({ accountId: 'work', error: { code: 'InvalidCredentials' } });
  expect(grants()).toBe(1);

  c.send({ cmd: 'retry', accountId: 'work' });
  await nth('error', 2);
  expect(grants()).toBe(2);

  c.send({ cmd: 'retry', accountId: 'nobody' });
  expect(await c.next((e) => e.type === 'error' && e.cmd === 'retry')).toEqual({
    type: 'error',
    code: 'UnknownAccount',
    cmd: 'retry',
    message: 'no account with id "nobody"',
  });
  c.send({ cmd: 'retry' });
  expect(await c.next((e) => e.type === 'error' && e.code === 'BadCommand')).toMatchObject({
    cmd: 'retry',
    message: expect.stringContaining('accountId'),
  });

  sim.ucwa.changePassword(DEMO_USER.username, DEMO_USER.password);
  c.send({ cmd: 'retry', accountId: 'work' });
  await nth('connected', 1);
  expect(grants()).toBe(3);
  c.send({ cmd: 'quit' });
  expect(await c.exited).toBe(0);
  expect(sim.ucwa.applicationsDeleted()).toHaveLength(1);
});
