/**
 * The composition root of the desktop app. Glue only: it wires the engine (SoftphoneApp) to
 * the toast window, the main window, the tray and IPC. No protocol logic lives here.
 *
 * Environment:
 *   SOFTPHONE_USER_DATA_DIR  use another profile directory (tests; a second profile)
 *   ELECTRON_RENDERER_URL    set by `electron-vite dev`: load pages from the dev server
 *   --hidden                 start in the tray (what "start at login" passes)
 */
import { join } from 'node:path';
import {
  app,
  dialog,
  globalShortcut,
  ipcMain,
  Menu,
  net,
  Notification,
  powerMonitor,
  safeStorage,
  session,
  type WebContents,
} from 'electron';
import type { AppEvent } from '../contract.js';
import { SoftphoneApp } from '../app/app.js';
import { systemClock } from '../core/deps.js';
import { installProcessGuards } from '../core/processGuards.js';
import { startDemoBackend } from '../simulator/demo.js';
import { desktopFetchFor } from './accountFetch.js';
import { createFileLogger } from './fileLogger.js';
import { broadcast, registerIpc } from './ipc.js';
import type { WindowRole } from './ipcAccess.js';
import { applyLoginItem } from './loginItem.js';
import { createNetFetch } from './netFetch.js';
import { createAppPages } from './pages.js';
import { SafeStorageVault } from './secrets.js';
import { startShortcuts, type ShortcutRegistry } from './shortcuts.js';
import { enableAppSecurity, hardenSession } from './security.js';
import { SessionEnd } from './sessionEnd.js';
import { hasTrayHost, isLoginStart, showAtStart } from './startup.js';
import { TrayController } from './tray.js';
import { wireWake } from './wake.js';
import { claimSingleInstance, MainWindow } from './windows/mainWindow.js';
import { RingNotifications } from './windows/ringNotifications.js';
import { isNativeWayland, ToastWindow } from './windows/toastWindow.js';

const APP_ID = 'com.example.softphone';
/** How long Quit waits for the sign-out (UCWA DELETE application) before leaving anyway. */
const STOP_TIMEOUT_MS = 5_000;

if (process.env.SOFTPHONE_USER_DATA_DIR) app.setPath('userData', process.env.SOFTPHONE_USER_DATA_DIR);
const userData = app.getPath('userData');
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const pages = createAppPages({ mainDir: import.meta.dirname, devServerUrl });
// assets/ beside out/: the project root in development, the app archive when packaged.
const assetsDir = join(import.meta.dirname, '..', '..', 'assets');
const fileLog = createFileLogger(join(userData, 'logs'), { alsoStderr: !app.isPackaged });
const log = fileLog.logger;
installProcessGuards(process, log);

// Before `ready`: every renderer sandboxed, every webContents hardened as it is created.
enableAppSecurity(app, log, pages.isAppUrl);
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

let softphone: SoftphoneApp | null = null;
let mainWindow: MainWindow | null = null;
let toast: ToastWindow | null = null;
let tray: TrayController | null = null;
let unwireWake: (() => void) | null = null;
let notifications: RingNotifications | null = null;
let shortcuts: ShortcutRegistry | null = null;
let quitting = false;
let stopping = false;
let stopped = false;
let showRequested = false;
let sessionEnd: SessionEnd | null = null;

function showMainWindow(): void {
  if (mainWindow) mainWindow.show();
  else showRequested = true;
}

function ownWebContents(): WebContents[] {
  const all = [mainWindow?.webContents, toast?.webContents];
  return all.filter((wc): wc is WebContents => !!wc && !wc.isDestroyed());
}

/** Which of our windows sent an IPC call: each window gets its own channels (ipcAccess.ts). */
function roleOf(sender: WebContents): WindowRole | null {
  if (sender.isDestroyed()) return null;
  if (mainWindow && sender === mainWindow.webContents) return 'main';
  if (toast && sender === toast.webContents) return 'toast';
  return null;
}

/** Which AppEvents change what the tray shows. */
function affectsTray(event: AppEvent): boolean {
  return [
    'dnd',
    'invitation',
    'declining',
    'declineFailed',
    'forwardingCall',
    'forwardFailed',
    'ended',
    'accounts',
    'account',
    'forwarding',
  ].includes(event.type);
}

function applicationMenu(): Menu | null {
  // No menu bar on Windows/Linux (no DevTools or reload shortcuts in the product); macOS
  // needs one for the app menu and the clipboard shortcuts in the account form.
  if (process.platform !== 'darwin') return null;
  return Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }]);
}

async function start(): Promise<void> {
  await app.whenReady();
  const trayHostCheck = hasTrayHost(process.platform);
  log.info('starting', { version: app.getVersion(), electron: process.versions.electron, userData });
  hardenSession(session.defaultSession, { logger: log, devServerUrl });
  Menu.setApplicationMenu(applicationMenu());

  const vault = new SafeStorageVault({ path: join(userData, 'secrets.json'), safeStorage, logger: log });
  // Per account: Chromium's stack (proxy, OS store; 3xx handed back in manual mode), or Node's
  // with the account's own CA file.
  const fetchFor = desktopFetchFor({ netFetch: createNetFetch(net) });
  const sp = await SoftphoneApp.create({
    dataDir: userData,
    clock: systemClock,
    logger: log,
    vault,
    fetchFor,
    startDemo: () => startDemoBackend(demoOptions()),
  });
  softphone = sp;
  // Sleep, unlock and the network coming back: held P-GETs may be dead; every account re-listens.
  unwireWake = wireWake({ powerMonitor, net, wake: (reason) => sp.engine.wake(reason) });

  const wayland = isNativeWayland(process.platform, process.env, (name) => app.commandLine.getSwitchValue(name));
  if (wayland) log.info('native Wayland: incoming invitations show as OS notifications (no always-on-top there)');

  const handlers = sp.handlers({
    showMainWindow,
    toastSize: (size) => toast?.resize(size),
  });
  // Handlers exist before any page loads; every call is sender-checked and schema-validated.
  registerIpc({ ipcMain, handlers, logger: log.child('ipc'), roleOf, isAppUrl: pages.isAppUrl });

  const fail = (what: string) => (err: unknown) => log.warn(`${what} failed`, { err });
  tray = new TrayController({
    iconDir: assetsDir,
    logger: log,
    actions: {
      setDnd: (on) => void Promise.resolve(handlers['softphone:setDnd']({ on })).catch(fail('Do Not Disturb')),
      declineAll: () => void Promise.resolve(handlers['softphone:declineAll']({})).catch(fail('decline all')),
      showMainWindow,
      simulate: (kind) => void Promise.resolve(handlers['softphone:simulate']({ kind })).catch(fail('simulate')),
      quit: () => app.quit(),
      setDndUntil: (until) =>
        void Promise.resolve(handlers['softphone:setDnd']({ on: true, until })).catch(fail('Do Not Disturb')),
      setForwarding: (accountId, to) =>
        void Promise.resolve(handlers['softphone:setForwarding']({ accountId, to })).catch(fail('call forwarding')),
      menuWillShow: () =>
        void Promise.resolve(handlers['softphone:refreshForwarding'](undefined)).catch(fail('refresh')),
    },
  });

  const ringAsNotifications = () =>
    new RingNotifications({
      Notification,
      platform: process.platform,
      logger: log,
      decline: (id) => Promise.resolve(handlers['softphone:decline']({ id })),
      showMainWindow,
      onRinging: (ringing) => tray?.setAttention(ringing),
    });
  if (wayland) {
    notifications = ringAsNotifications();
  } else {
    toast = new ToastWindow({
      pages,
      logger: log,
      // The toast page keeps crashing: ring as OS notifications rather than not at all.
      onGiveUp: () => {
        log.error('the toast window is unusable; incoming invitations show as OS notifications');
        toast?.destroy();
        toast = null;
        notifications = ringAsNotifications();
        for (const r of sp.snapshot().ringing) notifications.ring(r.invitation);
      },
    });
  }
  mainWindow = new MainWindow({
    pages,
    logger: log,
    isQuitting: () => quitting,
    icon: join(assetsDir, 'icon.png'),
    onShown: () => tray?.markSeen(),
  });
  sessionEnd = watchSessionEnd();
  sessionEnd.watchWindow(mainWindow.window);

  sp.on((event) => {
    broadcast(ownWebContents(), event, log);
    notifications?.handle(event);
    if (affectsTray(event)) tray?.update(sp.snapshot());
    if (event.type === 'settings') void syncLoginItem(event.settings.startAtLogin);
  });

  shortcuts = startShortcuts({
    globalShortcut,
    host: sp,
    decline: (id) => Promise.resolve(handlers['softphone:decline']({ id })),
    declineAll: () => Promise.resolve(handlers['softphone:declineAll']({})),
    showMainWindow,
    logger: log.child('shortcuts'),
  });

  const snapshot = sp.snapshot();
  tray.update(snapshot);
  for (const r of snapshot.ringing) notifications?.ring(r.invitation);
  void syncLoginItem(snapshot.settings.startAtLogin);

  // Demo mode says what it is in the main window; with real accounts the app lives in the tray.
  // A start by the user shows the window; a login start lives in the tray — if there is one.
  const loginStart = isLoginStart(process.argv, process.platform, app);
  const trayHost = await trayHostCheck;
  if (!trayHost) log.info('no tray host (StatusNotifierWatcher) on this desktop: the window stays the way in');
  if (showAtStart({ loginStart, trayHost, requested: showRequested })) mainWindow.show();
  log.info('ready', { demo: snapshot.demo, wayland, accounts: snapshot.accountConfigs.length });
}

/** SOFTPHONE_DEMO_FIRST_RING_MS: when demo mode rings its first sample invitation (tests). */
function demoOptions(): { firstRingAfterMs?: number } {
  const raw = process.env.SOFTPHONE_DEMO_FIRST_RING_MS;
  if (raw === undefined) return {};
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) {
    log.warn('ignored SOFTPHONE_DEMO_FIRST_RING_MS: not a whole number of milliseconds', { value: raw });
    return {};
  }
  return { firstRingAfterMs: ms };
}

async function syncLoginItem(on: boolean): Promise<void> {
  try {
    await applyLoginItem(on, {
      app,
      platform: process.platform,
      env: process.env,
      execPath: process.execPath,
      logger: log,
    });
  } catch (err) {
    log.warn('could not change start at login', { err });
  }
}

/** Logout, restart, shutdown: sign out within a short bound and never block the OS. */
function watchSessionEnd(): SessionEnd {
  return new SessionEnd({
    platform: process.platform,
    powerMonitor,
    logger: log,
    clock: systemClock,
    signOut: () => softphone?.stop() ?? Promise.resolve(),
    onDone: () => {
      quitting = stopped = true;
      notifications?.closeAll();
      tray?.destroy();
      toast?.destroy();
      log.info('bye (session end)');
      void fileLog.close().finally(() => app.quit());
    },
  });
}

/** Quit signs every account out first (UCWA: DELETE the application), then really quits. */
app.on('before-quit', (event) => {
  quitting = true;
  if (stopped) return;
  // The OS is ending the session (macOS asks apps to quit at logout): never prevent it —
  // macOS would report that the app interrupted logout. The sign-out is already on its way.
  if (sessionEnd?.ending) return;
  event.preventDefault();
  if (stopping) return;
  stopping = true;
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
  void Promise.race([softphone?.stop() ?? Promise.resolve(), timeout])
    .catch((err: unknown) => log.warn('sign-out on quit failed', { err }))
    .finally(() => {
      stopped = true;
      shortcuts?.dispose();
      unwireWake?.();
      notifications?.closeAll();
      tray?.destroy();
      toast?.destroy();
      log.info('bye');
      void fileLog.close().finally(() => app.quit());
    });
});

// Windows hide to the tray; the app keeps running until Quit.
app.on('window-all-closed', () => undefined);
app.on('activate', () => showMainWindow());

/** Settles once the app is up (or failed to start); tests await it. */
export const started: Promise<void> = (() => {
  if (!claimSingleInstance(app, showMainWindow)) {
    log.info('another instance is running; it shows its window instead');
    quitting = stopped = true;
    app.quit();
    return Promise.resolve();
  }
  return start().catch((err: unknown) => {
    log.error('could not start', { err });
    dialog.showErrorBox('Softphone could not start', err instanceof Error ? err.message : String(err));
    quitting = stopped = true;
    app.exit(1);
  });
})();
