/**
 * The built Electron bundles, checked without an Electron binary. A `sandbox: true` preload
 * may require nothing but `electron` (a stray `node:fs` import would only fail at runtime, in
 * a real window); it must expose exactly `window.softphone`.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pageJsFiles } from '../../bench/pageScripts.js';
import { RENDERER_OUT } from './globalSetup.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const preloadPath = resolve(root, 'out/preload/index.cjs');

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;

describe('the built preload (out/preload/index.cjs)', () => {
  it('is CommonJS that requires only electron and exposes only window.softphone', async () => {
    if (!existsSync(preloadPath)) throw new Error(`${preloadPath} is missing: run \`npm run build\` first`);
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: Array<[string, unknown]> = [];
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: (channel: string, payload: unknown) => {
          invoked.push([channel, payload]);
          return Promise.resolve({ ok: true, value: undefined });
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const required: string[] = [];
    const mod = Module as unknown as { _load: Loader };
    const original = mod._load;
    mod._load = function (request, parent, isMain) {
      required.push(request);
      return request === 'electron' ? fakeElectron : original.call(this, request, parent, isMain);
    };
    try {
      const req = createRequire(import.meta.url);
      delete req.cache[preloadPath];
      req(preloadPath);
    } finally {
      mod._load = original;
    }
    expect(required.filter((r) => r !== preloadPath)).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['softphone']);
    await (exposed.get('softphone')!.setDnd as (on: boolean) => Promise<void>)(true);
    expect(invoked).toEqual([['softphone:setDnd', { on: true }]]);
  });
});

describe('the built toast page (out/renderer/toast.html)', () => {
  const scripts = (page: string) => pageJsFiles(page, RENDERER_OUT).map((f) => readFileSync(f, 'utf8'));

  it('loads no zod: it imports only types from the contract, so it stays small and never tries eval under its CSP', () => {
    expect(scripts('index.html').some((code) => code.includes('ZodError'))).toBe(true); // the check can see zod
    expect(scripts('toast.html').filter((code) => code.includes('ZodError'))).toEqual([]);
  });
});
