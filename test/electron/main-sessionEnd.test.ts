/**
 * The composed app when the OS ends the session (macOS logout order): 'shutdown' first, then
 * the OS asks the app to quit. The quit must go through at once — never prevented, which
 * macOS reports as "the app interrupted logout" — while the sign-out still goes out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { app, BrowserWindow, net, powerMonitor, resetFakes } from './fakeElectron.js';

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

describe('the desktop app at logout / shutdown', () => {
  it('signs out and lets the OS quit it without preventing before-quit', async () => {
    // Signed in first: the demo UCWA account has an application to delete.
    const main = BrowserWindow.all[1]!;
    await vi.waitFor(
      () =>
        expect(
          main.contentsForTest.sent.some(
            ([, e]) =>
              (e as { type: string; accountId?: string; state?: string }).type === 'account' &&
              (e as { accountId: string }).accountId === 'demo-ucwa' &&
              (e as { state: string }).state === 'connected',
          ),
        ).toBe(true),
      { timeout: 20_000 },
    );
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
