/**
 * The renderer's figures, measured in Debian's Chromium on the built toast page (out/renderer)
 * with its real store and components. Only main is a stand-in: an in-page script answers the
 * bridge's calls (through the e2e bridge, the contract's real `createBridge`) and pushes events
 * the way IPC delivers them, one message per task; a decline is answered in a later task with
 * `declining` then `ended`, as the engine does.
 *
 * Figures: invitation → toast painted; click → the bridge's decline call; a burst of 500
 * invitations (time to settle, longest frame); Decline all over 500 (longest frame); JS heap
 * growth after 5,000 invitations rang and ended; JavaScript size per page (from the build).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { pageJsBytes, RENDERER_OUT } from './pageScripts.js';
import { summarize, type Summary } from './stats.js';

/** Runs in the page before its scripts (and before the e2e bridge): main's stand-in. */
const MAIN_STAND_IN = String.raw`(() => {
  const B = (window.__bench = { declineCalls: new Map(), ringing: new Map(), pending: 0 });
  const snapshot = {
    accounts: [{ accountId: 'bench', provider: 'ucwa', state: 'connected', error: null }],
    ringing: [], history: [], dnd: false,
    settings: { ucwaDeclineReason: 'Global', graphDeclineReason: 'none', ringtone: false, startAtLogin: false },
    accountConfigs: [], demo: false, notices: [],
  };
  // One IPC message = one task.
  const queue = [];
  const ch = new MessageChannel();
  ch.port1.onmessage = () => { const f = queue.shift(); B.pending--; f(); };
  B.task = (f) => { queue.push(f); B.pending++; ch.port2.postMessage(0); };
  B.push = (event) => B.task(() => window.__softphoneEmit(event));
  window.__softphoneInvoke = (channel, payload) => {
    if (channel === 'softphone:decline') {
      B.declineCalls.set(payload.id, performance.now());
      return new Promise((resolve) => B.task(() => {
        resolve({ ok: true, value: { status: 'sent' } });
        const inv = B.ringing.get(payload.id);
        if (!inv) return;
        B.ringing.delete(payload.id);
        B.push({ type: 'declining', id: inv.id, reason: inv.defaultDeclineReason });
        B.push({ type: 'ended', id: inv.id, outcome: 'declined', invitation: inv });
      }));
    }
    if (channel === 'softphone:snapshot') return Promise.resolve({ ok: true, value: snapshot });
    return Promise.resolve({ ok: true, value: null });
  };
  let n = 0;
  B.invitation = () => {
    n += 1;
    const inv = {
      id: 'bench:' + n, accountId: 'bench', provider: 'ucwa', modality: 'audio',
      from: { name: 'Caller ' + n, uri: 'sip:caller' + n + '@contoso.com' }, subject: '', importance: 'normal',
      message: '', receivedAt: Date.now(), expiresAt: null,
      declineReasons: ['Global', 'Local', 'Unknown'], defaultDeclineReason: 'Global',
    };
    B.ringing.set(inv.id, inv);
    return inv;
  };
  B.end = (inv) => { B.ringing.delete(inv.id); B.push({ type: 'ended', id: inv.id, outcome: 'cancelled', invitation: inv }); };
  const toastOf = (id) => document.querySelector('[data-invitation-id="' + CSS.escape(id) + '"]');
  B.toastOf = toastOf;
  /** Resolves after the first frame in which cond() holds has been painted (the task after it). */
  B.paintedWhen = (cond) => new Promise((resolve) => {
    const frame = () => requestAnimationFrame(() => {
      if (!cond()) return frame();
      const c = new MessageChannel();
      c.port1.onmessage = () => resolve(performance.now());
      c.port2.postMessage(0);
    });
    frame();
  });
  /** rAF-to-rAF intervals while a measurement runs: the frames' lengths. */
  B.startFrames = () => {
    const frames = (B.frames = []);
    let last = null;
    const loop = (t) => { if (B.frames !== frames) return; if (last !== null) frames.push(t - last); last = t; requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  };
  B.stopFrames = () => { const f = B.frames; B.frames = null; return f; };

  B.paintedAndClick = async () => {
    const inv = B.invitation();
    await new Promise((r) => setTimeout(r, Math.random() * 17)); // any moment within a frame
    const t0 = performance.now();
    window.__softphoneEmit({ type: 'invitation', invitation: inv }); // as IPC's message handler does
    const painted = (await B.paintedWhen(() => toastOf(inv.id))) - t0;
    await new Promise((r) => setTimeout(r, Math.random() * 17));
    const button = [...toastOf(inv.id).querySelectorAll('button')].find((b) => b.textContent.trim() === 'Decline');
    const c0 = performance.now();
    button.click();
    const click = B.declineCalls.get(inv.id) - c0;
    await B.paintedWhen(() => !toastOf(inv.id) && B.pending === 0);
    return { painted, click };
  };
  B.burst = async (count) => {
    const invs = Array.from({ length: count }, B.invitation);
    B.startFrames();
    const t0 = performance.now();
    for (const inv of invs) B.push({ type: 'invitation', invitation: inv });
    const more = '+' + (count - 4) + ' more';
    const t1 = await B.paintedWhen(() => B.pending === 0 && document.querySelector('.stack-more')?.textContent === more);
    const frames = B.stopFrames();
    return { settleMs: t1 - t0, longestFrameMs: Math.max(...frames) };
  };
  B.declineAll = async () => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.startsWith('Decline all'));
    B.startFrames();
    const t0 = performance.now();
    button.click();
    const t1 = await B.paintedWhen(() => B.pending === 0 && B.ringing.size === 0 && !document.querySelector('[role="alertdialog"]'));
    const frames = B.stopFrames();
    return { settleMs: t1 - t0, longestFrameMs: Math.max(...frames) };
  };
  B.ringAndEnd = async (count) => {
    const invs = Array.from({ length: count }, B.invitation);
    for (const inv of invs) B.push({ type: 'invitation', invitation: inv });
    await B.paintedWhen(() => B.pending === 0);
    for (const inv of invs) B.end(inv);
    await B.paintedWhen(() => B.pending === 0 && !document.querySelector('[role="alertdialog"]'));
  };
})();`;

export interface RendererReport {
  painted: Summary;
  click: Summary;
  burst: { settleMs: number; longestFrameMs: number };
  declineAll: { settleMs: number; longestFrameMs: number };
  heapGrowthBytes: number;
  invitationsForHeap: number;
  jsBytes: Record<string, number>;
}

async function serve(dir: string) {
  const base = resolve(dir);
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(base, path));
    if (!file.startsWith(base + sep)) return res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function heapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/** Measures the built toast page; `bridgeScript` is the e2e bridge (out/e2e/bridge.js). */
export async function benchRenderer(opts: { rounds: number; bridgeScript: string }): Promise<RendererReport> {
  const jsBytes = { 'toast.html': pageJsBytes('toast.html'), 'index.html': pageJsBytes('index.html') };
  const server = await serve(RENDERER_OUT);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript({ content: MAIN_STAND_IN });
    await page.addInitScript({ path: opts.bridgeScript });
    await page.goto(`${server.origin}/toast.html`);
    await page.waitForFunction(() => document.querySelector('.toast-stack') !== null);

    const painted: number[] = [];
    const click: number[] = [];
    const warmup = Math.min(30, Math.ceil(opts.rounds / 10));
    for (let i = 0; i < opts.rounds + warmup; i++) {
      const r = await page.evaluate(() => (window as unknown as BenchWindow).__bench.paintedAndClick());
      if (i < warmup) continue;
      painted.push(r.painted);
      click.push(r.click);
    }

    const burst = await page.evaluate(() => (window as unknown as BenchWindow).__bench.burst(500));
    const declineAll = await page.evaluate(() => (window as unknown as BenchWindow).__bench.declineAll());

    // Heap: warm up (history fills to its 100), then 5,000 more rung and ended, 50 at a time.
    const heapRound = (n: number) => page.evaluate((k) => (window as unknown as BenchWindow).__bench.ringAndEnd(k), n);
    for (let i = 0; i < 10; i++) await heapRound(50);
    const before = await heapUsed(page);
    const invitationsForHeap = 5000;
    for (let i = 0; i < invitationsForHeap / 50; i++) await heapRound(50);
    const after = await heapUsed(page);
    if (errors.length > 0) throw new Error(`the toast page threw: ${errors.join('; ')}`);
    return {
      painted: summarize(painted),
      click: summarize(click),
      burst,
      declineAll,
      heapGrowthBytes: after - before,
      invitationsForHeap,
      jsBytes,
    };
  } finally {
    await browser.close();
    server.close();
  }
}

interface BenchWindow {
  __bench: {
    paintedAndClick(): Promise<{ painted: number; click: number }>;
    burst(n: number): Promise<{ settleMs: number; longestFrameMs: number }>;
    declineAll(): Promise<{ settleMs: number; longestFrameMs: number }>;
    ringAndEnd(n: number): Promise<void>;
  };
}
