/**
 * The stand-in Electron behaves like Electron 45 where the main process depends on it; these
 * tests pin each behaviour (from electron.d.ts and Electron's own sources), so that a green
 * main-process test means the real thing would behave the same way.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  app,
  BrowserWindow,
  nativeImage,
  net,
  powerMonitor,
  resetFakes,
  safeStorage,
  screen,
  Tray,
  type FakeClientRequest,
} from './fakeElectron.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { Location: '/target' });
      res.end();
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

beforeEach(() => resetFakes());

describe('before ready (these run first: the fake app starts not ready, like Electron)', () => {
  it('net.fetch and net.request are unusable', () => {
    expect(app.isReady()).toBe(false);
    expect(() => net.fetch(`${base}/x`)).toThrow(/when app is ready/);
    expect(() => net.request(`${base}/x`)).toThrow(/only be used after app is ready/);
  });

  it('safeStorage reports no encryption and refuses to encrypt or decrypt', async () => {
    expect(await safeStorage.isAsyncEncryptionAvailable()).toBe(false);
    await expect(safeStorage.encryptStringAsync('x')).rejects.toThrow(/before app is ready/);
    await expect(safeStorage.decryptStringAsync(Buffer.from('v11xxxx'))).rejects.toThrow(/before app is ready/);
  });
});

describe('after ready', () => {
  beforeAll(() => app.fireReady());

  it('net.fetch in manual mode rejects a redirect with "Redirect was cancelled" (never returns the 3xx)', async () => {
    await expect(net.fetch(`${base}/moved`, { redirect: 'manual' })).rejects.toThrow('Redirect was cancelled');
    const followed = await net.fetch(`${base}/moved`);
    expect(await followed.text()).toBe('GET /target ');
  });

  it('net.request in manual mode emits redirect with the status and target; unanswered, it fails as Electron does', async () => {
    const req = net.request({ url: `${base}/moved`, redirect: 'manual' });
    const seen: unknown[] = [];
    req.on('redirect', (...args: unknown[]) => seen.push(args));
    const failed = once(req, 'error');
    req.end();
    const [err] = (await failed) as [Error];
    expect(err.message).toBe('Redirect was cancelled');
    expect(seen).toEqual([[302, 'GET', `${base}/target`, expect.objectContaining({ location: ['/target'] })]]);
  });

  it('net.request: abort() inside the redirect listener ends it quietly; followRedirect() follows', async () => {
    const aborted: FakeClientRequest = net.request({ url: `${base}/moved`, redirect: 'manual' });
    aborted.on('redirect', () => aborted.abort());
    aborted.on('error', () => expect.fail('an aborted request must not fail'));
    const abortEvent = once(aborted, 'abort');
    aborted.end();
    await abortEvent;

    const followed = net.request({ url: `${base}/moved`, redirect: 'manual', method: 'POST' });
    followed.on('redirect', () => followed.followRedirect());
    const response = once(followed, 'response');
    followed.end('body');
    const [res] = (await response) as [NodeJS.ReadableStream & { statusCode: number }];
    let text = '';
    for await (const c of res) text += String(c);
    expect(res.statusCode).toBe(200);
    expect(text).toBe('GET /target '); // 302 after POST becomes GET, as browsers do
  });

  it('safeStorage is available after ready; blobs are v11 from the keyring, v10 under the Linux fallback key', async () => {
    expect(await safeStorage.isAsyncEncryptionAvailable()).toBe(true);
    const keyring = await safeStorage.encryptStringAsync('secret');
    expect(keyring.subarray(0, 3).toString()).toBe('v11');
    safeStorage.linuxFallbackKey = true;
    // The dangerous part: nothing else tells the fallback apart.
    expect(await safeStorage.isAsyncEncryptionAvailable()).toBe(true);
    expect(safeStorage.getSelectedStorageBackend()).toBe('gnome_libsecret');
    const fallback = await safeStorage.encryptStringAsync('secret');
    expect(fallback.subarray(0, 3).toString()).toBe('v10');
    expect((await safeStorage.decryptStringAsync(fallback)).result).toBe('secret');
  });
});

describe('app.quit()', () => {
  beforeAll(() => app.fireReady());

  it('closes every window, then emits will-quit and quit; a close handler that prevents it cancels the quit', () => {
    const a = new BrowserWindow({});
    const b = new BrowserWindow({});
    let keep = true;
    b.on('close', (e: { preventDefault(): void }) => keep && e.preventDefault());
    const events: string[] = [];
    for (const name of ['before-quit', 'will-quit', 'quit']) app.on(name, () => events.push(name));
    a.on('closed', () => events.push('a closed'));

    app.quit();
    expect(events).toEqual(['before-quit', 'a closed']);
    expect(b.isDestroyed()).toBe(false);
    expect(app.exited).toBe(false);

    keep = false;
    app.quit();
    expect(events).toEqual(['before-quit', 'a closed', 'before-quit', 'will-quit', 'quit']);
    expect(b.isDestroyed()).toBe(true);
    expect(app.exited).toBe(true);
    app.quit(); // a quit after the end does nothing
    expect(events.filter((e) => e === 'quit')).toHaveLength(1);
    app.removeAllListeners();
  });
});

describe('BrowserWindow', () => {
  it('destroy() emits closed, and webContents then throws', () => {
    const w = new BrowserWindow({});
    const closed = once(w, 'closed');
    w.destroy();
    expect(w.isDestroyed()).toBe(true);
    expect(() => w.webContents).toThrow('Object has been destroyed');
    return closed;
  });

  it('a load emits did-finish-load, or did-fail-load and rejects', async () => {
    const ok = new BrowserWindow({});
    const finished = once(ok.webContents, 'did-finish-load');
    await ok.loadFile('/app/index.html');
    await finished;
    expect(ok.webContents.mainFrame.url).toBe('file:///app/index.html');

    BrowserWindow.failingLoads.add('http://localhost:5173/');
    const bad = new BrowserWindow({});
    const failed = once(bad.webContents, 'did-fail-load');
    await expect(bad.loadURL('http://localhost:5173/')).rejects.toThrow(/ERR_/);
    expect((await failed)[1]).toBe(-6);
  });
});

describe('screen', () => {
  it('emits display-added, display-removed and display-metrics-changed, and finds the nearest display', () => {
    const events: string[] = [];
    for (const e of ['display-added', 'display-removed', 'display-metrics-changed'])
      screen.on(e, (_ev: unknown, d: { id: number }) => events.push(`${e} ${d.id}`));
    const second = {
      id: 2,
      bounds: { x: 1920, y: 0, width: 1280, height: 1024 },
      workArea: { x: 1920, y: 0, width: 1280, height: 984 },
    };
    screen.addDisplay(second);
    expect(screen.getDisplayNearestPoint({ x: 5000, y: 10 }).id).toBe(2); // right of everything: nearest is 2
    expect(screen.getDisplayNearestPoint({ x: -50, y: 10 }).id).toBe(1);
    screen.changeDisplay(2, { workArea: { x: 1920, y: 0, width: 1280, height: 900 } });
    screen.removeDisplay(2);
    expect(events).toEqual(['display-added 2', 'display-metrics-changed 2', 'display-removed 2']);
    expect(screen.getDisplayNearestPoint({ x: 5000, y: 10 }).id).toBe(1);
  });
});

describe('Tray', () => {
  it('a left click follows the platform: none on Linux, click + menu on macOS, click only on Windows', () => {
    const clicks: string[] = [];
    const icon = nativeImage.createFromPath('/nonexistent.png');
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      Tray.platform = platform;
      const t = new Tray(icon);
      t.setContextMenu({ template: [] });
      t.on('click', () => clicks.push(platform));
      t.userClick();
      expect(t.menusShown, platform).toBe(platform === 'win32' ? 0 : 1);
    }
    expect(clicks).toEqual(['darwin', 'win32']);
  });
});

describe('nativeImage', () => {
  it('loads name@2x beside the file as the 2× representation; a missing file is an empty image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img-'));
    try {
      await writeFile(join(dir, 'a.png'), 'x');
      await writeFile(join(dir, 'a@2x.png'), 'x');
      await writeFile(join(dir, 'b.png'), 'x');
      expect(nativeImage.createFromPath(join(dir, 'a.png')).getScaleFactors()).toEqual([1, 2]);
      expect(nativeImage.createFromPath(join(dir, 'b.png')).getScaleFactors()).toEqual([1]);
      expect(nativeImage.createFromPath(join(dir, 'c.png')).isEmpty()).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('powerMonitor', () => {
  it('is an event emitter (shutdown, suspend, resume)', () => {
    let n = 0;
    powerMonitor.on('shutdown', () => n++);
    powerMonitor.emit('shutdown');
    expect(n).toBe(1);
  });
});
