/**
 * The browser e2e host: the built renderer served from loopback, opened in Debian's Chromium,
 * with `window.softphone` bridged to a REAL SoftphoneApp (engine + providers) running in this
 * test process against the REAL embedded simulator. A click in the page travels:
 *   page → createBridge → Playwright binding → dispatchInvoke(app.handlers()) → Engine →
 *   UcwaProvider → HTTP on 127.0.0.1 → simulator,
 * and the simulator's answer comes back as AppEvents pushed into the page.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { dispatchInvoke, type AppEvent } from '../../electron/contract.js';
import { SoftphoneApp } from '../../electron/app/app.js';
import { systemClock, type Clock, type Fetch } from '../../electron/core/deps.js';
import { createLogger } from '../../electron/core/log.js';
import { startDemoBackend, type SimulatorDemoBackend } from '../../electron/simulator/demo.js';
import type { Simulator } from '../../electron/simulator/index.js';
import { MemoryVault } from '../support/memoryVault.js';
import { BRIDGE_OUT, RENDERER_OUT } from './globalSetup.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/* ---------------------------------------------------------------------------------------- *
 * Static server for out/renderer
 * ---------------------------------------------------------------------------------------- */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

export async function serveStatic(dir: string = RENDERER_OUT): Promise<StaticServer> {
  const base = resolve(dir);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path === '/favicon.ico') {
        res.writeHead(204).end(); // the browser asks; Electron windows do not
        return;
      }
      const file = normalize(join(base, path === '/' ? 'index.html' : path));
      if (!file.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Cache-Control': 'no-store',
        });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/* ---------------------------------------------------------------------------------------- *
 * Browser
 * ---------------------------------------------------------------------------------------- */

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/* ---------------------------------------------------------------------------------------- *
 * The host: a real SoftphoneApp in demo mode (no account → the embedded simulator)
 * ---------------------------------------------------------------------------------------- */

export interface Host {
  app: SoftphoneApp;
  sim: Simulator;
  /** The app's secret vault (the OS keychain's stand-in): tests look at what was stored. */
  vault: MemoryVault;
  /** The app's data directory (settings.json, history.json). */
  dataDir: string;
  /** Every invoke the pages made, in order. */
  invokes: { channel: string; payload: unknown }[];
  /** Every size the toast page reported. */
  toastSizes: { width: number; height: number }[];
  /** Every event the app pushed. */
  events: AppEvent[];
  logs: string[];
  /**
   * Resolves once `probe()` holds, re-checked whenever the host observes something (an app
   * event, an invoke, a toast size). Rejects after `timeoutMs` naming `what`.
   */
  until(what: string, probe: () => boolean, timeoutMs?: number): Promise<void>;
  /** Opens a renderer page (toast.html or index.html) bridged to this host. */
  open(pagePath: 'toast.html' | 'index.html', opts?: PageOptions): Promise<HostPage>;
  close(): Promise<void>;
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  reducedMotion?: 'reduce' | 'no-preference';
  viewport?: { width: number; height: number };
}

export interface HostPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and CSP violations seen in the page. */
  problems: string[];
  /** Dialogs (alert/confirm/prompt) that fired: there must never be one. */
  dialogs: string[];
}

export interface HostOptions {
  /** The app's clock (default: the system clock); e.g. a SteerableClock to pass a deadline. */
  clock?: Clock;
}

/** Node's fetch, refusing anything but loopback: no e2e request ever leaves the machine. */
const loopbackOnlyFetch: Fetch = (input, init) => {
  const url = new URL(String(input));
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)) {
    return Promise.reject(new Error(`e2e host: refusing ${url.origin} (tests reach loopback only)`));
  }
  return fetch(input, init);
};

export async function startHost(browser: Browser, web: StaticServer, opts: HostOptions = {}): Promise<Host> {
  const dataDir = await mkdtemp(join(tmpdir(), 'softphone-e2e-'));
  const logs: string[] = [];
  const logger = createLogger((line) => logs.push(line), { level: 'debug' });
  let demo: SimulatorDemoBackend | null = null;
  const vault = new MemoryVault();
  const app = await SoftphoneApp.create({
    dataDir,
    clock: opts.clock ?? systemClock,
    logger,
    vault,
    fetchFor: () => loopbackOnlyFetch,
    // No automatic sample ring: every invitation in these tests is rung by the test itself.
    startDemo: async () => (demo = await startDemoBackend({ firstRingAfterMs: 3_600_000 })),
  });
  if (!demo) throw new Error('the app did not start demo mode');
  const sim = (demo as SimulatorDemoBackend).sim;
  sim.ucwa.stopDemo();
  await sim.ucwa.waitUntilListening({}, 15_000);

  const invokes: Host['invokes'] = [];
  const toastSizes: Host['toastSizes'] = [];
  const events: AppEvent[] = [];
  const pages = new Set<Page>();
  const watchers = new Set<() => void>();
  const changed = () => {
    for (const w of [...watchers]) w();
  };
  const contexts: BrowserContext[] = [];
  const handlers = app.handlers({
    showMainWindow: () => undefined,
    toastSize: (size) => {
      toastSizes.push(size);
      changed();
    },
  });
  const bridgeScript = await readFile(BRIDGE_OUT, 'utf8');

  // Events go to every open page, in order (one queue per page).
  const queues = new Map<Page, Promise<unknown>>();
  const unsubscribe = app.on((event) => {
    events.push(event);
    changed();
    for (const page of pages) {
      const prev = queues.get(page) ?? Promise.resolve();
      const next = prev
        .then(() =>
          page.evaluate((e) => (window as unknown as { __softphoneEmit(e: unknown): void }).__softphoneEmit(e), event),
        )
        .catch(() => undefined); // a page that is closing misses events; its snapshot is authoritative
      queues.set(page, next);
    }
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    sim,
    vault,
    dataDir,
    invokes,
    toastSizes,
    events,
    logs,
    until(what, probe, timeoutMs = 10_000) {
      if (probe()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!probe()) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`e2e host: ${what} did not happen within ${timeoutMs} ms`));
        }, timeoutMs);
        watchers.add(check);
      });
    },
    async open(pagePath, opts = {}) {
      const context = await browser.newContext({
        viewport: opts.viewport ?? { width: 900, height: 900 },
        colorScheme: opts.colorScheme ?? 'light',
        reducedMotion: opts.reducedMotion ?? 'no-preference',
      });
      contexts.push(context);
      const page = await context.newPage();
      const problems: string[] = [];
      const dialogs: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('dialog', (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      });
      await page.exposeFunction('__softphoneInvoke', async (channel: string, payload: unknown) => {
        invokes.push({ channel, payload });
        changed();
        return dispatchInvoke(handlers, channel, payload);
      });
      await page.addInitScript({ content: bridgeScript });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) =>
          console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      pages.add(page);
      page.on('close', () => pages.delete(page));
      await page.goto(`${web.origin}/${pagePath}`);
      return { page, context, problems, dialogs };
    },
    close() {
      closing ??= (async () => {
        unsubscribe();
        for (const c of contexts) await c.close().catch(() => undefined);
        await app.stop(); // signs out and waits for the last history write
        await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

export interface E2eSession {
  /**
   * A fresh host (app + simulator + browser contexts) for this test, closed after it. Every
   * page it opens is watched: an error it logs, a CSP break or a dialog fails the test.
   */
  host(opts?: HostOptions): Promise<Host>;
  /** Runs after the test (temporary files and the like). */
  onCleanup(fn: () => Promise<void>): void;
}

/**
 * Call once at the top of an e2e file: one Chromium and one static server for the file, and
 * per test the hosts and pages it opens, checked and closed after it.
 */
export function e2eSession(): E2eSession {
  let browser: Browser | undefined;
  let web: StaticServer | undefined;
  let hosts: Host[] = [];
  let opened: HostPage[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    web = await serveStatic();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });
  afterEach(async () => {
    // No page ever logs an error, breaks its CSP, or pops a dialog.
    const problems = opened.flatMap((p) => [...p.problems, ...p.dialogs]);
    opened = [];
    for (const h of hosts) await h.close();
    hosts = [];
    for (const c of cleanups.splice(0)) await c();
    expect(problems).toEqual([]);
  });
  return {
    async host(opts) {
      const h = await startHost(browser!, web!, opts);
      hosts.push(h);
      return {
        ...h,
        async open(pagePath, pageOpts) {
          const p = await h.open(pagePath, pageOpts);
          opened.push(p);
          return p;
        },
      };
    },
    onCleanup: (fn) => void cleanups.push(fn),
  };
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${label}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}
