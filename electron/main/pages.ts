/**
 * Where the app's own pages live, and the one test of "is this URL one of ours?" that the
 * IPC sender check, navigation guard and CSP all rely on.
 *
 * Built: file:// pages directly inside out/renderer. Development (`electron-vite dev`): the
 * dev server named by ELECTRON_RENDERER_URL, and nothing else.
 */
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type PageName = 'index' | 'toast';

export interface AppPages {
  /** Absolute path of the sandboxed preload (CommonJS). */
  readonly preload: string;
  /** What a window loads for `page`: `{ url }` for the dev server, `{ file }` when built. */
  target(page: PageName): { url: string } | { file: string };
  /** True only for a page of this app: a top-level renderer page or the dev server. */
  isAppUrl(url: string): boolean;
}

export interface AppPagesOptions {
  /** The directory holding out/main/index.js (import.meta.dirname of the main bundle). */
  mainDir: string;
  /** ELECTRON_RENDERER_URL in development; undefined when running the built app. */
  devServerUrl?: string | undefined;
}

export function createAppPages(opts: AppPagesOptions): AppPages {
  const rendererDir = normalize(join(opts.mainDir, '..', 'renderer'));
  const preload = join(opts.mainDir, '..', 'preload', 'index.cjs');
  let devOrigin: string | null = null;
  if (opts.devServerUrl) {
    const u = new URL(opts.devServerUrl);
    if (u.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) {
      throw new Error(`ELECTRON_RENDERER_URL must be a loopback http:// URL, got "${opts.devServerUrl}"`);
    }
    devOrigin = u.origin;
  }

  return {
    preload,
    target(page) {
      if (devOrigin) return { url: `${devOrigin}/${page}.html` };
      return { file: join(rendererDir, `${page}.html`) };
    },
    isAppUrl(url) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return false;
      }
      if (devOrigin) return u.origin === devOrigin;
      if (u.protocol !== 'file:' || (u.host !== '' && u.host !== 'localhost')) return false;
      let path: string;
      try {
        path = normalize(fileURLToPath(u));
      } catch {
        return false;
      }
      return dirname(path) === rendererDir && /^(index|toast)\.html$/.test(path.slice(rendererDir.length + sep.length));
    },
  };
}

/** file:// URL of a page (for tests and logs). */
export function fileUrlOf(path: string): string {
  return pathToFileURL(path).href;
}
