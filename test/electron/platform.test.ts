import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { applyLoginItem, autostartEntry, desktopExecArg } from '../../electron/main/loginItem.js';
import { createNetFetch } from '../../electron/main/netFetch.js';
import { createFileLogger } from '../../electron/main/fileLogger.js';
import { app, net, resetFakes } from './fakeElectron.js';
import { recordingLogger } from './helpers.js';

let dir: string;
beforeEach(async () => {
  resetFakes();
  app.isPackaged = true;
  app.loginItem = null;
  dir = await mkdtemp(join(tmpdir(), 'platform-'));
});
afterEach(async () => {
  app.isPackaged = false;
  await rm(dir, { recursive: true, force: true });
});

describe('start at login', () => {
  const deps = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => ({
    app,
    platform,
    env: { XDG_CONFIG_HOME: join(dir, 'config'), ...env },
    execPath: '/opt/Soft Phone/softphone',
    logger: recordingLogger(),
  });

  it('on Linux writes an XDG autostart entry that starts hidden, and removes it again', async () => {
    await applyLoginItem(true, deps('linux'));
    const file = join(dir, 'config', 'autostart', 'softphone.desktop');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec="/opt/Soft Phone/softphone" --hidden');
    await applyLoginItem(false, deps('linux'));
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('an AppImage registers the image itself, not its temporary mount', async () => {
    await applyLoginItem(true, deps('linux', { APPIMAGE: '/home/u/Softphone.AppImage' }));
    const text = await readFile(join(dir, 'config', 'autostart', 'softphone.desktop'), 'utf8');
    expect(text).toContain('Exec=/home/u/Softphone.AppImage --hidden');
  });

  it('on Windows and macOS uses the login-item API with --hidden', async () => {
    await applyLoginItem(true, deps('win32'));
    expect(app.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'] });
    await applyLoginItem(false, deps('darwin'));
    expect(app.loginItem).toEqual({ openAtLogin: false, args: ['--hidden'] });
  });

  it('on macOS checks the registration and says how to approve it when the OS has not enabled it', async () => {
    const d = deps('darwin');
    app.loginItemSettings = { openAtLogin: true, wasOpenedAtLogin: false, status: 'requires-approval' };
    await applyLoginItem(true, d);
    const warning = d.logger.lines.find((l) => l.level === 'warn');
    expect(warning?.fields).toMatchObject({ status: 'requires-approval', fix: expect.stringMatching(/Login Items/) });
    app.loginItemSettings = { openAtLogin: true, wasOpenedAtLogin: false, status: 'enabled' };
    const ok = deps('darwin');
    await applyLoginItem(true, ok);
    expect(ok.logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a development run never registers itself', async () => {
    app.isPackaged = false;
    await applyLoginItem(true, deps('win32'));
    expect(app.loginItem).toBeNull();
  });

  it('quotes Exec arguments as the Desktop Entry spec requires', () => {
    expect(desktopExecArg('/usr/bin/softphone')).toBe('/usr/bin/softphone');
    expect(desktopExecArg('/a b/$x"y')).toBe('"/a b/\\$x\\"y"');
    expect(autostartEntry('/x')).toMatch(/^Exec=\/x --hidden$/m);
  });
});

describe('engine HTTP through net.request', () => {
  it('every request goes through Electron net (system proxy, OS certificate store)', async () => {
    app.fireReady();
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const f = createNetFetch(net);
      const res = await f(new URL(`${base}/ucwa/x`), { method: 'POST', body: 'b' });
      expect(await res.text()).toBe('POST /ucwa/x');
      expect(net.calls.map((c) => c[0])).toEqual([`${base}/ucwa/x`]);
      expect(net.calls[0]![1]).toMatchObject({ method: 'POST' });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the log file', () => {
  it('goes to logs/softphone.log and never contains a secret', async () => {
    const fl = createFileLogger(join(dir, 'logs'));
    fl.logger.child('ucwa').warn('sign-in failed', { username: 'u', password: 'hunter2', authorization: 'Bearer abc' });
    await fl.close();
    const text = await readFile(join(dir, 'logs', 'softphone.log'), 'utf8');
    expect(text).toContain('sign-in failed');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('Bearer abc');
  });
});

describe('the committed icons (scripts/make-icons.mjs)', () => {
  const assets = resolve(dirname(fileURLToPath(import.meta.url)), '../../assets');
  const size = (name: string) => {
    const png = readFileSync(join(assets, name));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    return [png.readUInt32BE(16), png.readUInt32BE(20)];
  };

  it('has a 512×512 app icon', () => {
    expect(size('icon.png')).toEqual([512, 512]);
  });

  it('has every tray variant at 16 px and @2x 32 px', () => {
    for (const v of ['tray', 'tray-dnd', 'tray-badge', 'tray-dnd-badge', 'tray-ringing']) {
      expect(size(`${v}.png`), v).toEqual([16, 16]);
      expect(size(`${v}@2x.png`), v).toEqual([32, 32]);
    }
  });
});
