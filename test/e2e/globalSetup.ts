/**
 * Builds what the browser e2e serves, once per run:
 * - the renderer, into out/renderer: with `electron-vite build` when electron.vite.config.ts
 *   exists (the same build the app ships), otherwise with Vite's JS API and
 *   renderer/vite.config.ts (which electron-vite reuses for its renderer section);
 * - the bridge init script (bridgeInit.ts + electron/contract.ts), into out/e2e/bridge.js.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RENDERER_OUT = resolve(root, 'out/renderer');
export const BRIDGE_OUT = resolve(root, 'out/e2e/bridge.js');

async function buildRenderer(): Promise<void> {
  let built = false;
  if (existsSync(resolve(root, 'electron.vite.config.ts'))) {
    const bin = resolve(root, 'node_modules/.bin/electron-vite');
    try {
      await promisify(execFile)(bin, ['build'], {
        cwd: root,
        // Never reach out for an Electron binary from a test run.
        env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' },
        maxBuffer: 16 * 1024 * 1024,
      });
      built = true;
    } catch (err) {
      // A broken main/preload build is reported by `npm run build`; the browser e2e only needs
      // the renderer, so it says so and builds that alone with the very same config.
      const e = err as { stderr?: string; message?: string };
      console.warn(
        `e2e: electron-vite build failed; building the renderer alone.\n${(e.stderr || e.message || '').slice(-2000)}`,
      );
    }
  }
  if (!built) await build({ configFile: resolve(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
  for (const page of ['index.html', 'toast.html']) {
    if (!existsSync(resolve(RENDERER_OUT, page)))
      throw new Error(`renderer build produced no ${page} in ${RENDERER_OUT}`);
  }
}

async function buildBridge(): Promise<void> {
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      target: 'chrome130',
      lib: { entry: resolve(root, 'test/e2e/bridgeInit.ts'), formats: ['iife'], name: 'softphoneE2eBridge' },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
  const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error('bridge init script: the build produced no code');
  await mkdir(dirname(BRIDGE_OUT), { recursive: true });
  await writeFile(BRIDGE_OUT, chunk.code);
}

export default async function setup(): Promise<void> {
  await buildRenderer();
  await buildBridge();
}
