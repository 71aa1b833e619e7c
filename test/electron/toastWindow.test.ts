import { once } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { Invitation } from '../../electron/contract.js';
import {
  notificationActionsSupported,
  notificationContent,
  RingNotifications,
} from '../../electron/main/windows/ringNotifications.js';
import { MainWindow } from '../../electron/main/windows/mainWindow.js';
import { isNativeWayland, TOAST_MARGIN, toastBounds, ToastWindow } from '../../electron/main/windows/toastWindow.js';
import { BrowserWindow, Notification, resetFakes, screen } from './fakeElectron.js';
import { builtPages, recordingLogger } from './helpers.js';
import { ManualClock } from '../support/manualClock.js';

beforeEach(() => resetFakes());

describe('toastBounds', () => {
  it('puts the stack bottom-right of the work area, 12 px from both edges', () => {
    expect(TOAST_MARGIN).toBe(12);
    expect(toastBounds({ x: 0, y: 0, width: 1920, height: 1040 }, { width: 380, height: 200 })).toEqual({
      x: 1920 - 12 - 380,
      y: 1040 - 12 - 200,
      width: 380,
      height: 200,
    });
  });

  it('follows a work area that does not start at the origin (second display, top panel)', () => {
    const workArea = { x: 1920, y: 32, width: 2560, height: 1408 };
    expect(toastBounds(workArea, { width: 360, height: 120 })).toEqual({
      x: 1920 + 2560 - 12 - 360,
      y: 32 + 1408 - 12 - 120,
      width: 360,
      height: 120,
    });
  });

  it('works on a display left of or above the primary one (negative coordinates)', () => {
    const b = toastBounds({ x: -1280, y: -1024, width: 1280, height: 1024 }, { width: 300, height: 100 });
    expect(b).toEqual({ x: -12 - 300, y: -12 - 100, width: 300, height: 100 });
  });

  it('shrinks content taller or wider than the work area instead of pushing it off-screen', () => {
    const workArea = { x: 0, y: 0, width: 800, height: 600 };
    const b = toastBounds(workArea, { width: 2000, height: 4000 });
    expect(b).toEqual({ x: 12, y: 12, width: 800 - 24, height: 600 - 24 });
  });

  it('rounds fractional sizes to whole pixels', () => {
    const b = toastBounds({ x: 0, y: 0, width: 1000, height: 800 }, { width: 300.4, height: 99.6 });
    expect(b).toEqual({ x: 1000 - 12 - 300, y: 800 - 12 - 100, width: 300, height: 100 });
  });
});

describe('isNativeWayland', () => {
  const switches =
    (values: Record<string, string> = {}) =>
    (name: string) =>
      values[name] ?? '';

  it('is true for a Linux Wayland session unless a switch forces X11', () => {
    expect(isNativeWayland('linux', { XDG_SESSION_TYPE: 'wayland' }, switches())).toBe(true);
    expect(isNativeWayland('linux', { WAYLAND_DISPLAY: 'wayland-0' }, switches())).toBe(true);
    expect(isNativeWayland('linux', {}, switches({ 'ozone-platform': 'wayland' }))).toBe(true);
  });

  it('ignores ELECTRON_OZONE_PLATFORM_HINT, which Electron 38 removed: the session is still native Wayland', () => {
    expect(
      isNativeWayland('linux', { XDG_SESSION_TYPE: 'wayland', ELECTRON_OZONE_PLATFORM_HINT: 'x11' }, switches()),
    ).toBe(true);
  });

  it('is false under XWayland (ozone x11 switch or hint), on X11, and off Linux', () => {
    const wl = { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0' };
    expect(isNativeWayland('linux', wl, switches({ 'ozone-platform': 'x11' }))).toBe(false);
    expect(isNativeWayland('linux', wl, switches({ 'ozone-platform-hint': 'x11' }))).toBe(false);
    expect(isNativeWayland('linux', { XDG_SESSION_TYPE: 'x11' }, switches())).toBe(false);
    expect(isNativeWayland('win32', wl, switches())).toBe(false);
    expect(isNativeWayland('darwin', {}, switches())).toBe(false);
  });
});

function createToast(platform: NodeJS.Platform = 'linux', more: { clock?: ManualClock; onGiveUp?: () => void } = {}) {
  const toast = new ToastWindow({ pages: builtPages(), logger: recordingLogger(), platform, ...more });
  const win = BrowserWindow.all.at(-1)!;
  return { toast, win };
}

describe('the toast window on macOS', () => {
  it('is a non-activating panel on every Space and over full-screen apps, without leaving the Dock', () => {
    const { win } = createToast('darwin');
    expect(win.options.type).toBe('panel');
    expect(win.called('setVisibleOnAllWorkspaces')).toEqual([
      ['setVisibleOnAllWorkspaces', true, { visibleOnFullScreen: true, skipTransformProcessType: true }],
    ]);
  });

  it('is an ordinary window elsewhere', () => {
    for (const platform of ['win32', 'linux'] as const) expect(createToast(platform).win.options.type).toBeUndefined();
  });
});

describe('the toast window follows the displays', () => {
  it('is placed again when a display is removed, added or changes its work area', () => {
    const { toast, win } = createToast();
    toast.resize({ width: 380, height: 150 });
    screen.changeDisplay(1, { workArea: { x: 0, y: 0, width: 1920, height: 1000 } }); // a taller taskbar
    expect(win.bounds).toEqual({ x: 1920 - 12 - 380, y: 1000 - 12 - 150, width: 380, height: 150 });

    const laptop = {
      id: 2,
      bounds: { x: 0, y: 0, width: 1440, height: 900 },
      workArea: { x: 0, y: 0, width: 1440, height: 875 },
    };
    screen.addDisplay(laptop); // docked laptop: the external monitor is unplugged next
    screen.removeDisplay(1);
    expect(win.bounds).toEqual({ x: 1440 - 12 - 380, y: 875 - 12 - 150, width: 380, height: 150 });
  });

  it('a hidden toast stays hidden, and a destroyed one stops listening', () => {
    const { toast, win } = createToast();
    screen.changeDisplay(1, { workArea: { x: 0, y: 0, width: 1000, height: 700 } });
    expect(win.called('setBounds')).toHaveLength(0);
    toast.destroy();
    expect(screen.listenerCount('display-metrics-changed')).toBe(0);
  });
});

describe('the toast renderer, crashed or hung', () => {
  const gone = (win: BrowserWindow) => win.contentsForTest.emit('render-process-gone', {}, { reason: 'crashed' });

  it('is reloaded at most 3 times in 5 minutes; then the caller is told', () => {
    const clock = new ManualClock();
    let gaveUp = 0;
    const { win } = createToast('linux', { clock, onGiveUp: () => gaveUp++ });
    for (let i = 0; i < 4; i++) gone(win);
    expect(win.called('loadFile')).toHaveLength(1 + 3);
    expect(gaveUp).toBe(1);
  });

  it('crashes spread over time are each reloaded', () => {
    const clock = new ManualClock();
    const { win } = createToast('linux', { clock });
    for (let i = 0; i < 5; i++) {
      gone(win);
      clock.advance(5 * 60_000);
    }
    expect(win.called('loadFile')).toHaveLength(1 + 5);
  });

  it('an unresponsive renderer is restarted unless it answers again', () => {
    const clock = new ManualClock();
    const { win } = createToast('linux', { clock });
    win.contentsForTest.emit('unresponsive');
    win.contentsForTest.emit('responsive');
    clock.advance(60_000);
    expect(win.called('loadFile')).toHaveLength(1);
    win.contentsForTest.emit('unresponsive');
    clock.advance(10_000);
    expect(win.called('loadFile')).toHaveLength(2);
  });
});

describe('the toast window', () => {
  it('is created frameless, transparent, always on top, unfocusable, off the taskbar, hidden and fixed-size', () => {
    const { win } = createToast();
    expect(win.options).toMatchObject({
      show: false,
      frame: false,
      transparent: true,
      alwaysOnTop: true,
      focusable: false,
      skipTaskbar: true,
      resizable: false,
    });
  });

  it('loads toast.html from the built renderer', () => {
    const { win } = createToast();
    expect(win.loaded).toEqual({ file: '/opt/softphone/resources/app/out/renderer/toast.html' });
  });

  it("asks for the 'screen-saver' level where it exists and shows on every workspace", () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const { win } = createToast(platform);
      expect(win.called('setAlwaysOnTop')).toEqual([['setAlwaysOnTop', true, 'screen-saver']]);
    }
    const { win } = createToast('linux');
    expect(win.called('setAlwaysOnTop')).toEqual([['setAlwaysOnTop', true]]);
    expect(win.called('setVisibleOnAllWorkspaces')[0]?.[1]).toBe(true);
  });

  it('appears with showInactive when something rings, and is never focused or shown with show()', () => {
    const { toast, win } = createToast();
    toast.resize({ width: 380, height: 150 });
    toast.resize({ width: 380, height: 300 });
    toast.resize({ width: 380, height: 0 });
    toast.resize({ width: 380, height: 150 });
    expect(win.called('showInactive')).toHaveLength(2);
    expect(win.called('focus')).toHaveLength(0);
    expect(win.called('show')).toHaveLength(0);
  });

  it('sits bottom-right of the work area of the display under the mouse pointer', () => {
    screen.displays = [
      { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } },
      {
        id: 2,
        bounds: { x: 1920, y: 0, width: 2560, height: 1440 },
        workArea: { x: 1920, y: 28, width: 2560, height: 1412 },
      },
    ];
    const { toast, win } = createToast();

    screen.cursor = { x: 2500, y: 700 };
    toast.resize({ width: 380, height: 180 });
    expect(win.bounds).toEqual({ x: 1920 + 2560 - 12 - 380, y: 28 + 1412 - 12 - 180, width: 380, height: 180 });

    screen.cursor = { x: 10, y: 10 };
    toast.resize({ width: 380, height: 360 });
    expect(win.bounds).toEqual({ x: 1920 - 12 - 380, y: 1040 - 12 - 360, width: 380, height: 360 });
  });

  it('follows the size the renderer reports for its content', () => {
    const { toast, win } = createToast();
    toast.resize({ width: 400, height: 120 });
    toast.resize({ width: 400, height: 250 });
    expect(win.called('setBounds').map((c) => (c[1] as { height: number }).height)).toEqual([120, 250]);
  });

  it('hides when nothing rings (reported height 0) and stays hidden', () => {
    const { toast, win } = createToast();
    toast.resize({ width: 380, height: 150 });
    expect(win.visible).toBe(true);
    toast.resize({ width: 380, height: 0 });
    expect(win.visible).toBe(false);
    expect(win.called('hide')).toHaveLength(1);
    toast.resize({ width: 0, height: 0 });
    expect(win.called('hide')).toHaveLength(1);
    expect(win.called('showInactive')).toHaveLength(1);
  });

  it('uses the secure webPreferences with the sandboxed preload', () => {
    const { win } = createToast();
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: '/opt/softphone/resources/app/out/preload/index.cjs',
    });
  });
});

function invitation(over: Partial<Invitation> = {}): Invitation {
  return {
    id: 'inv-1',
    accountId: 'a1',
    provider: 'ucwa',
    modality: 'audio',
    from: { name: 'Alice Example', uri: 'sip:alice@example.com' },
    subject: 'Quarterly numbers',
    importance: 'normal',
    message: '',
    receivedAt: 1_700_000_000_000,
    expiresAt: null,
    declineReasons: ['Global', 'Local'],
    defaultDeclineReason: 'Global',
    ...over,
  };
}

describe('the OS-notification fallback (native Wayland)', () => {
  function setup(platform: NodeJS.Platform) {
    const declined: string[] = [];
    const ringing: Invitation[][] = [];
    let shownMain = 0;
    const n = new RingNotifications({
      Notification: Notification as never,
      platform,
      logger: recordingLogger(),
      decline: async (id) => void declined.push(id),
      showMainWindow: () => void shownMain++,
      onRinging: (r) => void ringing.push(r),
    });
    return { n, declined, ringing, shownMain: () => shownMain };
  }

  it('shows one notification per ringing invitation, naming the caller and what they want', () => {
    const { n } = setup('linux');
    n.handle({ type: 'invitation', invitation: invitation() });
    n.handle({ type: 'invitation', invitation: invitation() });
    expect(Notification.all).toHaveLength(1);
    expect(Notification.all[0]!.shown).toBe(true);
    expect(Notification.all[0]!.options).toMatchObject({
      title: 'Call from Alice Example',
      body: 'Quarterly numbers\nsip:alice@example.com',
    });
  });

  it('offers Decline as a notification action where the platform has actions, and it declines', async () => {
    const { n, declined } = setup('win32');
    n.handle({ type: 'invitation', invitation: invitation({ id: 'x' }) });
    const shown = Notification.all[0]!;
    expect(shown.options.actions).toEqual([{ type: 'button', text: 'Decline' }]);
    shown.emit('action', { actionIndex: 0 });
    await Promise.resolve();
    expect(declined).toEqual(['x']);
  });

  it('has no action on Linux, where clicking the notification opens the main window', () => {
    expect(notificationActionsSupported('linux')).toBe(false);
    expect(notificationActionsSupported('darwin')).toBe(true);
    const s = setup('linux');
    s.n.handle({ type: 'invitation', invitation: invitation() });
    expect(Notification.all[0]!.options.actions).toBeUndefined();
    Notification.all[0]!.emit('click');
    expect(s.shownMain()).toBe(1);
  });

  it('closes the notification when the invitation stops ringing, and tells the tray each time', () => {
    const { n, ringing } = setup('linux');
    n.handle({ type: 'invitation', invitation: invitation({ id: 'a' }) });
    n.handle({ type: 'invitation', invitation: invitation({ id: 'b' }) });
    n.handle({ type: 'ended', id: 'a', outcome: 'cancelled', invitation: invitation({ id: 'a' }) });
    expect(Notification.all[0]!.closed).toBe(true);
    expect(Notification.all[1]!.closed).toBe(false);
    expect(ringing.map((r) => r.map((i) => i.id))).toEqual([['a'], ['a', 'b'], ['b']]);
  });

  it('still gives the tray its attention state where OS notifications are unsupported', () => {
    Notification.supported = false;
    const { n, ringing } = setup('linux');
    n.handle({ type: 'invitation', invitation: invitation() });
    expect(Notification.all).toHaveLength(0);
    expect(ringing).toHaveLength(1);
  });

  it('marks urgent and emergency invitations and uses the address when there is no name', () => {
    expect(notificationContent(invitation({ importance: 'emergency', modality: 'meeting' })).title).toBe(
      'Meeting invitation from Alice Example (Emergency)',
    );
    expect(notificationContent(invitation({ from: { name: '', uri: 'tel:+15551234' } })).title).toBe(
      'Call from tel:+15551234',
    );
  });
});

describe('the main window renderer', () => {
  it('is reloaded at most 3 times in 5 minutes, so a page that dies while loading does not loop', () => {
    const clock = new ManualClock();
    new MainWindow({ pages: builtPages(), logger: recordingLogger(), isQuitting: () => false, clock });
    const win = BrowserWindow.all.at(-1)!;
    for (let i = 0; i < 10; i++) win.contentsForTest.emit('render-process-gone', {}, { reason: 'crashed' });
    expect(win.called('loadFile')).toHaveLength(1 + 3);
  });

  it('a window asked to show before its page failed to load is still shown', async () => {
    BrowserWindow.failingLoads.add('/opt/softphone/resources/app/out/renderer/index.html');
    const mw = new MainWindow({ pages: builtPages(), logger: recordingLogger(), isQuitting: () => false });
    const win = BrowserWindow.all.at(-1)!;
    mw.show();
    expect(win.visible).toBe(false);
    await once(win.contentsForTest, 'did-fail-load');
    expect(win.visible).toBe(true);
  });
});

describe('destroyed windows', () => {
  it('a destroyed toast or main window still answers webContents (Electron would throw on window.webContents)', () => {
    const { toast, win } = createToast();
    const mw = new MainWindow({ pages: builtPages(), logger: recordingLogger(), isQuitting: () => true });
    toast.destroy();
    mw.destroy();
    expect(() => win.webContents).toThrow('Object has been destroyed');
    expect(toast.webContents.isDestroyed()).toBe(true);
    expect(mw.webContents.isDestroyed()).toBe(true);
    toast.resize({ width: 380, height: 100 }); // late resize during quit: nothing happens
    mw.show();
    expect(win.called('setBounds')).toHaveLength(0);
  });
});
