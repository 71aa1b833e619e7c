/**
 * Issue 7: a refused password stops a UCWA account until the user acts — "Try signing in
 * again" (the `softphone:retryAccount` channel) or saving the account with a new password.
 * SoftphoneApp against the real simulator, through the same validated handlers the IPC uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchInvoke, type AppEvent } from '../../electron/contract.js';
import { SoftphoneApp } from '../../electron/app/app.js';
import { systemClock } from '../../electron/core/deps.js';
import { silentLogger } from '../../electron/core/log.js';
import { startDemoBackend } from '../../electron/simulator/demo.js';
import { startSimulator } from '../../electron/simulator/index.js';
import { DEMO_USER } from '../../electron/simulator/ucwa.js';
import { MemoryVault } from '../support/memoryVault.js';

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.stop()));
});

async function setup() {
  const sim = await startSimulator({ ucwa: { maxHoldMs: 5_000 } });
  open.push({ stop: () => sim.close() });
  const app = await SoftphoneApp.create({
    dataDir: mkdtempSync(join(tmpdir(), 'softphone-retry-')),
    clock: systemClock,
    logger: silentLogger,
    vault: new MemoryVault(),
    fetchFor: () => (input, init) => fetch(input, init),
    startDemo: () => startDemoBackend({ firstRingAfterMs: 3_600_000 }),
  });
  open.unshift(app); // stopped before the simulator closes
  const events: AppEvent[] = [];
  const waiters: (() => void)[] = [];
  app.on((e) => {
    events.push(e);
    waiters.splice(0).forEach((w) => w());
  });
  /** Resolves once `pred` holds over every event so far. */
  const until = async (pred: (xs: AppEvent[]) => boolean): Promise<void> => {
    while (!pred(events)) await new Promise<void>((r) => waiters.push(r));
  };
  const states = (xs: AppEvent[], state: string) =>
    xs.filter((e) => e.type === 'account' && e.accountId === 'work' && e.state === state).length;
  const grants = () => sim.server.find((r) => r.method === 'POST' && r.path.endsWith('/oauthtoken')).length;
  const handlers = app.handlers({ showMainWindow: () => {}, toastSize: () => {} });
  const invoke = (channel: string, payload: unknown) => dispatchInvoke(handlers, channel, payload);
  const save = (secret: string) =>
    app.saveAccount({
      account: {
        id: 'work',
        provider: 'ucwa',
        sipAddress: DEMO_USER.username,
        username: DEMO_USER.username,
        discoveryUrl: sim.ucwa.discoveryUrl,
      },
      secret,
    });
  return { sim, app, events, until, states, grants, invoke, save };
}

describe('a refused password waits for the user', () => {
  it('"Try signing in again" sends the password exactly once more; it connects once the server takes it', async () => {
    const { sim, until, states, grants, invoke, save } = await setup();
    await save('not-the-password');
    await until((xs) => states(xs, 'error') >= 1);
    expect(grants()).toBe(1);

    expect(await invoke('softphone:retryAccount', { accountId: 'work' })).toEqual({ ok: true, value: undefined });
    await until((xs) => states(xs, 'error') >= 2);
    expect(grants()).toBe(2);

    sim.ucwa.changePassword(DEMO_USER.username, 'not-the-password'); // the admin sets it to what is stored
    await invoke('softphone:retryAccount', { accountId: 'work' });
    await until((xs) => states(xs, 'connected') >= 1);
    expect(grants()).toBe(3);
  });

  it('saving the account with a new password clears the refusal and signs in', async () => {
    const { app, until, states, grants, save } = await setup();
    await save('not-the-password');
    await until((xs) => states(xs, 'error') >= 1);
    await save(DEMO_USER.password);
    await until((xs) => states(xs, 'connected') >= 1);
    expect(grants()).toBe(2);
    expect(app.snapshot().accounts.find((a) => a.accountId === 'work')).toMatchObject({
      state: 'connected',
      error: null,
    });
  });

  it('retrying an unknown account is an error naming it', async () => {
    const { invoke } = await setup();
    expect(await invoke('softphone:retryAccount', { accountId: 'nobody' })).toEqual({
      ok: false,
      error: { code: 'UnknownAccount', message: 'no account with id "nobody"' },
    });
  });
});
