/**
 * How the desktop app starts: login start or not (macOS reports its own), whether a tray host
 * exists, when the main window shows — and that a keyring prompt cannot keep the app from
 * coming up (secrets are decrypted per account as it starts, not before any UI exists).
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { SoftphoneApp } from '../../electron/app/app.js';
import { systemClock } from '../../electron/core/deps.js';
import { silentLogger } from '../../electron/core/log.js';
import { SafeStorageVault, type SafeStorageLike } from '../../electron/main/secrets.js';
import { hasTrayHost, isLoginStart, showAtStart } from '../../electron/main/startup.js';
import { startDemoBackend } from '../../electron/simulator/demo.js';
import { app, resetFakes, safeStorage } from './fakeElectron.js';

beforeEach(() => {
  resetFakes();
  app.fireReady();
  app.loginItemSettings = { openAtLogin: false, wasOpenedAtLogin: false };
});

describe('login start', () => {
  it('is --hidden on any OS, and on macOS what the OS says (login items get no arguments there)', () => {
    expect(isLoginStart(['/opt/softphone', '--hidden'], 'linux', app)).toBe(true);
    expect(isLoginStart(['C:\\softphone.exe', '--hidden'], 'win32', app)).toBe(true);
    expect(isLoginStart(['/Applications/Softphone.app'], 'darwin', app)).toBe(false);
    app.loginItemSettings = { openAtLogin: true, wasOpenedAtLogin: true };
    expect(isLoginStart(['/Applications/Softphone.app'], 'darwin', app)).toBe(true);
    expect(isLoginStart(['/opt/softphone'], 'linux', app)).toBe(false);
  });
});

describe('tray host', () => {
  it('exists on Windows and macOS; on Linux only while a StatusNotifierWatcher owns its bus name', async () => {
    const never = () => Promise.reject(new Error('not asked'));
    expect(await hasTrayHost('win32', never)).toBe(true);
    expect(await hasTrayHost('darwin', never)).toBe(true);
    const asked: string[][] = [];
    expect(
      await hasTrayHost('linux', async (file, args) => {
        asked.push([file, ...args]);
        return '(true,)\n';
      }),
    ).toBe(true);
    expect(asked[0]).toContain('org.kde.StatusNotifierWatcher');
    expect(await hasTrayHost('linux', async () => '(false,)\n')).toBe(false); // GNOME without AppIndicator
    expect(await hasTrayHost('linux', () => Promise.reject(new Error('spawn gdbus ENOENT')))).toBe(false);
  });
});

describe('the main window at start', () => {
  it('shows on a start by the user, and on a login start only when there is no tray to live in', () => {
    expect(showAtStart({ loginStart: false, trayHost: true, requested: false })).toBe(true);
    expect(showAtStart({ loginStart: true, trayHost: true, requested: false })).toBe(false);
    expect(showAtStart({ loginStart: true, trayHost: false, requested: false })).toBe(true);
    expect(showAtStart({ loginStart: true, trayHost: true, requested: true })).toBe(true);
  });
});

describe('secrets at start', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-start-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  function create(storage: SafeStorageLike) {
    return SoftphoneApp.create({
      dataDir,
      clock: systemClock,
      logger: silentLogger,
      vault: new SafeStorageVault({ path: join(dataDir, 'secrets.json'), safeStorage: storage, logger: silentLogger }),
      // Nothing is reachable: the accounts only have to start.
      fetchFor: () => () => Promise.reject(new TypeError('fetch failed')),
      startDemo: () => startDemoBackend({ firstRingAfterMs: 3_600_000 }),
    });
  }

  it('the app comes up while the keyring prompt is still open; nothing is decrypted before it is up', async () => {
    const first = await create(safeStorage);
    for (const id of ['a1', 'a2'])
      await first.saveAccount({
        account: {
          id,
          provider: 'ucwa',
          sipAddress: `${id}@contoso.com`,
          username: id,
          discoveryUrl: 'http://127.0.0.1:9/',
        },
        secret: `pw-${id}`,
      });
    await first.stop();

    const asked: Buffer[] = [];
    const promptOpen: SafeStorageLike = {
      isAsyncEncryptionAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptStringAsync: (s) => safeStorage.encryptStringAsync(s),
      decryptStringAsync: (b) => {
        asked.push(b);
        return new Promise(() => undefined); // the user has not answered the keyring prompt
      },
    };
    const second = await create(promptOpen);
    expect(second.snapshot().accountConfigs.map((a) => [a.id, a.hasSecret])).toEqual([
      ['a1', true],
      ['a2', true],
    ]);
    // Nothing was decrypted to get here: each provider asks for its secret when it signs in.
    expect(asked).toHaveLength(0);
    void second.stop();
  });
});
