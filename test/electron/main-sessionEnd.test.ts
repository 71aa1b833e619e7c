/**
 * The composed app when its toast page keeps crashing, and when the OS ends the session (macOS logout order): 'shutdown' first, then
 * the OS asks the app to quit. The quit must go through at once — never prevented, which
 * macOS reports as "the app interrupted logout" — while the sign-out still goes out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { app, BrowserWindow, ipcMain, net, Notification, powerMonitor, resetFakes } from './fakeElectron.js';

let userData: string;

beforeAll(async () => {
  resetFakes();
  userData = await mkdtemp(join(tmpdir(), 'softphone-session-end-'));
  process.env.SOFTPHONE_USER_DATA_DIR = userData;
  process.env.XDG_SESSION_TYPE = 'x11';
  process.env.SOFTPHONE_DEMO_FIRST_RING_MS = String(3_600_000);
  const mod = await import('../../electron/main/index.js');
  app.fireReady();
  await mod.started;
}, 30_000);

afterAll(async () => {
  delete process.env.SOFTPHONE_USER_DATA_DIR;
  delete process.env.SOFTPHONE_DEMO_FIRST_RING_MS;
  await rm(userData, { recursive: true, force: true });
});

/** Until the demo UCWA account is connected (pushed to the main window). */
async function signedIn(): Promise<void> {
  const main = BrowserWindow.all[1]!;
  await vi.waitFor(
    () =>
      expect(
        main.contentsForTest.sent.some(([, e]) => {
          const ev = e as { type: string; accountId?: string; state?: string };
          return ev.type === 'account' && ev.accountId === 'demo-ucwa' && ev.state === 'connected';
        }),
      ).toBe(true),
    { timeout: 20_000 },
  );
}

describe('the desktop app when the toast page keeps crashing', () => {
  it('stops reloading it and rings as OS notifications instead', async () => {
    const [toast, main] = BrowserWindow.all as [BrowserWindow, BrowserWindow];
    await signedIn();
    for (let i = 0; i < 4; i++) toast.contentsForTest.emit('render-process-gone', {}, { reason: 'crashed' });
    expect(toast.isDestroyed()).toBe(true);
    const simulate = ipcMain.handlers.get('softphone:simulate')!;
    await simulate(
      { sender: main.contentsForTest, senderFrame: main.contentsForTest.mainFrame },
      { kind: 'messaging' },
    );
    await vi.waitFor(() => expect(Notification.all.some((n) => n.shown)).toBe(true), { timeout: 10_000 });
  }, 20_000);
});

describe('the desktop app at logout / shutdown', () => {
  it('signs out and lets the OS quit it without preventing before-quit', async () => {
    await signedIn(); // the demo UCWA account has an application to delete
    let prevented = false;
    app.prependListener('before-quit', (e: { preventDefault(): void }) => {
      const orig = e.preventDefault;
      e.preventDefault = () => {
        prevented = true;
        orig();
      };
    });
    powerMonitor.emit('shutdown');
    app.quit(); // what macOS does next
    expect(prevented).toBe(false);
    expect(app.exited).toBe(true);
    expect(BrowserWindow.getAllWindows()).toEqual([]); // no window held the quit up
    await vi.waitFor(() => expect(net.calls.some(([, init]) => init?.method === 'DELETE')).toBe(true), {
      timeout: 10_000,
    });
  }, 30_000);
});
