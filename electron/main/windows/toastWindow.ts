/**
 * The toast window: one frameless, transparent, always-on-top window holding the stack of
 * ringing toasts. It never takes focus: it is created `focusable: false`, shown only with
 * `showInactive()`, and nothing here ever calls `focus()`. Its size is whatever the renderer
 * reports for its content (`softphone:toastSize`); it sits bottom-right of the work area of
 * the display under the mouse pointer, and hides when nothing rings (height 0).
 */
import { screen, type BrowserWindow, type WebContents } from 'electron';
import type { Logger } from '../../core/deps.js';
import type { AppPages } from '../pages.js';
import { createSecureWindow } from '../security.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Gap between the toast stack and the edges of the work area, in DIP. */
export const TOAST_MARGIN = 12;
/** Width the window has before the renderer has measured anything. */
export const TOAST_DEFAULT_WIDTH = 380;

/**
 * Bounds of a toast stack of `size` in `workArea`: bottom-right, `margin` from both edges,
 * shrunk (never moved off-screen) when the content is larger than the work area allows.
 */
export function toastBounds(workArea: Rect, size: Size, margin = TOAST_MARGIN): Rect {
  const width = Math.max(1, Math.min(Math.round(size.width), workArea.width - 2 * margin));
  const height = Math.max(1, Math.min(Math.round(size.height), workArea.height - 2 * margin));
  return {
    x: Math.round(workArea.x + workArea.width - margin - width),
    y: Math.round(workArea.y + workArea.height - margin - height),
    width,
    height,
  };
}

/**
 * Native Wayland gives clients no way to keep a window above others or to place it, so the
 * toast window cannot work there: the caller falls back to OS notifications. XWayland
 * (`--ozone-platform=x11`, or the x11 hint) behaves like X11 and keeps the toast window.
 */
export function isNativeWayland(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  ozonePlatformSwitch: string,
): boolean {
  if (platform !== 'linux') return false;
  if (env.XDG_SESSION_TYPE !== 'wayland') return false;
  const forced = ozonePlatformSwitch || env.ELECTRON_OZONE_PLATFORM_HINT || '';
  return forced !== 'x11';
}

export interface ToastWindowOptions {
  pages: AppPages;
  logger: Logger;
  platform?: NodeJS.Platform;
}

export class ToastWindow {
  readonly window: BrowserWindow;
  /**
   * Kept from creation: Electron throws on `window.webContents` once the window is destroyed
   * (during quit, for one), while the WebContents itself still answers `isDestroyed()`.
   */
  readonly webContents: WebContents;
  private readonly log: Logger;
  private readonly pages: AppPages;
  private lastSize: Size = { width: 0, height: 0 };

  constructor(opts: ToastWindowOptions) {
    this.log = opts.logger.child('toast');
    this.pages = opts.pages;
    const platform = opts.platform ?? process.platform;
    this.window = createSecureWindow({
      title: 'Incoming invitations',
      show: false,
      frame: false,
      transparent: true,
      backgroundColor: '#00000000',
      hasShadow: false,
      alwaysOnTop: true,
      focusable: false,
      skipTaskbar: true,
      resizable: false,
      movable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      width: TOAST_DEFAULT_WIDTH,
      height: 1,
      useContentSize: true,
      preload: opts.pages.preload,
    });
    this.webContents = this.window.webContents;
    // 'screen-saver' keeps it above full-screen windows on macOS and Windows; X11 window
    // managers know only "above", which `alwaysOnTop` already asked for.
    if (platform === 'darwin' || platform === 'win32') this.window.setAlwaysOnTop(true, 'screen-saver');
    else this.window.setAlwaysOnTop(true);
    this.window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });

    this.webContents.on('render-process-gone', (_event, details) => {
      this.log.error('toast renderer is gone; reloading it', { reason: details.reason });
      this.hide();
      void this.load();
    });
    void this.load();
  }

  /** The renderer measured its toast stack: follow it, or hide when nothing rings. */
  resize(size: Size): void {
    if (this.window.isDestroyed()) return;
    this.lastSize = size;
    if (size.width <= 0 || size.height <= 0) {
      this.hide();
      return;
    }
    const display = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
    this.window.setBounds(toastBounds(display.workArea, size));
    if (!this.window.isVisible()) this.window.showInactive();
  }

  /** What the renderer last reported (0×0: nothing rings). */
  get size(): Size {
    return this.lastSize;
  }

  hide(): void {
    if (!this.window.isDestroyed() && this.window.isVisible()) this.window.hide();
  }

  destroy(): void {
    if (!this.window.isDestroyed()) this.window.destroy();
  }

  private async load(): Promise<void> {
    const target = this.pages.target('toast');
    try {
      if ('url' in target) await this.window.loadURL(target.url);
      else await this.window.loadFile(target.file);
    } catch (err) {
      this.log.error('could not load the toast page', { err });
    }
  }
}
