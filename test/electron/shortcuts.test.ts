import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { globalShortcut as electronGlobalShortcut } from 'electron';
import { SoftphoneApp, type DemoBackend } from '../../electron/app/app.js';
import type { AppEvent } from '../../electron/contract.js';
import { DEFAULT_SETTINGS } from '../../electron/core/config.js';
import { createLogger } from '../../electron/core/log.js';
import { DEFAULT_SHORTCUTS } from '../../electron/core/shortcuts.js';
import { ShortcutRegistry, startShortcuts } from '../../electron/main/shortcuts.js';
import { ManualClock } from '../support/manualClock.js';
import { MemoryVault } from '../support/memoryVault.js';
import { sampleInvitation, ScriptedProvider } from '../support/scriptedProvider.js';
import { globalShortcut, resetFakes } from './fakeElectron.js';
import { recordingLogger } from './helpers.js';

/** Demo mode without a simulator: no accounts (the test adds a scripted one to the engine). */
const emptyDemo = (): Promise<DemoBackend> =>
  Promise.resolve({
    accounts: [],
    secrets: {},
    simulate: () => Promise.resolve(),
    startAutoRing: () => undefined,
    close: () => Promise.resolve(),
  });

describe('global shortcut registry (electron mocked)', () => {
  beforeEach(() => resetFakes());

  it('is the module the main process gets from electron', () => {
    expect(electronGlobalShortcut).toBe(globalShortcut);
  });

  it('registers the defaults and runs the action of the accelerator pressed', () => {
    const ran: string[] = [];
    const registry = new ShortcutRegistry({
      globalShortcut,
      logger: recordingLogger(),
      handlers: {
        declineNewest: () => ran.push('declineNewest'),
        ignoreNewest: () => ran.push('ignoreNewest'),
        declineAll: () => ran.push('declineAll'),
        showMainWindow: () => ran.push('showMainWindow'),
      },
    });
    const status = registry.apply(DEFAULT_SHORTCUTS);
    expect(status.map((s) => [s.action, s.accelerator, s.state])).toEqual([
      ['declineNewest', 'CommandOrControl+Alt+D', 'registered'],
      ['ignoreNewest', 'CommandOrControl+Alt+I', 'registered'],
      ['declineAll', 'CommandOrControl+Alt+Shift+D', 'registered'],
      ['showMainWindow', 'CommandOrControl+Alt+S', 'registered'],
    ]);
    globalShortcut.pressed('CommandOrControl+Alt+Shift+D');
    globalShortcut.pressed('CommandOrControl+Alt+S');
    expect(ran).toEqual(['declineAll', 'showMainWindow']);
    registry.dispose();
    expect([...globalShortcut.registered.keys()]).toEqual([]);
  });

  it('reports a shortcut another application holds as taken, registers the rest, and turns one off', () => {
    globalShortcut.heldByOthers.add('CommandOrControl+Alt+D');
    const log = recordingLogger();
    const registry = new ShortcutRegistry({
      globalShortcut,
      logger: log,
      handlers: { declineNewest() {}, ignoreNewest() {}, declineAll() {}, showMainWindow() {} },
    });
    const status = registry.apply({ ...DEFAULT_SHORTCUTS, ignoreNewest: null });
    expect(status[0]).toEqual({
      action: 'declineNewest',
      accelerator: 'CommandOrControl+Alt+D',
      state: 'taken',
      message:
        'CommandOrControl+Alt+D is in use by another application; choose another shortcut for “Decline the newest invitation”.',
    });
    expect(status[1]).toEqual({ action: 'ignoreNewest', accelerator: null, state: 'off' });
    expect(status.slice(2).map((s) => s.state)).toEqual(['registered', 'registered']);
    expect(globalShortcut.isRegistered('CommandOrControl+Alt+D')).toBe(false);
    expect(globalShortcut.isRegistered('CommandOrControl+Alt+I')).toBe(false);
    expect(log.lines.some((l) => l.msg === 'a global shortcut is held by another application')).toBe(true);
  });

  it('reports an accelerator Electron refuses as failed, without throwing', () => {
    const registry = new ShortcutRegistry({
      globalShortcut,
      logger: recordingLogger(),
      handlers: { declineNewest() {}, ignoreNewest() {}, declineAll() {}, showMainWindow() {} },
    });
    // The settings schema refuses such a value; a hand-edited file that slipped past is still survived.
    const status = registry.apply({ ...DEFAULT_SHORTCUTS, declineAll: 'Ctrl+' });
    expect(status[2]).toMatchObject({ state: 'failed', message: expect.stringContaining('conversion failure') });
  });

  it('a changed setting releases the old accelerator and takes the new one', () => {
    const registry = new ShortcutRegistry({
      globalShortcut,
      logger: recordingLogger(),
      handlers: { declineNewest() {}, ignoreNewest() {}, declineAll() {}, showMainWindow() {} },
    });
    registry.apply(DEFAULT_SHORTCUTS);
    registry.apply({ ...DEFAULT_SHORTCUTS, showMainWindow: 'Super+F9' });
    expect(globalShortcut.isRegistered('CommandOrControl+Alt+S')).toBe(false);
    expect(globalShortcut.isRegistered('Super+F9')).toBe(true);
    expect(globalShortcut.registered.size).toBe(4);
  });
});

describe('shortcuts wired to the app (real SoftphoneApp and engine)', () => {
  let dataDir: string;
  let sp: SoftphoneApp;
  let provider: ScriptedProvider;
  let events: AppEvent[];

  beforeEach(async () => {
    resetFakes();
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-shortcuts-'));
    sp = await SoftphoneApp.create({
      dataDir,
      clock: new ManualClock(Date.UTC(2026, 10, 21, 9)),
      logger: createLogger(() => undefined, { level: 'error' }),
      vault: new MemoryVault(),
      fetchFor: () => () => Promise.reject(new Error('no network in this test')),
      startDemo: emptyDemo,
    });
    provider = new ScriptedProvider('acc', 'ucwa');
    await sp.engine.addAccount(provider);
    events = [];
    sp.on((e) => events.push(e));
  });
  afterEach(async () => {
    await sp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const wire = (shown: string[] = []) =>
    startShortcuts({
      globalShortcut,
      host: sp,
      decline: (id) =>
        Promise.resolve(sp.handlers({ showMainWindow() {}, toastSize() {} })['softphone:decline']({ id })),
      declineAll: () => sp.engine.declineAll(),
      showMainWindow: () => shown.push('main'),
      logger: recordingLogger(),
    });

  it('reports the registration in the snapshot and as an event; declineNewest declines the newest ringing one', async () => {
    globalShortcut.heldByOthers.add('CommandOrControl+Alt+I');
    wire();
    expect(sp.snapshot().shortcuts?.map((s) => s.state)).toEqual(['registered', 'taken', 'registered', 'registered']);
    expect(events.filter((e) => e.type === 'shortcuts')).toHaveLength(1);

    const older = sampleInvitation();
    const newer = sampleInvitation();
    provider.sink.ringing(older);
    provider.sink.ringing(newer);
    globalShortcut.pressed('CommandOrControl+Alt+D');
    await vi.waitFor(() => expect(provider.declines).toEqual([{ id: newer.id, reason: 'Global' }]));
  });

  it('ignoreNewest tells the pages; declineAll declines everything; showMainWindow shows it', async () => {
    const shown: string[] = [];
    wire(shown);
    provider.sink.ringing(sampleInvitation());
    provider.sink.ringing(sampleInvitation());
    globalShortcut.pressed('CommandOrControl+Alt+I');
    expect(events.at(-1)).toEqual({ type: 'ignoreNewest' });
    expect(provider.declines).toEqual([]);
    globalShortcut.pressed('CommandOrControl+Alt+Shift+D');
    await vi.waitFor(() => expect(provider.declines).toHaveLength(2));
    globalShortcut.pressed('CommandOrControl+Alt+S');
    expect(shown).toEqual(['main']);
  });

  it('re-registers when the settings change, and reports the new state', async () => {
    const registry = wire();
    await sp.saveSettings({ shortcuts: { ...DEFAULT_SETTINGS.shortcuts, declineNewest: null, declineAll: 'Alt+F8' } });
    expect(globalShortcut.isRegistered('CommandOrControl+Alt+D')).toBe(false);
    expect(globalShortcut.isRegistered('Alt+F8')).toBe(true);
    expect(sp.snapshot().shortcuts?.[0]).toEqual({ action: 'declineNewest', accelerator: null, state: 'off' });
    // Saving something else does not churn the registrations.
    await sp.saveSettings({ ringtone: false });
    expect(events.filter((e) => e.type === 'shortcuts')).toHaveLength(2);
    registry.dispose();
    expect(globalShortcut.registered.size).toBe(0);
  });
});
