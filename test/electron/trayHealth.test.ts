import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { AppSnapshot } from '../../electron/contract.js';
import { DEFAULT_SETTINGS } from '../../electron/core/config.js';
import type { AccountState } from '../../electron/core/provider.js';
import { TrayController } from '../../electron/main/tray.js';
import { ConnectionHealth, OFFLINE_AFTER_MS } from '../../electron/main/trayHealth.js';
import { resetFakes, type Tray as FakeTray } from './fakeElectron.js';
import { recordingLogger } from './helpers.js';

beforeEach(() => resetFakes());

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const account = (accountId: string, state: AccountState) => ({ accountId, state });

describe('ConnectionHealth', () => {
  it('is offline only after an account has been reconnecting or in error for more than 30 s', () => {
    const h = new ConnectionHealth();
    h.observe([account('a', 'connected'), account('b', 'reconnecting')], T0);
    expect(h.offline(T0 + OFFLINE_AFTER_MS)).toBe(false);
    expect(h.nextChangeIn(T0 + 10_000)).toBe(OFFLINE_AFTER_MS - 10_000 + 1);
    h.observe([account('a', 'connected'), account('b', 'error')], T0 + 20_000); // still down since T0
    expect(h.offline(T0 + OFFLINE_AFTER_MS + 1)).toBe(true);
    h.observe([account('a', 'connected'), account('b', 'connected')], T0 + 40_000);
    expect(h.offline(T0 + 40_000)).toBe(false);
    expect(h.nextChangeIn(T0 + 40_000)).toBeNull();
  });

  it('forgets removed accounts', () => {
    const h = new ConnectionHealth();
    h.observe([account('a', 'error')], T0);
    h.observe([], T0 + 1);
    expect(h.offline(T0 + 60_000)).toBe(false);
  });
});

describe('tray "not connected" icon', () => {
  it('switches to tray-offline when an account is down for more than 30 s, and back when all are connected', () => {
    let now = T0;
    const c = new TrayController({
      iconDir: '/i',
      logger: recordingLogger(),
      platform: 'linux',
      now: () => now,
      actions: { setDnd() {}, declineAll() {}, showMainWindow() {}, simulate() {}, quit() {} },
    });
    const snap = (state: AccountState): AppSnapshot => ({
      accounts: [{ accountId: 'work', provider: 'ucwa', state, error: null, lastHeardAt: T0 }],
      ringing: [],
      history: [],
      dnd: false,
      settings: DEFAULT_SETTINGS,
      accountConfigs: [],
      demo: false,
      notices: [],
    });
    c.update(snap('reconnecting'));
    expect((c.tray as unknown as FakeTray).image).toMatchObject({ path: '/i/tray.png' });
    now += OFFLINE_AFTER_MS + 1;
    c.update(snap('reconnecting'));
    expect((c.tray as unknown as FakeTray).image).toMatchObject({ path: '/i/tray-offline.png' });
    expect((c.tray as unknown as { tooltip: string }).tooltip).toMatch(/Not connected/);
    c.update(snap('connected'));
    expect((c.tray as unknown as FakeTray).image).toMatchObject({ path: '/i/tray.png' });
    c.destroy();
  });
});
