import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { MenuItemConstructorOptions } from 'electron';
import type { AppSnapshot, HistoryEntry, Invitation, Outcome } from '../../electron/contract.js';
import type { RingingView } from '../../electron/core/engine.js';
import { DEFAULT_SETTINGS } from '../../electron/core/config.js';
import {
  menuText,
  RECENT_LIMIT,
  TrayController,
  trayIconName,
  trayMenuTemplate,
  trayState,
  type TrayActions,
} from '../../electron/main/tray.js';
import { Menu, resetFakes, Tray } from './fakeElectron.js';
import { recordingLogger } from './helpers.js';

beforeEach(() => resetFakes());

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

function invitation(id: string, name = `Caller ${id}`): Invitation {
  return {
    id,
    accountId: 'a1',
    provider: 'ucwa',
    modality: 'audio',
    from: { name, uri: `sip:${id}@example.com` },
    subject: '',
    importance: 'normal',
    message: '',
    receivedAt: T0,
    expiresAt: null,
    declineReasons: ['Global', 'Local'],
    defaultDeclineReason: 'Global',
  };
}

function ended(id: string, outcome: Outcome, minutes: number, name?: string): HistoryEntry {
  return { invitation: invitation(id, name), outcome, endedAt: T0 + minutes * 60_000, declineReason: null };
}

function snapshot(over: Partial<AppSnapshot> = {}): AppSnapshot {
  return {
    accounts: [],
    ringing: [],
    history: [],
    dnd: false,
    settings: DEFAULT_SETTINGS,
    accountConfigs: [],
    demo: false,
    notices: [],
    ...over,
  };
}

function ringing(id: string, phase: RingingView['phase'] = 'ringing'): RingingView {
  return { invitation: invitation(id), phase, error: null };
}

function recordingActions() {
  const calls: Array<[string, ...unknown[]]> = [];
  const actions: TrayActions = {
    setDnd: (on) => calls.push(['setDnd', on]),
    declineAll: () => calls.push(['declineAll']),
    showMainWindow: () => calls.push(['showMainWindow']),
    simulate: (kind) => calls.push(['simulate', kind]),
    quit: () => calls.push(['quit']),
  };
  return { actions, calls };
}

const fmt = (t: number) => `t+${(t - T0) / 60_000}m`;

function template(snap: AppSnapshot, seenAt = 0) {
  const { actions, calls } = recordingActions();
  const items = trayMenuTemplate(trayState(snap, seenAt), actions, { platform: 'linux', formatTime: fmt });
  const byId = (id: string) => items.find((i) => i.id === id);
  const labels = items.filter((i) => i.type !== 'separator').map((i) => i.label);
  const click = (id: string) => (byId(id)!.click as () => void)();
  return { items, byId, labels, click, calls };
}

describe('tray menu template', () => {
  it('has every action in the context menu (Linux ignores tray clicks)', () => {
    const { labels } = template(snapshot());
    expect(labels).toEqual([
      'Softphone',
      'Do Not Disturb',
      'Decline all ringing',
      'No missed or declined invitations',
      'Show window',
      'Quit',
    ]);
  });

  it('Do Not Disturb is a checkbox showing the state, and clicking it toggles DND', () => {
    const off = template(snapshot({ dnd: false }));
    expect(off.byId('dnd')).toMatchObject({ type: 'checkbox', checked: false });
    off.click('dnd');
    const on = template(snapshot({ dnd: true }));
    expect(on.byId('dnd')).toMatchObject({ checked: true });
    on.click('dnd');
    expect([...off.calls, ...on.calls]).toEqual([
      ['setDnd', true],
      ['setDnd', false],
    ]);
  });

  it('Decline all ringing is enabled only while something can be declined, and declines all', () => {
    expect(template(snapshot()).byId('declineAll')!.enabled).toBe(false);
    expect(template(snapshot({ ringing: [ringing('a', 'declining')] })).byId('declineAll')!.enabled).toBe(false);
    const t = template(snapshot({ ringing: [ringing('a'), ringing('b'), ringing('c', 'declining')] }));
    expect(t.byId('declineAll')).toMatchObject({ enabled: true, label: 'Decline all ringing (2)' });
    t.click('declineAll');
    expect(t.calls).toEqual([['declineAll']]);
  });

  it('lists the last five missed or declined invitations with caller and time, newest first', () => {
    const history = [
      ended('h1', 'declined', 9, 'Alice'),
      ended('h2', 'answeredElsewhere', 8, 'Bob'),
      ended('h3', 'missed', 7, 'Carol'),
      ended('h4', 'timedOut', 6, 'Dan'),
      ended('h5', 'cancelled', 5, 'Eve'),
      ended('h6', 'gone', 4, 'Frank'),
      ended('h7', 'declined', 3, 'Grace'),
      ended('h8', 'missed', 2, 'Heidi'),
    ];
    const t = template(snapshot({ history }));
    const recent = t.items.filter((i) => i.id?.startsWith('recent-'));
    expect(RECENT_LIMIT).toBe(5);
    expect(recent.map((i) => i.label)).toEqual([
      'Alice · t+9m · declined',
      'Carol · t+7m · missed',
      'Dan · t+6m · missed',
      'Eve · t+5m · missed',
      'Grace · t+3m · declined',
    ]);
    (recent[0]!.click as () => void)();
    expect(t.calls).toEqual([['showMainWindow']]);
  });

  it('in demo mode offers to simulate an IM, a call, a meeting and a Teams call', () => {
    const t = template(snapshot({ demo: true }));
    expect(t.labels[0]).toBe('Softphone — demo mode');
    const sims = t.items.filter((i) => i.id?.startsWith('simulate-'));
    expect(sims.map((i) => i.label)).toEqual([
      'Simulate incoming IM',
      'Simulate incoming call',
      'Simulate incoming meeting',
      'Simulate incoming Teams call',
    ]);
    for (const s of sims) (s.click as () => void)();
    expect(t.calls).toEqual([
      ['simulate', 'messaging'],
      ['simulate', 'phoneAudio'],
      ['simulate', 'onlineMeeting'],
      ['simulate', 'graphCall'],
    ]);
    expect(template(snapshot({ demo: false })).items.some((i) => i.id?.startsWith('simulate-'))).toBe(false);
  });

  it('Show window shows the main window and Quit quits', () => {
    const t = template(snapshot());
    t.click('show');
    t.click('quit');
    expect(t.calls).toEqual([['showMainWindow'], ['quit']]);
  });

  it('keeps a hostile caller name a plain, bounded, single-line label', () => {
    expect(menuText('A & B', 'linux')).toBe('A && B');
    expect(menuText('A & B', 'darwin')).toBe('A & B');
    expect(menuText('evil\nname\u202e\u0007', 'linux')).toBe('evil name');
    expect(menuText('x'.repeat(100), 'win32')).toHaveLength(40);
  });
});

describe('tray icon and tooltip', () => {
  it('shows DND and missed invitations with different images', () => {
    const missed = [ended('m', 'missed', 1)];
    expect(trayIconName(trayState(snapshot(), 0))).toBe('tray');
    expect(trayIconName(trayState(snapshot({ dnd: true }), 0))).toBe('tray-dnd');
    expect(trayIconName(trayState(snapshot({ history: missed }), 0))).toBe('tray-badge');
    expect(trayIconName(trayState(snapshot({ dnd: true, history: missed }), 0))).toBe('tray-dnd-badge');
    expect(trayIconName(trayState(snapshot(), 0, [invitation('r')]))).toBe('tray-ringing');
  });

  it('counts only missed invitations since the main window was last opened', () => {
    const history = [
      ended('a', 'missed', 5),
      ended('b', 'cancelled', 4),
      ended('c', 'declined', 3),
      ended('d', 'missed', 1),
    ];
    expect(trayState(snapshot({ history }), 0).missed).toBe(3);
    expect(trayState(snapshot({ history }), T0 + 2 * 60_000).missed).toBe(2);
  });

  it('the controller sets icon, tooltip and menu, the macOS title, and clears the badge once seen', () => {
    let now = 0;
    const { actions } = recordingActions();
    const tc = new TrayController({
      iconDir: '/app/assets',
      actions,
      logger: recordingLogger(),
      platform: 'darwin',
      now: () => now,
      formatTime: fmt,
    });
    const tray = Tray.all[0]!;
    expect(tray.image.path).toBe('/app/assets/tray.png');

    tc.update(snapshot({ dnd: true, history: [ended('a', 'missed', 1), ended('b', 'missed', 2)] }));
    expect(tray.image.path).toBe('/app/assets/tray-dnd-badge.png');
    expect(tray.tooltip).toBe('Softphone — Do Not Disturb — 2 missed');
    expect(tray.title).toBe('2');
    expect(tray.contextMenu?.template).toBe(Menu.templates.at(-1));
    const menu = tray.contextMenu!.template as MenuItemConstructorOptions[];
    expect(menu.find((i) => i.id === 'dnd')?.checked).toBe(true);

    now = T0 + 10 * 60_000;
    tc.markSeen();
    expect(tray.image.path).toBe('/app/assets/tray-dnd.png');
    expect(tray.title).toBe('');
    expect(tray.tooltip).toBe('Softphone — Do Not Disturb');
  });

  it('asks for attention while an OS-notification fallback rings, naming the caller', () => {
    const { actions } = recordingActions();
    const tc = new TrayController({ iconDir: '/i', actions, logger: recordingLogger(), platform: 'linux' });
    tc.update(snapshot({ demo: true }));
    tc.setAttention([invitation('x', 'Alice'), invitation('y', 'Bob')]);
    const tray = Tray.all[0]!;
    expect(tray.image.path).toBe('/i/tray-ringing.png');
    expect(tray.tooltip).toBe('Softphone (demo) — Ringing: Alice and 1 more');
    expect(tray.title).toBe('');
    tc.setAttention([]);
    expect(tray.image.path).toBe('/i/tray.png');
  });

  it('a left click on Windows shows the main window; the menu stays on the right button', () => {
    Tray.platform = 'win32';
    const { actions, calls } = recordingActions();
    const tc = new TrayController({ iconDir: '/i', actions, logger: recordingLogger(), platform: 'win32' });
    tc.update(snapshot());
    Tray.all[0]!.userClick();
    expect(calls).toEqual([['showMainWindow']]);
    expect(Tray.all[0]!.menusShown).toBe(0);
  });

  it('a click on macOS opens the menu only — it does not also raise the main window', () => {
    Tray.platform = 'darwin';
    const { actions, calls } = recordingActions();
    const tc = new TrayController({ iconDir: '/i', actions, logger: recordingLogger(), platform: 'darwin' });
    tc.update(snapshot());
    Tray.all[0]!.userClick();
    expect(Tray.all[0]!.menusShown).toBe(1);
    expect(calls).toEqual([]);
  });

  it('the icons carry their @2x variants (HiDPI)', () => {
    const assets = new URL('../../assets/', import.meta.url).pathname;
    new TrayController({ iconDir: assets, actions: recordingActions().actions, logger: recordingLogger() });
    expect(Tray.all[0]!.image.getScaleFactors()).toEqual([1, 2]);
  });
});
