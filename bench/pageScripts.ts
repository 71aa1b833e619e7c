/**
 * The JavaScript a built renderer page loads: its scripts and module preloads, and what they
 * import, followed through the chunks. The benchmark prints their size; a test checks what is
 * (not) in them.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RENDERER_OUT = resolve(fileURLToPath(new URL('..', import.meta.url)), 'out/renderer');

/** Absolute paths of every JavaScript file `page` (e.g. `toast.html`) loads. */
export function pageJsFiles(page: string, dir = RENDERER_OUT): string[] {
  const html = readFileSync(join(dir, page), 'utf8');
  const seen = new Set<string>();
  const visit = (rel: string) => {
    const file = normalize(join(dir, rel));
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      visit(join(rel, '..', m[1]!));
    }
  };
  for (const m of html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)) {
    visit(m[1]!);
  }
  if (seen.size === 0) throw new Error(`${page} loads no JavaScript: is ${dir} a renderer build?`);
  return [...seen];
}

export function pageJsBytes(page: string, dir = RENDERER_OUT): number {
  return pageJsFiles(page, dir).reduce((n, f) => n + statSync(f).size, 0);
}
