/**
 * The toast window: one frameless, transparent, always-on-top window holding the stack of
 * ringing toasts. It never takes focus: it is created `focusable: false`, shown only with
 * `showInactive()`, and nothing here ever calls `focus()`. On macOS it is a non-activating
 * panel (`type: 'panel'`): it floats over full-screen apps and on every Space, and a click on
 * Decline does not activate the app — without `setVisibleOnAllWorkspaces`' default of turning
 * the app into a background-only app (gone from the Dock, ⌘-Tab and the menu bar;
 * electron/electron#26350), which `skipTransformProcessType` prevents. Its size is whatever
 * the renderer reports for its content (`softphone:toastSize`); it sits bottom-right of the
 * work area of the display under the mouse pointer — placed again when displays are added,
 * removed or change — and hides when nothing rings (height 0).
 */
import { screen, type BrowserWindow, type WebContents } from 'electron';
import type { Logger } from '../../core/deps.js';
import { systemClock, type Clock } from '../../core/deps.js';
import type { AppPages } from '../pages.js';
import { createSecureWindow } from '../security.js';
import { watchRenderer } from './rendererWatch.js';

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
 * (`--ozone-platform=x11` or `--ozone-platform-hint=x11`) behaves like X11 and keeps the
 * toast window. Electron 38+ picks Wayland by itself in a Wayland session (its platform hint
 * defaults to `auto`) and no longer reads the ELECTRON_OZONE_PLATFORM_HINT variable, so only
 * the command-line switches can force X11.
 */
export function isNativeWayland(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  switchValue: (name: 'ozone-platform' | 'ozone-platform-hint') => string,
): boolean {
  if (platform !== 'linux') return false;
  const forced = switchValue('ozone-platform');
  if (forced) return forced === 'wayland';
  if (switchValue('ozone-platform-hint') === 'x11') return false;
  // 'auto' (the default) and 'wayland' both use Wayland when a Wayland compositor is there.
  return env.XDG_SESSION_TYPE === 'wayland' || !!env.WAYLAND_DISPLAY;
}

export interface ToastWindowOptions {
  pages: AppPages;
  logger: Logger;
  platform?: NodeJS.Platform;
  clock?: Clock;
  /** The renderer keeps dying: the caller falls back (OS notifications). */
  onGiveUp?(): void;
}

const DISPLAY_EVENTS = ['display-added', 'display-removed', 'display-metrics-changed'] as const;

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
  private readonly replace = () => this.place();

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
      // macOS: a non-activating NSPanel (see the header).
      ...(platform === 'darwin' ? { type: 'panel' } : {}),
      preload: opts.pages.preload,
    });
    this.webContents = this.window.webContents;
    // 'screen-saver' keeps it above full-screen windows on macOS and Windows; X11 window
    // managers know only "above", which `alwaysOnTop` already asked for.
    if (platform === 'darwin' || platform === 'win32') this.window.setAlwaysOnTop(true, 'screen-saver');
    else this.window.setAlwaysOnTop(true);
    this.window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true, skipTransformProcessType: true });

    watchRenderer(this.webContents, {
      name: 'toast',
      logger: this.log,
      clock: opts.clock ?? systemClock,
      reload: () => {
        this.hide();
        void this.load();
      },
      onGiveUp: () => {
        this.hide();
        opts.onGiveUp?.();
      },
    });
    for (const e of DISPLAY_EVENTS) screen.on(e as 'display-added', this.replace);
    this.window.once('closed', () => {
      for (const e of DISPLAY_EVENTS) screen.removeListener(e as 'display-added', this.replace);
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
    this.place();
    if (!this.window.isVisible()) this.window.showInactive();
  }

  /** Bottom-right of the display under the pointer (again after displays came, went or changed). */
  private place(): void {
    if (this.window.isDestroyed()) return;
    const { width, height } = this.lastSize;
    if (width <= 0 || height <= 0) return;
    const display = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
    this.window.setBounds(toastBounds(display.workArea, this.lastSize));
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
