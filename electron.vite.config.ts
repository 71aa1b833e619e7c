/**
 * electron-vite build: main (ESM) → out/main, preload (CommonJS, as a `sandbox: true` preload
 * must be) → out/preload, renderer (two pages: the main window and the toast window) →
 * out/renderer. The renderer section is renderer/vite.config.ts's `rendererConfig`, so the
 * browser e2e build and the Electron build cannot drift apart.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './renderer/vite.config.js';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
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
      // everything else, zod included, is bundled into this one file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  // root renderer/, inputs index.html + toast.html → out/renderer, @vitejs/plugin-react.
  renderer: rendererConfig,
});
