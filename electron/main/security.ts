/**
 * The security baseline every window and the session get: sandboxed, isolated renderers with
 * no Node; no navigation, no new windows, no webviews; every permission denied; a strict CSP
 * on every document this app serves.
 */
import {
  BrowserWindow,
  type App,
  type BrowserWindowConstructorOptions,
  type Session,
  type WebContents,
} from 'electron';
import type { Logger } from '../core/deps.js';

export type SecureWindowOptions = Omit<BrowserWindowConstructorOptions, 'webPreferences'> & {
  /** The sandboxed preload (out/preload/index.cjs). */
  preload: string;
};

/**
 * The only place that creates a BrowserWindow: every window of the app gets these
 * webPreferences, spelled out here (also so static checkers such as electronegativity see
 * them), and a caller cannot pass others.
 */
export function createSecureWindow({ preload, ...options }: SecureWindowOptions): BrowserWindow {
  return new BrowserWindow({
    ...options,
    webPreferences: {
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
      // Middle-click must not open anything (window.open is denied anyway).
      disableBlinkFeatures: 'Auxclick',
      // The spell checker downloads dictionaries from a Google CDN: nothing to spell-check here.
      spellcheck: false,
    },
  });
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

/**
 * Denies every permission request and check. The built app's pages (file://) also get the
 * CSP as a response header on every document, on top of their <meta> CSP: no inline or
 * eval'd script, nothing remote. Under the dev server (`electron-vite dev`) the pages' own
 * meta CSP, which the renderer build widens for HMR in `serve` only, is left to apply alone.
 */
export function hardenSession(session: Session, opts: SessionSecurityOptions): void {
  const log = opts.logger;
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn('denied a permission request', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  if (opts.devServerUrl) return;
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') {
      callback({});
      return;
    }
    const headers = withoutCsp(details.responseHeaders);
    callback({
      responseHeaders: {
        ...headers,
        'Content-Security-Policy': [
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
        ],
      },
    });
  });
}

function withoutCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  return out;
}

/**
 * App-wide: sandbox every renderer (call before `ready`), and harden every webContents the
 * moment it exists, whoever created it.
 */
export function enableAppSecurity(app: App, logger: Logger, isAppUrl: (url: string) => boolean): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, logger, isAppUrl));
}
