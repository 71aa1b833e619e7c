/**
 * The composition root, end to end with Electron faked: the real SoftphoneApp in demo mode
 * against the real embedded simulator on 127.0.0.1, reached through the (faked) net.fetch.
 * What the windows would do is played by invoking the registered IPC handlers as the toast
 * window's page.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { MenuItemConstructorOptions } from 'electron';
import { EVENT_CHANNEL, invokeSchemas, type AppEvent, type Invitation } from '../../electron/contract.js';
import { app, BrowserWindow, ipcMain, net, resetFakes, screen, Tray } from './fakeElectron.js';

let userData: string;
let savedSession: string | undefined;
let toast: BrowserWindow;
let main: BrowserWindow;

type Res = { ok: boolean; value?: unknown; error?: { code: string; message: string } };

function invokeAs(win: BrowserWindow, channel: string, payload: unknown): Promise<Res> {
  const handler = ipcMain.handlers.get(channel)!;
  return handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, payload) as Promise<Res>;
}

/** Resolves with the first pushed event (to the toast window) that matches. */
function pushed<T extends AppEvent>(pred: (e: AppEvent) => e is T, from?: number): Promise<T>;
function pushed(pred: (e: AppEvent) => boolean, from?: number): Promise<AppEvent>;
function pushed(pred: (e: AppEvent) => boolean, from?: number): Promise<AppEvent> {
  const wc = toast.webContents;
  const start = from ?? wc.sent.length;
  return new Promise((resolve) => {
    const orig = wc.send.bind(wc);
    const check = () => {
      const hit = wc.sent.slice(start).find(([c, e]) => c === EVENT_CHANNEL && pred(e as AppEvent));
      if (hit) {
        wc.send = orig;
        resolve(hit[1] as AppEvent);
        return true;
      }
      return false;
    };
    if (check()) return;
    wc.send = (channel: string, payload: unknown) => {
      orig(channel, payload);
      check();
    };
  });
}

function trayMenu(): MenuItemConstructorOptions[] {
  return Tray.all[0]!.contextMenu!.template as MenuItemConstructorOptions[];
}

beforeAll(async () => {
  resetFakes();
  userData = await mkdtemp(join(tmpdir(), 'softphone-main-'));
  process.env.SOFTPHONE_USER_DATA_DIR = userData;
  // The toast-window path (a Wayland desktop running the tests would take the notification path).
  savedSession = process.env.XDG_SESSION_TYPE;
  process.env.XDG_SESSION_TYPE = 'x11';
  // The sample ring is driven by hand below (simulate), not by the demo's timer.
  process.env.SOFTPHONE_DEMO_FIRST_RING_MS = String(3_600_000);
  const mod = await import('../../electron/main/index.js');
  app.fireReady();
  await mod.started;
  expect(BrowserWindow.all).toHaveLength(2);
  [toast, main] = BrowserWindow.all as [BrowserWindow, BrowserWindow];
}, 30_000);

afterAll(async () => {
  delete process.env.SOFTPHONE_USER_DATA_DIR;
  delete process.env.SOFTPHONE_DEMO_FIRST_RING_MS;
  if (savedSession === undefined) delete process.env.XDG_SESSION_TYPE;
  else process.env.XDG_SESSION_TYPE = savedSession;
  await rm(userData, { recursive: true, force: true });
});

describe('the desktop app, composed (demo mode)', () => {
  it('enables the sandbox and registers a checked handler for every IPC channel', () => {
    expect(app.sandboxEnabled).toBe(true);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.keys(invokeSchemas).sort());
  });

  it('creates the toast window and the main window, both sandboxed, and a tray', () => {
    expect(toast.options).toMatchObject({ focusable: false, alwaysOnTop: true, show: false });
    expect(String(toast.loaded?.file)).toMatch(/toast\.html$/);
    expect(String(main.loaded?.file)).toMatch(/index\.html$/);
    for (const w of [toast, main])
      expect(w.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });
    expect(Tray.all).toHaveLength(1);
    expect(existsSync(Tray.all[0]!.image.path)).toBe(true);
    expect(existsSync(String(main.options.icon))).toBe(true);
  });

  it('shows the main window in demo mode once it has painted', () => {
    expect(main.called('show')).toHaveLength(0);
    main.emit('ready-to-show');
    expect(main.called('show')).toHaveLength(1);
  });

  it('the tray offers the demo simulations', () => {
    expect(trayMenu().some((i) => i.id === 'simulate-phoneAudio')).toBe(true);
    expect(trayMenu()[0]!.label).toBe('Softphone — demo mode');
  });

  it('the demo accounts sign in to the embedded simulator and their state is pushed to the windows', async () => {
    for (const accountId of ['demo-ucwa', 'demo-graph']) {
      const connected = await pushed(
        (e) => e.type === 'account' && e.accountId === accountId && e.state === 'connected',
        0,
      );
      expect(connected).toMatchObject({ accountId, state: 'connected' });
    }
    expect(main.webContents.sent.some(([, e]) => (e as AppEvent).type === 'account')).toBe(true);
    expect(net.calls.length).toBeGreaterThan(0);
    expect(net.calls.every(([url]) => url.startsWith('http://127.0.0.1:'))).toBe(true);
  }, 20_000);

  it('a ringing invitation enables Decline all in the tray, and Decline all ends it', async () => {
    expect(trayMenu().find((i) => i.id === 'declineAll')?.enabled).toBe(false);
    const ringing = pushed((e): e is Extract<AppEvent, { type: 'invitation' }> => e.type === 'invitation');
    expect(await invokeAs(main, 'softphone:simulate', { kind: 'messaging' })).toMatchObject({ ok: true });
    const inv = (await ringing).invitation;
    expect(trayMenu().find((i) => i.id === 'declineAll')).toMatchObject({
      enabled: true,
      label: 'Decline all ringing (1)',
    });
    const ended = pushed((e) => e.type === 'ended' && e.id === inv.id);
    expect(await invokeAs(toast, 'softphone:declineAll', {})).toMatchObject({ ok: true, value: [{ status: 'sent' }] });
    await ended;
    expect(trayMenu().find((i) => i.id === 'declineAll')?.enabled).toBe(false);
  }, 20_000);

  it('a simulated call shows the toast inactive, bottom-right of the display under the cursor; Decline ends it', async () => {
    screen.cursor = { x: 50, y: 50 };
    const ringing = pushed((e): e is Extract<AppEvent, { type: 'invitation' }> => e.type === 'invitation');
    expect(await invokeAs(main, 'softphone:simulate', { kind: 'phoneAudio' })).toMatchObject({ ok: true });
    const inv: Invitation = (await ringing).invitation;

    // The toast page measured its stack.
    expect(await invokeAs(toast, 'softphone:toastSize', { width: 380, height: 160 })).toEqual({ ok: true });
    expect(toast.visible).toBe(true);
    expect(toast.bounds).toEqual({ x: 1920 - 12 - 380, y: 1040 - 12 - 160, width: 380, height: 160 });
    expect(toast.called('focus')).toHaveLength(0);
    expect(toast.called('show')).toHaveLength(0);

    const ended = pushed((e) => e.type === 'ended' && e.id === inv.id);
    expect(await invokeAs(toast, 'softphone:decline', { id: inv.id })).toEqual({ ok: true, value: { status: 'sent' } });
    expect(await ended).toMatchObject({ outcome: 'declined' });
    expect(net.calls.some(([url, init]) => /decline/i.test(url) && init?.method === 'POST')).toBe(true);

    // The stack is empty again: the page reports height 0 and the window hides.
    await invokeAs(toast, 'softphone:toastSize', { width: 380, height: 0 });
    expect(toast.visible).toBe(false);

    const recent = trayMenu().filter((i) => i.id?.startsWith('recent-'));
    expect(recent[0]!.label).toContain(inv.from.name);
    expect(recent[0]!.label).toMatch(/declined$/);
  }, 20_000);

  it('tray Do Not Disturb goes through the engine, is pushed to the windows and changes the icon', async () => {
    const dnd = pushed((e) => e.type === 'dnd');
    (trayMenu().find((i) => i.id === 'dnd')!.click as () => void)();
    expect(await dnd).toEqual({ type: 'dnd', on: true });
    expect(Tray.all[0]!.image.path).toMatch(/tray-dnd(-badge)?\.png$/);
    expect(trayMenu().find((i) => i.id === 'dnd')?.checked).toBe(true);
  });

  it('rejects a call from a page that is not the app’s, even from its own window', async () => {
    const res = (await ipcMain.handlers.get('softphone:setDnd')!(
      { sender: toast.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { on: false },
    )) as Res;
    expect(res.error?.code).toBe('Forbidden');
  });

  it('each window gets only its channels: the toast cannot change settings, the main window cannot size the toast', async () => {
    const fromToast = await invokeAs(toast, 'softphone:saveSettings', { ringtone: false });
    expect(fromToast.error).toMatchObject({
      code: 'Forbidden',
      message: expect.stringMatching(/toast window may not/),
    });
    const fromMain = await invokeAs(main, 'softphone:toastSize', { width: 10, height: 10 });
    expect(fromMain.error).toMatchObject({ code: 'Forbidden', message: expect.stringMatching(/main window may not/) });
    expect(await invokeAs(main, 'softphone:snapshot', undefined)).toMatchObject({ ok: true });
  });

  it('logs to userData/logs/softphone.log', async () => {
    const text = await readFile(join(userData, 'logs', 'softphone.log'), 'utf8');
    expect(text).toMatch(/\[main:?.*\] ready/);
  });

  it('closing the main window hides it; Quit signs out first and then really quits', async () => {
    main.close();
    expect(main.destroyed).toBe(false);
    expect(main.visible).toBe(false);

    const done = once(app, 'quit');
    (trayMenu().find((i) => i.id === 'quit')!.click as () => void)();
    await done;
    expect(app.quitCalls).toBe(2);
    expect(Tray.all[0]!.destroyed).toBe(true);
    expect(toast.destroyed).toBe(true);
  }, 20_000);
});
