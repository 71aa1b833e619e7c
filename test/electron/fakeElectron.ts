/**
 * Small recording fakes of the Electron APIs the main process uses. There is no Electron
 * binary here, so test files do `vi.mock('electron', () => import('./fakeElectron.js'))` and
 * then read what the code under test asked Electron to do.
 */
import { EventEmitter } from 'node:events';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

let nextId = 1;

export class FakeWebFrame {
  constructor(
    public url: string,
    public parent: FakeWebFrame | null = null,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly sent: Array<[string, unknown]> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  mainFrame = new FakeWebFrame('about:blank');
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export type WindowCall = [string, ...unknown[]];

export class BrowserWindow extends EventEmitter {
  static readonly all: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly calls: WindowCall[] = [];
  visible = false;
  destroyed = false;
  minimized = false;
  bounds: Rect;
  loaded: { file?: string; url?: string } | null = null;

  constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }) {
    super();
    BrowserWindow.all.push(this);
    this.bounds = { x: 0, y: 0, width: Number(options.width ?? 800), height: Number(options.height ?? 600) };
  }
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.all.filter((w) => !w.destroyed);
  }
  private record(name: string, ...args: unknown[]) {
    this.calls.push([name, ...args]);
  }
  called(name: string): WindowCall[] {
    return this.calls.filter((c) => c[0] === name);
  }
  loadFile(file: string): Promise<void> {
    this.record('loadFile', file);
    this.loaded = { file };
    this.webContents.mainFrame.url = `file://${file}`;
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    this.record('loadURL', url);
    this.loaded = { url };
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.record('show');
    this.visible = true;
    this.emit('show');
  }
  showInactive(): void {
    this.record('showInactive');
    this.visible = true;
    this.emit('show');
  }
  hide(): void {
    this.record('hide');
    this.visible = false;
    this.emit('hide');
  }
  focus(): void {
    this.record('focus');
  }
  restore(): void {
    this.record('restore');
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.record('destroy');
    this.destroyed = true;
    this.webContents.destroyed = true;
  }
  close(): void {
    this.record('close');
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroy();
  }
  setBounds(bounds: Rect): void {
    this.record('setBounds', bounds);
    this.bounds = bounds;
  }
  getBounds(): Rect {
    return this.bounds;
  }
  setAlwaysOnTop(...args: unknown[]): void {
    this.record('setAlwaysOnTop', ...args);
  }
  setVisibleOnAllWorkspaces(...args: unknown[]): void {
    this.record('setVisibleOnAllWorkspaces', ...args);
  }
  setFocusable(...args: unknown[]): void {
    this.record('setFocusable', ...args);
  }
  moveTop(): void {
    this.record('moveTop');
  }
  flashFrame(...args: unknown[]): void {
    this.record('flashFrame', ...args);
  }
}

/* ---- screen: displays side by side; the cursor decides which one is "under the pointer" */

export interface FakeDisplay {
  id: number;
  bounds: Rect;
  workArea: Rect;
}

export const screen = {
  cursor: { x: 100, y: 100 },
  displays: [
    { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } },
  ] as FakeDisplay[],
  getCursorScreenPoint() {
    return { ...this.cursor };
  },
  getDisplayNearestPoint(p: { x: number; y: number }): FakeDisplay {
    const inside = this.displays.find(
      (d) =>
        p.x >= d.bounds.x &&
        p.x < d.bounds.x + d.bounds.width &&
        p.y >= d.bounds.y &&
        p.y < d.bounds.y + d.bounds.height,
    );
    return inside ?? this.displays[0]!;
  },
  getPrimaryDisplay(): FakeDisplay {
    return this.displays[0]!;
  },
};

/* ---- tray and menus */

export interface FakeImage {
  path: string;
  isEmpty(): boolean;
}

export const nativeImage = {
  createFromPath(path: string): FakeImage {
    return { path, isEmpty: () => false };
  },
};

export class Tray extends EventEmitter {
  static readonly all: Tray[] = [];
  image: FakeImage;
  tooltip = '';
  title = '';
  contextMenu: { template: unknown[] } | null = null;
  destroyed = false;
  constructor(image: FakeImage) {
    super();
    this.image = image;
    Tray.all.push(this);
  }
  setImage(image: FakeImage): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setTitle(text: string): void {
    this.title = text;
  }
  setContextMenu(menu: { template: unknown[] }): void {
    this.contextMenu = menu;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export const Menu = {
  templates: [] as unknown[][],
  applicationMenu: undefined as unknown,
  buildFromTemplate(template: unknown[]) {
    Menu.templates.push(template);
    return { template };
  },
  setApplicationMenu(menu: unknown) {
    Menu.applicationMenu = menu;
  },
};

/* ---- ipc */

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  },
};

export const ipcRenderer = {
  invocations: [] as Array<[string, unknown]>,
  listeners: new Map<string, Set<(...args: unknown[]) => void>>(),
  invoke(channel: string, payload: unknown) {
    this.invocations.push([channel, payload]);
    return Promise.resolve({ ok: true, value: `answer to ${channel}` });
  },
  on(channel: string, listener: (...args: unknown[]) => void) {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  },
  removeListener(channel: string, listener: (...args: unknown[]) => void) {
    this.listeners.get(channel)?.delete(listener);
    return this;
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    this.exposed.set(key, api);
  },
};

/* ---- app, session, safeStorage, net, notifications */

class FakeApp extends EventEmitter {
  isPackaged = false;
  sandboxEnabled = false;
  paths = new Map<string, string>([['userData', '/nonexistent/userData']]);
  appPath = '/nonexistent/app';
  singleInstance = true;
  loginItem: unknown = null;
  quitCalls = 0;
  exitCode: number | null = null;
  appUserModelId: string | null = null;
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  commandLine = {
    switches: new Map<string, string>(),
    getSwitchValue: (s: string) => this.commandLine.switches.get(s) ?? '',
  };
  enableSandbox() {
    this.sandboxEnabled = true;
  }
  getPath(name: string) {
    const p = this.paths.get(name);
    if (!p) throw new Error(`no path ${name}`);
    return p;
  }
  setPath(name: string, value: string) {
    this.paths.set(name, value);
  }
  getAppPath() {
    return this.appPath;
  }
  getVersion() {
    return '0.0.0-test';
  }
  requestSingleInstanceLock() {
    return this.singleInstance;
  }
  setLoginItemSettings(settings: unknown) {
    this.loginItem = settings;
  }
  setAppUserModelId(id: string) {
    this.appUserModelId = id;
  }
  whenReady() {
    return this.ready;
  }
  /** Test control: the app is ready. */
  fireReady() {
    this.readyResolve();
  }
  /** Like Electron: emits before-quit (preventable); quits when nobody prevented it. */
  quit() {
    this.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('will-quit-done');
  }
  exit(code: number) {
    this.exitCode = code;
  }
}

export const app = new FakeApp();

export class FakeSession {
  permissionRequestHandler:
    ((wc: unknown, permission: string, cb: (ok: boolean) => void, details?: unknown) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  headersListener: ((details: unknown, cb: (r: unknown) => void) => void) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: (details: unknown, cb: (r: unknown) => void) => void) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']) {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']) {
    this.permissionCheckHandler = h;
  }
}

export const session = { defaultSession: new FakeSession() };

/** An OS-keyring stand-in: real AES-256-GCM with a per-process key, so blobs are opaque. */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  key: randomBytes(32),
  isAsyncEncryptionAvailable() {
    return Promise.resolve(this.available);
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
  encryptStringAsync(plain: string) {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Promise.resolve(Buffer.concat([Buffer.from('v10'), iv, c.getAuthTag(), body]));
  },
  decryptStringAsync(blob: Buffer) {
    if (blob.subarray(0, 3).toString() !== 'v10') return Promise.reject(new Error('not a safeStorage blob'));
    const iv = blob.subarray(3, 15);
    const tag = blob.subarray(15, 31);
    const d = createDecipheriv('aes-256-gcm', this.key, iv);
    d.setAuthTag(tag);
    const result = Buffer.concat([d.update(blob.subarray(31)), d.final()]).toString('utf8');
    return Promise.resolve({ result, shouldReEncrypt: false });
  },
};

/** powerMonitor: tests emit 'resume' / 'unlock-screen' themselves. */
export const powerMonitor = new EventEmitter();

/** net.fetch: delegates to Node's fetch (tests only ever reach 127.0.0.1) and records calls. */
export const net = {
  /** What net.isOnline() answers (tests flip it). */
  online: true,
  isOnline(): boolean {
    return net.online;
  },
  calls: [] as Array<[string, RequestInit | undefined]>,
  fetch(input: string, init?: RequestInit) {
    net.calls.push([input, init]);
    return fetch(input, init);
  },
};

export class Notification extends EventEmitter {
  static readonly all: Notification[] = [];
  static supported = true;
  shown = false;
  closed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    Notification.all.push(this);
  }
  static isSupported(): boolean {
    return Notification.supported;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
}

export const dialog = {
  errors: [] as Array<[string, string]>,
  showErrorBox(title: string, content: string) {
    dialog.errors.push([title, content]);
  },
};

export const shell = {};

/** Forget every window, tray, notification and handler between tests. */
export function resetFakes(): void {
  BrowserWindow.all.length = 0;
  Tray.all.length = 0;
  Notification.all.length = 0;
  Notification.supported = true;
  Menu.templates.length = 0;
  ipcMain.handlers.clear();
  ipcRenderer.invocations.length = 0;
  ipcRenderer.listeners.clear();
  contextBridge.exposed.clear();
  net.calls.length = 0;
  net.online = true;
  powerMonitor.removeAllListeners();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  screen.cursor = { x: 100, y: 100 };
  screen.displays = [
    { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } },
  ];
}

export default {
  app,
  BrowserWindow,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  Menu,
  nativeImage,
  net,
  Notification,
  powerMonitor,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
};
