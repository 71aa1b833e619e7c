/**
 * Small recording fakes of the Electron APIs the main process uses. There is no Electron
 * binary here, so test files do `vi.mock('electron', () => import('./fakeElectron.js'))` and
 * then read what the code under test asked Electron to do.
 */
import { EventEmitter } from 'node:events';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';

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
  /** Like Electron: kills the renderer, which then reports 'render-process-gone' (reason 'killed'). */
  forcefullyCrashRenderer(): void {
    this.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
  }
}

export type WindowCall = [string, ...unknown[]];

export class BrowserWindow extends EventEmitter {
  static readonly all: BrowserWindow[] = [];
  /** Test control: page loads (file paths or URLs) that fail, like a missing file or a dead dev server. */
  static readonly failingLoads = new Set<string>();
  private readonly contents = new FakeWebContents();
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
  /** Like Electron: a destroyed window's webContents can no longer be read. */
  get webContents(): FakeWebContents {
    if (this.destroyed) throw new TypeError('Object has been destroyed');
    return this.contents;
  }
  /** Test access to the webContents regardless of the window's state. */
  get contentsForTest(): FakeWebContents {
    return this.contents;
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
    return this.navigate(`file://${file}`, file);
  }
  loadURL(url: string): Promise<void> {
    this.record('loadURL', url);
    this.loaded = { url };
    return this.navigate(url, url);
  }
  /** Like Electron: the load settles after the page emitted did-finish-load or did-fail-load. */
  private navigate(url: string, key: string): Promise<void> {
    const wc = this.contents;
    return new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        if (wc.destroyed) return reject(new Error('ERR_ABORTED (-3) loading ' + url));
        if (BrowserWindow.failingLoads.has(key)) {
          wc.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', url, true);
          reject(new Error(`ERR_FILE_NOT_FOUND (-6) loading '${url}'`));
          return;
        }
        wc.mainFrame.url = url;
        wc.emit('did-finish-load');
        resolve();
      });
    });
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
    if (this.destroyed) return;
    this.record('destroy');
    this.destroyed = true;
    this.visible = false;
    this.contents.destroyed = true;
    this.emit('closed');
  }
  /** Emits 'close' (preventable); returns whether the window really closed (fake-only result). */
  close(): boolean {
    if (this.destroyed) return true;
    this.record('close');
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroy();
    return !prevented;
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

const DEFAULT_DISPLAY: FakeDisplay = {
  id: 1,
  bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  workArea: { x: 0, y: 0, width: 1920, height: 1040 },
};

/** Like Electron's screen: an EventEmitter that tells when displays come, go or change. */
class FakeScreen extends EventEmitter {
  cursor = { x: 100, y: 100 };
  displays: FakeDisplay[] = [{ ...DEFAULT_DISPLAY }];
  getCursorScreenPoint() {
    return { ...this.cursor };
  }
  getAllDisplays(): FakeDisplay[] {
    return [...this.displays];
  }
  /** The display containing the point, else the one whose bounds are nearest (as Electron does). */
  getDisplayNearestPoint(p: { x: number; y: number }): FakeDisplay {
    let best = this.displays[0]!;
    let bestDistance = Infinity;
    for (const d of this.displays) {
      const dx = Math.max(d.bounds.x - p.x, 0, p.x - (d.bounds.x + d.bounds.width - 1));
      const dy = Math.max(d.bounds.y - p.y, 0, p.y - (d.bounds.y + d.bounds.height - 1));
      const distance = dx * dx + dy * dy;
      if (distance < bestDistance) {
        best = d;
        bestDistance = distance;
      }
    }
    return best;
  }
  getPrimaryDisplay(): FakeDisplay {
    return this.displays[0]!;
  }
  /** Test control: a monitor is plugged in. */
  addDisplay(display: FakeDisplay): void {
    this.displays.push(display);
    this.emit('display-added', {}, display);
  }
  /** Test control: a monitor is unplugged. */
  removeDisplay(id: number): void {
    const gone = this.displays.find((d) => d.id === id);
    if (!gone) throw new Error(`no display ${id}`);
    this.displays = this.displays.filter((d) => d !== gone);
    this.emit('display-removed', {}, gone);
  }
  /** Test control: resolution, scale or work area (taskbar, dock) changed. */
  changeDisplay(id: number, change: Partial<Omit<FakeDisplay, 'id'>>): void {
    const d = this.displays.find((x) => x.id === id);
    if (!d) throw new Error(`no display ${id}`);
    Object.assign(d, change);
    this.emit('display-metrics-changed', {}, d, Object.keys(change));
  }
}

export const screen = new FakeScreen();

/* ---- tray and menus */

export interface FakeImage {
  path: string;
  isEmpty(): boolean;
  getScaleFactors(): number[];
}

/**
 * Like Electron's nativeImage.createFromPath: an empty image when the file is missing, and the
 * `name@2x.ext` file beside it, when present, loaded as the scale-2 representation.
 */
export const nativeImage = {
  createFromPath(path: string): FakeImage {
    const exists = existsSync(path);
    const ext = extname(path);
    const hiDpi = exists && existsSync(`${path.slice(0, path.length - ext.length)}@2x${ext}`);
    const factors = exists ? (hiDpi ? [1, 2] : [1]) : [];
    return { path, isEmpty: () => !exists, getScaleFactors: () => [...factors] };
  },
};

export class Tray extends EventEmitter {
  static readonly all: Tray[] = [];
  /** The platform the fake tray behaves like (tests set it). */
  static platform: NodeJS.Platform = 'linux';
  /** Context menus the user saw pop up (fake-only record). */
  menusShown = 0;
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
  /**
   * Test control: the user left-clicks the icon, as each platform reports it. Linux
   * (StatusNotifierItem/AppIndicator) emits no 'click' and opens the menu; macOS emits 'click'
   * AND opens the context menu when one is set; Windows emits 'click' only (the menu is on the
   * right button).
   */
  userClick(): void {
    if (Tray.platform === 'linux') {
      if (this.contextMenu) this.menusShown++;
      return;
    }
    this.emit('click', {}, { x: 0, y: 0, width: 16, height: 16 }, { x: 0, y: 0 });
    if (Tray.platform === 'darwin' && this.contextMenu) this.menusShown++;
  }
  /** Test control: right click (Windows and macOS open the context menu). */
  userRightClick(): void {
    this.emit('right-click', {}, { x: 0, y: 0, width: 16, height: 16 });
    if (this.contextMenu) this.menusShown++;
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
  /** What getLoginItemSettings() reports (macOS: wasOpenedAtLogin, status). */
  loginItemSettings: { openAtLogin: boolean; wasOpenedAtLogin: boolean; status?: string } = {
    openAtLogin: false,
    wasOpenedAtLogin: false,
  };
  quitCalls = 0;
  exitCode: number | null = null;
  appUserModelId: string | null = null;
  /** Set once 'quit' was emitted: the process would end here. */
  exited = false;
  private quitting = false;
  private isReadyFlag = false;
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  commandLine = {
    switches: new Map<string, string>(),
    getSwitchValue: (s: string) => this.commandLine.switches.get(s) ?? '',
    hasSwitch: (s: string) => this.commandLine.switches.has(s),
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
  getLoginItemSettings() {
    return { ...this.loginItemSettings };
  }
  setAppUserModelId(id: string) {
    this.appUserModelId = id;
  }
  whenReady() {
    return this.ready;
  }
  isReady() {
    return this.isReadyFlag;
  }
  /** Test control: the app is ready. */
  fireReady() {
    if (this.isReadyFlag) return;
    this.isReadyFlag = true;
    this.readyResolve();
    this.emit('ready');
  }
  /**
   * Like Electron's Browser::Quit: nothing while a quit runs; 'before-quit' (preventable);
   * then every window is asked to close — a 'close' handler that prevents it cancels the
   * quit; once all are closed 'will-quit' (preventable), then 'quit'.
   */
  quit() {
    this.quitCalls++;
    if (this.quitting || this.exited) return;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.quitting = true;
    for (const w of BrowserWindow.getAllWindows()) {
      if (!w.close()) {
        this.quitting = false;
        return;
      }
    }
    let willQuitPrevented = false;
    this.emit('will-quit', { preventDefault: () => (willQuitPrevented = true) });
    if (willQuitPrevented) {
      this.quitting = false;
      return;
    }
    this.exited = true;
    this.emit('quit', {}, 0);
  }
  /** Like Electron: destroys every window without asking, no before-quit/will-quit. */
  exit(code: number) {
    this.exitCode = code;
    for (const w of BrowserWindow.getAllWindows()) w.destroy();
    this.exited = true;
  }
}

export const app = new FakeApp();

/** Like Electron's powerMonitor: an EventEmitter ('shutdown' on Linux and macOS, suspend/resume…). */
export const powerMonitor = new EventEmitter();

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

const NOT_READY = 'safeStorage cannot be used before app is ready';

/**
 * An OS-keyring stand-in: real AES-256-GCM with a per-process key, so blobs are opaque. Like
 * Electron 45: unavailable before `ready`; blobs carry Chromium's version prefix — `v11` for a
 * key from the Linux keyring, `v10` for Linux's hard-coded fallback key (what Chromium's async
 * encryptor uses when the Secret Service is missing or its prompt was dismissed) and for the
 * macOS Keychain / Windows DPAPI key. With `linuxFallbackKey`, availability still resolves true
 * and the backend still names the intended keyring — exactly what makes that case dangerous.
 */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  /** Linux: the keyring could not be reached; blobs are `v10` under a constant key. */
  linuxFallbackKey: false,
  key: randomBytes(32),
  isAsyncEncryptionAvailable() {
    if (!app.isReady()) return Promise.resolve(false);
    return Promise.resolve(this.available);
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
  encryptStringAsync(plain: string) {
    if (!app.isReady()) return Promise.reject(new Error(NOT_READY));
    if (!this.available)
      return Promise.reject(new Error('Error while encrypting the text provided to safeStorage.encryptStringAsync.'));
    const prefix = this.linuxFallbackKey || this.backend === 'basic_text' ? 'v10' : 'v11';
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Promise.resolve(Buffer.concat([Buffer.from(prefix), iv, c.getAuthTag(), body]));
  },
  decryptStringAsync(blob: Buffer) {
    if (!app.isReady()) return Promise.reject(new Error(NOT_READY));
    const prefix = blob.subarray(0, 3).toString();
    if (prefix !== 'v10' && prefix !== 'v11')
      return Promise.reject(
        new Error('Error while decrypting the ciphertext provided to safeStorage.decryptStringAsync.'),
      );
    try {
      const iv = blob.subarray(3, 15);
      const tag = blob.subarray(15, 31);
      const d = createDecipheriv('aes-256-gcm', this.key, iv);
      d.setAuthTag(tag);
      const result = Buffer.concat([d.update(blob.subarray(31)), d.final()]).toString('utf8');
      return Promise.resolve({ result, shouldReEncrypt: false });
    } catch {
      return Promise.reject(
        new Error('Error while decrypting the ciphertext provided to safeStorage.decryptStringAsync.'),
      );
    }
  },
};

/* ---- net: Electron's semantics over Node's HTTP (tests only ever reach 127.0.0.1) */

const NET_NOT_READY = 'Session can only be received when app is ready';

export interface FakeRequestOptions {
  url: string;
  method?: string;
  redirect?: 'follow' | 'error' | 'manual';
  credentials?: 'include' | 'omit' | 'same-origin';
  useSessionCookies?: boolean;
}

/**
 * Like Electron's ClientRequest (net.request): headers via setHeader, body via write/end,
 * 'response' with an IncomingMessage (a Readable with statusCode, statusMessage, headers),
 * 'error', 'abort', and redirects as Electron does them: 'follow' follows; 'error' fails;
 * 'manual' emits 'redirect' (statusCode, method, redirectUrl, responseHeaders) and, unless a
 * listener calls followRedirect() or abort() during that emit, fails with "Redirect was cancelled".
 */
export class FakeClientRequest extends EventEmitter {
  private readonly headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private aborted = false;
  private followCb: (() => void) | undefined;
  private current: ReturnType<typeof httpRequest> | null = null;
  private url: string;
  private method: string;

  constructor(private readonly options: FakeRequestOptions) {
    super();
    this.url = options.url;
    this.method = (options.method ?? 'GET').toUpperCase();
  }
  setHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }
  write(chunk: string | Buffer): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  end(chunk?: string | Buffer): void {
    if (chunk !== undefined) this.write(chunk);
    this.send(Buffer.concat(this.chunks), 0);
  }
  followRedirect(): void {
    if (!this.followCb) throw new Error('followRedirect() called, but was not waiting for a redirect');
    this.followCb();
  }
  abort(): void {
    if (!this.aborted) process.nextTick(() => this.emit('abort'));
    this.aborted = true;
    this.current?.destroy();
  }
  private fail(err: Error): void {
    this.current?.destroy();
    this.emit('error', err);
  }
  private send(body: Buffer, hops: number): void {
    if (this.aborted) return;
    const target = new URL(this.url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: this.method, headers: this.headers });
    this.current = req;
    req.on('error', (err) => {
      if (!this.aborted) this.fail(new Error(`net::ERR_CONNECTION_REFUSED (${err.message})`));
    });
    req.on('response', (res: IncomingMessage) => {
      if (this.aborted) return res.destroy();
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && [301, 302, 303, 307, 308].includes(status)) {
        res.resume();
        const next = new URL(location, this.url).href;
        const newMethod =
          (status === 303 && this.method !== 'HEAD') || ((status === 301 || status === 302) && this.method === 'POST')
            ? 'GET'
            : this.method;
        const policy = this.options.redirect ?? 'follow';
        if (policy === 'error') return this.fail(new Error("Attempted to redirect, but redirect policy was 'error'"));
        if (hops >= 20) return this.fail(new Error('net::ERR_TOO_MANY_REDIRECTS'));
        let follow = policy === 'follow';
        this.followCb = () => (follow = true);
        try {
          const headers: Record<string, string[]> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers[k] = Array.isArray(v) ? v : [v];
          this.emit('redirect', status, newMethod, next, headers);
        } finally {
          this.followCb = undefined;
        }
        if (this.aborted) return;
        if (!follow) return this.fail(new Error('Redirect was cancelled'));
        this.url = next;
        if (newMethod !== this.method) {
          this.method = newMethod;
          this.send(Buffer.alloc(0), hops + 1);
        } else this.send(body, hops + 1);
        return;
      }
      this.emit('response', res);
    });
    req.end(body.length > 0 ? body : undefined);
  }
}

export const net = {
  /** What net.isOnline() answers (tests flip it). */
  online: true,
  isOnline(): boolean {
    return net.online;
  },
  calls: [] as Array<[string, RequestInit | undefined]>,
  /** Like Electron's net.request: only after `ready`. */
  request(options: FakeRequestOptions | string): FakeClientRequest {
    if (!app.isReady()) throw new Error('net module can only be used after app is ready');
    const o = typeof options === 'string' ? { url: options } : options;
    net.calls.push([o.url, { method: o.method ?? 'GET', ...(o.redirect ? { redirect: o.redirect } : {}) }]);
    return new FakeClientRequest(o);
  },
  /**
   * Like Electron's net.fetch (session.defaultSession.fetch over ClientRequest): throws before
   * `ready`; in `redirect: 'manual'` it never hands back a 3xx — it rejects with
   * "Redirect was cancelled" (lib/common/api/net-client-request.ts).
   */
  fetch(input: string, init?: RequestInit): Promise<Response> {
    // Synchronous, as Electron's getter of session.defaultSession throws.
    if (!app.isReady()) throw new TypeError(NET_NOT_READY);
    net.calls.push([input, init]);
    return fetch(input, init).then(async (res) => {
      if (init?.redirect === 'manual' && res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        throw new Error('Redirect was cancelled');
      }
      return res;
    });
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

/**
 * globalShortcut as Electron behaves: `register` returns false when the accelerator is taken
 * (by another application — `heldByOthers`, a test control — or already registered here), throws
 * a TypeError on an accelerator it cannot parse, and `pressed` runs a registered callback.
 */
export const globalShortcut = {
  registered: new Map<string, () => void>(),
  heldByOthers: new Set<string>(),
  register(accelerator: string, callback: () => void): boolean {
    if (accelerator === '' || accelerator.endsWith('+') || accelerator.startsWith('+')) {
      throw new TypeError(`Error processing argument at index 0, conversion failure from ${accelerator}`);
    }
    if (globalShortcut.heldByOthers.has(accelerator) || globalShortcut.registered.has(accelerator)) return false;
    globalShortcut.registered.set(accelerator, callback);
    return true;
  },
  isRegistered(accelerator: string): boolean {
    return globalShortcut.registered.has(accelerator);
  },
  unregister(accelerator: string): void {
    globalShortcut.registered.delete(accelerator);
  },
  unregisterAll(): void {
    globalShortcut.registered.clear();
  },
  /** Test control: the user pressed `accelerator` (a no-op unless registered, like the OS). */
  pressed(accelerator: string): void {
    globalShortcut.registered.get(accelerator)?.();
  },
};

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
  globalShortcut.registered.clear();
  globalShortcut.heldByOthers.clear();
  net.online = true;
  powerMonitor.removeAllListeners();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  safeStorage.linuxFallbackKey = false;
  screen.removeAllListeners();
  screen.cursor = { x: 100, y: 100 };
  screen.displays = [
    { ...DEFAULT_DISPLAY, bounds: { ...DEFAULT_DISPLAY.bounds }, workArea: { ...DEFAULT_DISPLAY.workArea } },
  ];
  BrowserWindow.failingLoads.clear();
  Tray.platform = 'linux';
  app.loginItemSettings = { openAtLogin: false, wasOpenedAtLogin: false };
}

export default {
  app,
  BrowserWindow,
  contextBridge,
  dialog,
  globalShortcut,
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
