/**
 * The real desktop app under Playwright's `_electron`: built main + preload + renderer,
 * demo mode (embedded simulator). With the main window focused, an invitation rings; its toast
 * appears in the toast window and the window that had focus keeps it (an assertion that fails
 * if the toast ever steals focus — not `focused: false` on a window that cannot be focused);
 * Decline ends it.
 *
 * It needs an Electron binary: ELECTRON_OVERRIDE_DIST_PATH (a directory holding `electron`),
 * or a normal install (node_modules/electron/path.txt + dist/). Without one it is skipped and
 * says why — it never triggers a download (the binary is looked up here, not by requiring
 * the `electron` package, whose index.js downloads a missing binary).
 * On Linux without a display, run it under `xvfb-run`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { SoftphoneBridge } from '../../electron/contract.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where an Electron binary is, or why there is none; mirrors node_modules/electron/index.js without downloading. */
function findElectron(): { path: string } | { missing: string } {
  const pkg = join(root, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  const relative = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, relative ?? 'electron');
    return existsSync(p) ? { path: p } : { missing: `ELECTRON_OVERRIDE_DIST_PATH is set but ${p} does not exist` };
  }
  if (relative && existsSync(join(pkg, 'dist', relative))) return { path: join(pkg, 'dist', relative) };
  return { missing: 'no Electron binary on this machine; set ELECTRON_OVERRIDE_DIST_PATH' };
}

const electron = findElectron();
const hasBinary = 'path' in electron;
const skipNote = 'missing' in electron ? ` (skipped: ${electron.missing})` : '';
// Say it where CI output shows it, not only in the skipped test's name.
if ('missing' in electron) console.warn(`electron e2e spec skipped: ${electron.missing}`);

describe('the desktop app under Playwright _electron', () => {
  let app: ElectronApplication | null = null;
  let userData: string | null = null;

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    if (userData) await rm(userData, { recursive: true, force: true });
  });

  it.skipIf(!hasBinary)(
    `launches the built app in demo mode, rings without taking focus from the focused window, and Decline ends it${skipNote}`,
    async () => {
      const main = join(root, 'out', 'main', 'index.js');
      if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
      userData = await mkdtemp(join(tmpdir(), 'softphone-e2e-'));

      app = await _electron.launch({
        args: [main],
        cwd: root,
        env: {
          ...process.env,
          // The test rings by hand once the main window has focus.
          SOFTPHONE_DEMO_FIRST_RING_MS: '3600000',
          SOFTPHONE_USER_DATA_DIR: userData,
          ELECTRON_ENABLE_LOGGING: '1',
        },
        timeout: 60_000,
      });

      // Demo mode opens the main window: give it focus, as the user's working window.
      const isMain = (p: Page) => p.url().endsWith('/index.html');
      const mainPage: Page = app.windows().find(isMain) ?? (await app.waitForEvent('window', { predicate: isMain }));
      await mainPage.waitForLoadState('domcontentloaded');
      const focusedBefore = await app.evaluate(async ({ BrowserWindow }) => {
        const w = BrowserWindow.getAllWindows().find((b) => b.webContents.getURL().endsWith('/index.html'))!;
        if (!w.isVisible()) await new Promise<void>((r) => w.once('show', () => r()));
        if (!w.isFocused()) {
          const focused = new Promise<void>((r) => w.once('focus', () => r()));
          w.focus();
          await focused;
        }
        return BrowserWindow.getFocusedWindow()?.id ?? null;
      });
      expect(focusedBefore).not.toBeNull();

      // Ring from the main window (it may call simulate; the toast may not).
      await mainPage.evaluate(async () => {
        const bridge = (window as unknown as { softphone: SoftphoneBridge }).softphone;
        await bridge.simulate('phoneAudio');
      });

      const isToast = (p: Page) => p.url().endsWith('/toast.html');
      const toast: Page = app.windows().find(isToast) ?? (await app.waitForEvent('window', { predicate: isToast }));

      const dialog = toast.getByRole('alertdialog').first();
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      expect((await dialog.getByRole('heading').textContent())?.trim()).not.toBe('');

      // Shown and on top — and the window that had focus still has it.
      const state = await app.evaluate(({ BrowserWindow }) => {
        const w = BrowserWindow.getAllWindows().find((b) => b.webContents.getURL().endsWith('/toast.html'))!;
        return {
          visible: w.isVisible(),
          onTop: w.isAlwaysOnTop(),
          focusedId: BrowserWindow.getFocusedWindow()?.id ?? null,
        };
      });
      expect(state).toEqual({ visible: true, onTop: true, focusedId: focusedBefore });

      await dialog.getByRole('button', { name: 'Decline', exact: true }).click();
      await toast.getByRole('alertdialog').first().waitFor({ state: 'detached', timeout: 20_000 });

      const history = await toast.evaluate(async () => {
        const bridge = (window as unknown as { softphone: SoftphoneBridge }).softphone;
        return (await bridge.snapshot()).history;
      });
      expect(history[0]?.outcome).toBe('declined');
    },
    120_000,
  );
});
