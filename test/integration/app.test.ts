/**
 * SoftphoneApp, the service behind the desktop UI, on a real data directory: demo mode, real
 * accounts against a separate simulator, settings and history surviving a restart, corrupt
 * files set aside with a notice.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../electron/contract.js';
import { SoftphoneApp } from '../../electron/app/app.js';
import { systemClock } from '../../electron/core/deps.js';
import { silentLogger } from '../../electron/core/log.js';
import { startDemoBackend } from '../../electron/simulator/demo.js';
import { startSimulator, type Simulator } from '../../electron/simulator/index.js';
import { MemoryVault } from '../support/memoryVault.js';

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.stop()));
});

async function startApp(dataDir: string, vault = new MemoryVault()) {
  const app = await SoftphoneApp.create({
    dataDir,
    clock: systemClock,
    logger: silentLogger,
    vault,
    fetchFor: () => (input, init) => fetch(input, init),
    startDemo: () => startDemoBackend({ firstRingAfterMs: 3_600_000 }),
  });
  open.push(app);
  const events: AppEvent[] = [];
  const waiters: (() => void)[] = [];
  app.on((e) => {
    events.push(e);
    waiters.splice(0).forEach((w) => w());
  });
  function until<T extends AppEvent>(pred: (e: AppEvent) => e is T): Promise<T>;
  function until(pred: (e: AppEvent) => boolean): Promise<AppEvent>;
  async function until(pred: (e: AppEvent) => boolean): Promise<AppEvent> {
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      await new Promise<void>((r) => waiters.push(r));
    }
  }
  return { app, vault, events, until };
}

const dir = () => mkdtempSync(join(tmpdir(), 'softphone-app-'));

describe('SoftphoneApp', () => {
  it('starts in demo mode when no account is configured', async () => {
    const { app } = await startApp(dir());
    const snap = app.snapshot();
    expect(snap.demo).toBe(true);
    expect(snap.accountConfigs.map((a) => a.id)).toEqual(['demo-ucwa', 'demo-graph']);
  });

  it('keeps settings across a restart, and no secret in settings.json', async () => {
    const data = dir();
    const first = await startApp(data);
    await first.app.saveSettings({ ringtone: false, ucwaDeclineReason: 'Local' });
    await first.app.stop();
    const second = await startApp(data);
    expect(second.app.snapshot().settings).toMatchObject({ ringtone: false, ucwaDeclineReason: 'Local' });
  });

  it('keeps history across a restart', async () => {
    const data = dir();
    const { app, until } = await startApp(data);
    const sim = (app.demo as unknown as { sim: Simulator }).sim;
    await sim.ucwa.waitUntilListening();
    await app.simulate('messaging');
    const { invitation } = await until((e): e is Extract<AppEvent, { type: 'invitation' }> => e.type === 'invitation');
    await app.engine.decline(invitation.id);
    await until((e) => e.type === 'ended');
    await app.stop();
    const again = await startApp(data);
    expect(again.app.snapshot().history).toMatchObject([
      { outcome: 'declined', declineReason: 'Global', invitation: { id: invitation.id } },
    ]);
  });

  it('sets corrupt settings and history aside, says so, and still starts', async () => {
    const data = dir();
    writeFileSync(join(data, 'settings.json'), '{ not json');
    writeFileSync(join(data, 'history.json'), JSON.stringify({ version: 1, entries: [{ nonsense: true }] }));
    const { app } = await startApp(data);
    const snap = app.snapshot();
    expect(snap.demo).toBe(true);
    expect(snap.notices.map((n) => n.message).join('\n')).toMatch(/settings\.json was unreadable.*set aside/);
    expect(snap.notices.map((n) => n.message).join('\n')).toMatch(/history\.json was unreadable/);
    expect(readdirSync(data).filter((f) => f.includes('.corrupt-'))).toHaveLength(2);
  });

  it('leaves demo mode when an account is saved, and returns to it when the last one is removed', async () => {
    const sim = await startSimulator({ ucwa: { maxHoldMs: 5_000 } });
    open.push({ stop: () => sim.close() });
    const data = dir();
    const { app, vault, until } = await startApp(data);
    const demoSim = (app.demo as unknown as { sim: Simulator }).sim;

    const saved = await app.saveAccount({
      account: {
        id: 'work',
        provider: 'ucwa',
        sipAddress: 'demo@softphone.test',
        username: 'demo@softphone.test',
        discoveryUrl: sim.ucwa.discoveryUrl,
      },
      secret: 'demo',
    });
    expect(saved).toMatchObject({ id: 'work', hasSecret: true });
    expect(app.snapshot().demo).toBe(false);
    await until((e) => e.type === 'account' && e.accountId === 'work' && e.state === 'connected');
    expect(vault.values.get('work.password')).toBe('demo');
    const onDisk = readFileSync(join(data, 'settings.json'), 'utf8');
    expect(onDisk).toContain('"sipAddress": "demo@softphone.test"');
    expect(onDisk).not.toContain('"demo"');
    await expect(fetch(demoSim.origin)).rejects.toThrow(); // the demo simulator is closed

    await app.removeAccount('work');
    expect(vault.values.has('work.password')).toBe(false);
    expect(app.snapshot().demo).toBe(true);
    expect(sim.ucwa.applicationsDeleted()).toHaveLength(1); // signed out of the real server
  });

  it('refuses an account without a secret, naming the field, and changes nothing', async () => {
    const data = dir();
    const { app } = await startApp(data);
    await expect(
      app.saveAccount({ account: { id: 'x', provider: 'ucwa', sipAddress: 'a@b.example', username: 'a' } }),
    ).rejects.toThrow(/^password: /);
    expect(app.snapshot().demo).toBe(true);
    expect(existsSync(join(data, 'settings.json'))).toBe(false);
  });
});
