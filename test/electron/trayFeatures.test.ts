/**
 * The tray's call-forwarding submenus and timed Do Not Disturb (electron mocked): check marks
 * only on what the server confirmed, clicks send the matching choice, the tooltip shows the
 * time left.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { MenuItemConstructorOptions } from 'electron';
import type { AccountSummary, AppSnapshot } from '../../electron/contract.js';
import { DEFAULT_SETTINGS } from '../../electron/core/config.js';
import {
  TrayController,
  trayMenuTemplate,
  trayState,
  trayTooltip,
  type TrayActions,
} from '../../electron/main/tray.js';
import { resetFakes, Tray } from './fakeElectron.js';
import { recordingLogger } from './helpers.js';

beforeEach(() => resetFakes());

const work: AccountSummary = {
  id: 'work',
  provider: 'ucwa',
  displayName: 'Work',
  sipAddress: 'lene@contoso.com',
  username: 'lene',
  hasSecret: true,
  forwardContacts: [
    { label: 'Reception', sipUri: 'sip:reception@contoso.com' },
    { label: 'Mobile', sipUri: 'tel:+14255550100' },
  ],
};

function snapshot(over: Partial<AppSnapshot> = {}): AppSnapshot {
  return {
    accounts: [{ accountId: 'work', provider: 'ucwa', state: 'connected', error: null, lastHeardAt: null }],
    ringing: [],
    history: [],
    dnd: false,
    settings: DEFAULT_SETTINGS,
    accountConfigs: [work],
    demo: false,
    notices: [],
    forwarding: [{ accountId: 'work', state: 'off' }],
    ...over,
  };
}

function recording() {
  const calls: unknown[][] = [];
  const actions: TrayActions = {
    setDnd: (on) => calls.push(['setDnd', on]),
    declineAll: () => calls.push(['declineAll']),
    showMainWindow: () => calls.push(['show']),
    simulate: (k) => calls.push(['simulate', k]),
    quit: () => calls.push(['quit']),
    setDndUntil: (until) => calls.push(['setDndUntil', until]),
    setForwarding: (accountId, to) => calls.push(['setForwarding', accountId, to]),
  };
  return { actions, calls };
}

const byId = (items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions => {
  for (const i of items) {
    if (i.id === id) return i;
    if (Array.isArray(i.submenu)) {
      const found = i.submenu.find((s) => s.id === id);
      if (found) return found;
    }
  }
  throw new Error(`no menu item ${id}`);
};
const click = (item: MenuItemConstructorOptions) => (item.click as unknown as () => void)();
const checks = (items: MenuItemConstructorOptions[]) =>
  (byId(items, 'fwd-work').submenu as MenuItemConstructorOptions[]).map((i) => [
    i.label,
    i.checked ?? null,
    i.enabled ?? true,
  ]);

describe('tray: call forwarding per Skype for Business account', () => {
  it('checks the state the server confirmed and offers Off, voicemail and the saved contacts', () => {
    const { actions, calls } = recording();
    const items = trayMenuTemplate(trayState(snapshot(), 0), actions, { platform: 'linux' });
    expect(byId(items, 'fwd-work').label).toBe('Call forwarding — Work');
    expect(checks(items)).toEqual([
      ['Off', true, true],
      ['To voicemail', false, true],
      ['To Reception', false, true],
      ['To Mobile', false, true],
    ]);
    click(byId(items, 'fwd-work-voicemail'));
    click(byId(items, 'fwd-work-contact-1'));
    click(byId(items, 'fwd-work-off')); // already the state: nothing sent
    expect(calls).toEqual([
      ['setForwarding', 'work', 'voicemail'],
      ['setForwarding', 'work', 'tel:+14255550100'],
    ]);
  });

  it('a contact target checks the saved contact; delegates and unknown contacts show checked but cannot be chosen', () => {
    const { actions } = recording();
    const contact = trayMenuTemplate(
      trayState(
        snapshot({ forwarding: [{ accountId: 'work', state: 'contact', target: 'SIP:reception@contoso.com' }] }),
        0,
      ),
      actions,
      { platform: 'linux' },
    );
    expect(checks(contact).filter((c) => c[1])).toEqual([['To Reception', true, true]]);
    const other = trayMenuTemplate(
      trayState(snapshot({ forwarding: [{ accountId: 'work', state: 'contact', target: 'sip:boss@contoso.com' }] }), 0),
      actions,
      { platform: 'linux' },
    );
    expect(checks(other).at(-1)).toEqual(['To sip:boss@contoso.com', true, false]);
    const delegates = trayMenuTemplate(
      trayState(snapshot({ forwarding: [{ accountId: 'work', state: 'delegates' }] }), 0),
      actions,
      { platform: 'linux' },
    );
    expect(checks(delegates).filter((c) => c[1])).toEqual([['To delegates', true, false]]);
  });

  it('claims nothing before the server answered, and nothing while signed out', () => {
    const { actions } = recording();
    const unknown = trayMenuTemplate(trayState(snapshot({ forwarding: [] }), 0), actions, { platform: 'linux' });
    const rows = checks(unknown);
    expect(rows[0]).toEqual(['Reading the current setting…', null, false]);
    expect(rows.slice(1).every(([, checked, enabled]) => checked === false && enabled === false)).toBe(true);
    const offline = trayMenuTemplate(
      trayState(
        snapshot({
          accounts: [{ accountId: 'work', provider: 'ucwa', state: 'reconnecting', error: null, lastHeardAt: null }],
        }),
        0,
      ),
      actions,
      { platform: 'linux' },
    );
    expect(checks(offline)[0]).toEqual(['Not signed in', null, false]);
  });

  it('Graph accounts get no forwarding menu', () => {
    const { actions } = recording();
    const items = trayMenuTemplate(trayState(snapshot({ accountConfigs: [], forwarding: [] }), 0), actions, {
      platform: 'linux',
    });
    expect(items.some((i) => String(i.id ?? '').startsWith('fwd-'))).toBe(false);
  });
});

describe('tray: timed Do Not Disturb', () => {
  it('offers 30 minutes, 1 hour, tomorrow 08:00 and until turned off', () => {
    const { actions, calls } = recording();
    const items = trayMenuTemplate(trayState(snapshot(), 0), actions, { platform: 'linux' });
    const sub = byId(items, 'dnd-timed').submenu as MenuItemConstructorOptions[];
    expect(sub.map((i) => i.label)).toEqual([
      'For 30 minutes',
      'For 1 hour',
      'Until tomorrow 08:00',
      'Until turned off',
    ]);
    const before = Date.now();
    click(byId(items, 'dnd-30min'));
    click(byId(items, 'dnd-tomorrow8'));
    click(byId(items, 'dnd-off'));
    const [thirty, tomorrow, off] = calls.map((c) => c[1] as number | null);
    expect(thirty! - before).toBeGreaterThanOrEqual(30 * 60_000);
    expect(thirty! - before).toBeLessThan(30 * 60_000 + 5_000);
    const t = new Date(tomorrow!);
    expect([t.getHours(), t.getMinutes(), t.getDate()]).toEqual([8, 0, new Date(before + 86_400_000).getDate()]);
    expect(off).toBeNull();
  });

  it('shows the time left in the menu and the tooltip', () => {
    const { actions } = recording();
    const now = Date.UTC(2026, 10, 29, 12, 0, 0);
    const state = trayState(snapshot({ dnd: true, dndUntil: now + 65 * 60_000 }), 0);
    expect(trayTooltip(state, now)).toBe('Softphone — Do Not Disturb (1 h 5 min left)');
    const items = trayMenuTemplate(state, actions, { platform: 'linux', now });
    expect(byId(items, 'dnd-timed').label).toBe('Do Not Disturb: 1 h 5 min left');
    const tc = new TrayController({ iconDir: '/i', actions, logger: recordingLogger(), platform: 'linux' });
    tc.update(snapshot({ dnd: true, dndUntil: Date.now() + 20 * 60_000 }));
    expect(Tray.all[0]!.tooltip).toBe('Softphone — Do Not Disturb (20 min left)');
    tc.destroy();
  });
});
