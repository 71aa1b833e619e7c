import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { Session, WebContents } from 'electron';
import {
  createSecureWindow,
  enableAppSecurity,
  hardenSession,
  hardenWebContents,
} from '../../electron/main/security.js';
import { claimSingleInstance, MainWindow } from '../../electron/main/windows/mainWindow.js';
import { ToastWindow } from '../../electron/main/windows/toastWindow.js';
import { createAppPages } from '../../electron/main/pages.js';
import { app, BrowserWindow, FakeSession, FakeWebContents, resetFakes } from './fakeElectron.js';
import { builtPages, recordingLogger } from './helpers.js';

beforeEach(() => resetFakes());

const SECURE = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
} as const;

/** Exactly what every window must run with. */
function expectedPreferences(preload: string) {
  return {
    preload,
    ...SECURE,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
    spellcheck: false,
  };
}

describe('webPreferences of every window', () => {
  it('createSecureWindow isolates, sandboxes and keeps Node out, whatever the caller passes', () => {
    createSecureWindow({
      preload: '/p/index.cjs',
      title: 'x',
      // A caller smuggling its own preferences past the type gets them replaced.
      ...({ webPreferences: { nodeIntegration: true, sandbox: false, contextIsolation: false } } as object),
    });
    const w = BrowserWindow.all[0]!;
    expect(w.options.title).toBe('x');
    expect(w.options.webPreferences).toEqual(expectedPreferences('/p/index.cjs'));
  });

  it('the main window and the toast window both get exactly those preferences', () => {
    const pages = builtPages();
    new MainWindow({ pages, logger: recordingLogger(), isQuitting: () => false });
    new ToastWindow({ pages, logger: recordingLogger(), platform: 'linux' });
    expect(BrowserWindow.all).toHaveLength(2);
    for (const w of BrowserWindow.all) {
      expect(w.options.webPreferences).toEqual(expectedPreferences(pages.preload));
      expect(String(w.options.webPreferences?.preload)).toMatch(/out\/preload\/index\.cjs$/);
    }
  });
});

describe('the main window', () => {
  it('loads index.html, starts hidden, and hides to the tray on close until Quit', () => {
    let quitting = false;
    const mw = new MainWindow({ pages: builtPages(), logger: recordingLogger(), isQuitting: () => quitting });
    const win = BrowserWindow.all[0]!;
    expect(win.options.show).toBe(false);
    expect(win.loaded).toEqual({ file: '/opt/softphone/resources/app/out/renderer/index.html' });

    win.emit('ready-to-show');
    mw.show();
    win.close();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);

    quitting = true;
    win.close();
    expect(win.destroyed).toBe(true);
  });

  it('shows on its first paint when asked before it painted, then raises and focuses on request', () => {
    const seen: number[] = [];
    const mw = new MainWindow({
      pages: builtPages(),
      logger: recordingLogger(),
      isQuitting: () => false,
      onShown: () => seen.push(1),
    });
    const win = BrowserWindow.all[0]!;
    mw.show();
    expect(win.called('show')).toHaveLength(0);
    win.emit('ready-to-show');
    expect(win.called('show')).toHaveLength(1);
    expect(seen).toHaveLength(1);
    win.minimized = true;
    mw.show();
    expect(win.called('restore')).toHaveLength(1);
    expect(win.called('focus')).toHaveLength(2);
  });

  it('single instance: a second launch shows the running window; a second process quits', () => {
    let shown = 0;
    expect(claimSingleInstance(app as never, () => shown++)).toBe(true);
    app.emit('second-instance', {}, ['softphone'], '/');
    expect(shown).toBe(1);
    app.removeAllListeners('second-instance');

    app.singleInstance = false;
    expect(claimSingleInstance(app as never, () => shown++)).toBe(false);
    app.singleInstance = true;
  });
});

describe('navigation, new windows and webviews', () => {
  function hardened() {
    const wc = new FakeWebContents();
    const log = recordingLogger();
    hardenWebContents(wc as unknown as WebContents, log, builtPages().isAppUrl);
    return { wc, log };
  }

  it('prevents every will-navigate and will-redirect', () => {
    const { wc, log } = hardened();
    for (const ev of ['will-navigate', 'will-redirect']) {
      let prevented = false;
      wc.emit(ev, { preventDefault: () => (prevented = true) }, 'https://evil.example/');
      expect(prevented).toBe(true);
    }
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('denies window.open', () => {
    const { wc } = hardened();
    expect(wc.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('refuses <webview> and subframe navigation away from the app', () => {
    const { wc } = hardened();
    let prevented = 0;
    wc.emit('will-attach-webview', { preventDefault: () => prevented++ });
    wc.emit('will-frame-navigate', { url: 'https://evil.example/', preventDefault: () => prevented++ });
    wc.emit('will-frame-navigate', {
      url: 'file:///opt/softphone/resources/app/out/renderer/toast.html',
      preventDefault: () => prevented++,
    });
    expect(prevented).toBe(2);
  });

  it('app-wide: enables the sandbox and hardens every webContents as soon as it is created', () => {
    enableAppSecurity(app as never, recordingLogger(), builtPages().isAppUrl);
    expect(app.sandboxEnabled).toBe(true);
    const wc = new FakeWebContents();
    app.emit('web-contents-created', {}, wc);
    expect(wc.windowOpenHandler?.({ url: 'x' })).toEqual({ action: 'deny' });
    app.removeAllListeners('web-contents-created');
  });
});

describe('the session', () => {
  function hardenedSession(devServerUrl?: string) {
    const s = new FakeSession();
    hardenSession(s as unknown as Session, { logger: recordingLogger(), devServerUrl });
    return s;
  }

  it('denies every permission request and every permission check', () => {
    const s = hardenedSession();
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const answers: boolean[] = [];
      s.permissionRequestHandler?.({}, permission, (ok) => answers.push(ok));
      expect(answers).toEqual([false]);
      expect(s.permissionCheckHandler?.({}, permission, 'file://', {})).toBe(false);
    }
  });

  it('puts the strict CSP header on every document, replacing any other', () => {
    const s = hardenedSession();
    let result: { responseHeaders?: Record<string, string[]> } = {};
    s.headersListener?.(
      { resourceType: 'mainFrame', responseHeaders: { 'content-security-policy': ['default-src *'], 'x-a': ['1'] } },
      (r) => (result = r as typeof result),
    );
    expect(Object.keys(result.responseHeaders ?? {})).toEqual(['x-a', 'Content-Security-Policy']);
    const csp = result.responseHeaders!['Content-Security-Policy']![0]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('leaves non-document responses (the engine’s HTTP, scripts) untouched', () => {
    const s = hardenedSession();
    let result: unknown = null;
    s.headersListener?.({ resourceType: 'xhr', responseHeaders: { a: ['1'] } }, (r) => (result = r));
    expect(result).toEqual({});
  });

  it('under the dev server adds no header: the pages’ own (HMR-widened) meta CSP applies', () => {
    const s = hardenedSession('http://localhost:5173');
    expect(s.headersListener).toBeNull();
    expect(s.permissionCheckHandler?.({}, 'media', 'http://localhost:5173', {})).toBe(false);
  });
});

describe('which URLs are the app’s own pages', () => {
  const pages = builtPages();

  it('accepts the two built pages, with or without a query or hash', () => {
    expect(pages.isAppUrl('file:///opt/softphone/resources/app/out/renderer/index.html')).toBe(true);
    expect(pages.isAppUrl('file:///opt/softphone/resources/app/out/renderer/toast.html?x=1#y')).toBe(true);
  });

  it('rejects other files, other directories, traversal and remote origins', () => {
    for (const url of [
      'file:///opt/softphone/resources/app/out/renderer/other.html',
      'file:///opt/softphone/resources/app/out/renderer/assets/index.html',
      'file:///opt/softphone/resources/app/out/renderer/../main/index.html',
      'file:///opt/softphone/resources/app/out/renderer/%2e%2e/x/index.html',
      'file:///tmp/index.html',
      'file://evil.example/opt/softphone/resources/app/out/renderer/index.html',
      'https://evil.example/index.html',
      'http://localhost:5173/index.html',
      'about:blank',
      'not a url',
    ]) {
      expect(pages.isAppUrl(url), url).toBe(false);
    }
  });

  it('in development accepts the dev server origin only, and only a loopback one', () => {
    const dev = createAppPages({ mainDir: '/w/out/main', devServerUrl: 'http://localhost:5173' });
    expect(dev.isAppUrl('http://localhost:5173/toast.html')).toBe(true);
    expect(dev.isAppUrl('http://localhost:5174/toast.html')).toBe(false);
    expect(dev.isAppUrl('file:///w/out/renderer/index.html')).toBe(false);
    expect(dev.target('toast')).toEqual({ url: 'http://localhost:5173/toast.html' });
    expect(() => createAppPages({ mainDir: '/w/out/main', devServerUrl: 'http://example.com:5173' })).toThrow(
      /loopback/,
    );
  });
});
