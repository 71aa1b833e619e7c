/**
 * The security baseline every window and the session get: sandboxed, isolated renderers with
 * no Node; no navigation, no new windows, no webviews; every permission denied; a strict CSP
 * on every document this app serves.
 */
import type { App, Session, WebContents, WebPreferences } from 'electron';
import type { Logger } from '../core/deps.js';

/** webPreferences for every window of this app. Callers only choose the preload. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // The spell checker downloads dictionaries from a Google CDN: nothing to spell-check here.
    spellcheck: false,
  };
}

/**
 * The Content-Security-Policy of the app's pages. No inline or eval'd script, ever, in the
 * built app; the dev server (React refresh preamble, HMR socket) needs a looser one.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const common = [
    "default-src 'none'",
    "img-src 'self' data:",
    "font-src 'self'",
    "media-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ];
  if (!devServerUrl) {
    return [...common, "script-src 'self'", "style-src 'self'", "connect-src 'self'"].join('; ');
  }
  const ws = devServerUrl.replace(/^http/, 'ws');
  return [
    ...common,
    // Development only: @vitejs/plugin-react injects an inline refresh preamble.
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${ws}`,
  ].join('; ');
}

/** Navigation, window.open and <webview> are refused for every webContents of the app. */
export function hardenWebContents(contents: WebContents, logger: Logger, isAppUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    logger.warn('blocked a navigation', { url });
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    logger.warn('blocked a redirect', { url });
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) {
      event.preventDefault();
      logger.warn('blocked a frame navigation', { url: event.url });
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    logger.warn('blocked window.open', { url });
    return { action: 'deny' };
  });
}

export interface SessionSecurityOptions {
  logger: Logger;
  devServerUrl?: string | undefined;
}

/** Denies every permission request and check, and adds the CSP header to every document. */
export function hardenSession(session: Session, opts: SessionSecurityOptions): void {
  const log = opts.logger;
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn('denied a permission request', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  const csp = contentSecurityPolicy(opts.devServerUrl);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') {
      callback({});
      return;
    }
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-security-policy') delete headers[k];
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}

/**
 * App-wide: sandbox every renderer (call before `ready`), and harden every webContents the
 * moment it exists, whoever created it.
 */
export function enableAppSecurity(app: App, logger: Logger, isAppUrl: (url: string) => boolean): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, logger, isAppUrl));
}
