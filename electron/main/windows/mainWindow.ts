/**
 * The main window (accounts, history, settings). Closing it hides it to the tray; only Quit
 * really quits. Single instance: a second launch asks this one to show its window.
 */
import type { App, BrowserWindow, WebContents } from 'electron';
import { systemClock, type Clock, type Logger } from '../../core/deps.js';
import type { AppPages } from '../pages.js';
import { createSecureWindow } from '../security.js';
import { watchRenderer } from './rendererWatch.js';

export interface MainWindowOptions {
  pages: AppPages;
  logger: Logger;
  /** True once the user chose Quit: then closing really closes. */
  isQuitting(): boolean;
  icon?: string;
  /** Told when the window is shown (the tray clears its missed count). */
  onShown?(): void;
  clock?: Clock;
}

export class MainWindow {
  readonly window: BrowserWindow;
  /**
   * Kept from creation: Electron throws on `window.webContents` once the window is destroyed
   * (during quit, for one), while the WebContents itself still answers `isDestroyed()`.
   */
  readonly webContents: WebContents;
  private readonly log: Logger;
  private painted = false;
  private showWhenPainted = false;

  constructor(private readonly opts: MainWindowOptions) {
    this.log = opts.logger.child('mainWindow');
    this.window = createSecureWindow({
      title: 'Softphone',
      width: 960,
      height: 680,
      minWidth: 560,
      minHeight: 420,
      show: false,
      autoHideMenuBar: true,
      ...(opts.icon ? { icon: opts.icon } : {}),
      preload: opts.pages.preload,
    });
    this.webContents = this.window.webContents;
    this.window.on('close', (event) => {
      if (this.opts.isQuitting()) return;
      event.preventDefault();
      this.window.hide();
    });
    this.window.on('show', () => this.opts.onShown?.());
    this.window.once('ready-to-show', () => {
      this.painted = true;
      if (this.showWhenPainted) this.show();
    });
    this.webContents.once('did-fail-load', () => {
      // Never leave a requested window unshown because its page failed.
      this.painted = true;
      if (this.showWhenPainted) this.show();
    });
    watchRenderer(this.webContents, {
      name: 'main window',
      logger: this.log,
      clock: opts.clock ?? systemClock,
      reload: () => void this.load(),
    });
    void this.load();
  }

  /** Brings the window up: a user asked for it (tray, second launch, notification click). */
  show(): void {
    if (this.window.isDestroyed()) return;
    if (!this.painted) {
      // Shown on its first paint instead of as an empty frame.
      this.showWhenPainted = true;
      return;
    }
    if (this.window.isMinimized()) this.window.restore();
    this.window.show();
    this.window.focus();
  }

  destroy(): void {
    if (!this.window.isDestroyed()) this.window.destroy();
  }

  private async load(): Promise<void> {
    const target = this.opts.pages.target('index');
    try {
      if ('url' in target) await this.window.loadURL(target.url);
      else await this.window.loadFile(target.file);
    } catch (err) {
      this.log.error('could not load the main page', { err });
    }
  }
}

/**
 * Takes the single-instance lock. Returns false when another instance holds it (this one
 * must quit); otherwise a later launch calls `onSecondInstance` here.
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'on'>,
  onSecondInstance: () => void,
): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => onSecondInstance());
  return true;
}
