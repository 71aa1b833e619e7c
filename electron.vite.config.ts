/**
 * electron-vite build: main (ESM) → out/main, preload (CommonJS, as a `sandbox: true` preload
 * must be) → out/preload, renderer (two pages: the main window and the toast window) →
 * out/renderer. The renderer section reuses renderer/vite.config.ts when that file exists, so
 * the browser e2e build and the Electron build cannot drift apart.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { loadConfigFromFile, mergeConfig, type ConfigEnv, type UserConfig as ViteUserConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const rendererRoot = resolve(root, 'renderer');

/** The renderer engineer's own vite config (plugins, aliases), minus what electron-vite owns. */
async function rendererBase(env: ConfigEnv): Promise<ViteUserConfig> {
  const file = resolve(rendererRoot, 'vite.config.ts');
  if (!existsSync(file)) return { plugins: [react()] };
  const loaded = await loadConfigFromFile(env, file, rendererRoot, 'silent');
  const config = { ...(loaded?.config ?? {}) };
  // electron-vite decides these for the Electron build.
  delete config.root;
  delete config.base;
  delete config.build;
  const hasReact = (config.plugins ?? [])
    .flat(Infinity as 1)
    .some((p) => p && typeof p === 'object' && 'name' in p && String(p.name).startsWith('vite:react'));
  return hasReact ? config : { ...config, plugins: [...(config.plugins ?? []), react()] };
}

export default defineConfig(async (env) => ({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: { index: resolve(root, 'electron/main/index.ts') },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload can require only `electron` (and a few polyfilled modules):
      // everything else, zod included, is bundled into the one file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: mergeConfig(await rendererBase(env), {
    root: rendererRoot,
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: {
          index: resolve(rendererRoot, 'index.html'),
          toast: resolve(rendererRoot, 'toast.html'),
        },
      },
    },
  }),
}));
