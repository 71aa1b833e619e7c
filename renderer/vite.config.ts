/**
 * The renderer's build: two pages (main window and toast window) from renderer/, output in
 * out/renderer. electron.vite.config.ts reuses `rendererConfig` for its renderer section; the
 * browser e2e builds with it directly through Vite's JS API when that config is absent.
 */
// This file is the renderer's build config: it runs in Node, not in the sandboxed renderer.
// eslint-disable-next-line no-restricted-imports
import { dirname, resolve } from 'node:path';
// eslint-disable-next-line no-restricted-imports
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

export const rendererRoot = dirname(fileURLToPath(import.meta.url));
export const rendererOutDir = resolve(rendererRoot, '../out/renderer');
export const rendererInputs = {
  index: resolve(rendererRoot, 'index.html'),
  toast: resolve(rendererRoot, 'toast.html'),
};

/**
 * The dev server (HMR) needs an inline React-refresh preamble and a websocket, which the
 * strict CSP forbids. In `serve` only, widen the meta tag just enough; builds keep it strict.
 */
export function devCsp(): Plugin {
  return {
    name: 'softphone:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: http://localhost:*");
    },
  };
}

export const rendererConfig: UserConfig = {
  root: rendererRoot,
  base: './',
  plugins: [react(), devCsp()],
  build: {
    outDir: rendererOutDir,
    emptyOutDir: true,
    target: 'chrome130',
    // electron-vite does not minify by default; the pages load minified code (toast.html ≤ 250 KiB).
    minify: true,
    // No inlined data: modules or assets: everything is a file under 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: { input: rendererInputs },
  },
};

export default defineConfig(rendererConfig);
