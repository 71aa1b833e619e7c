/**
 * The packaging configuration (electron-builder.yml): Linux package needs, the desktop entry's
 * WM class, and the Electron fuses — checked against electron-builder's own option names, so a
 * misspelt fuse cannot be silently ignored.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const yml = readFileSync(join(root, 'electron-builder.yml'), 'utf8');

/** The lines of a top-level YAML block (`name:` up to the next top-level key); no YAML library needed. */
function block(name: string): string {
  const m = new RegExp(`^${name}:\\n((?:[ #].*\\n|\\n)*)`, 'm').exec(yml);
  if (!m) throw new Error(`electron-builder.yml has no ${name}: block`);
  return m[1]!;
}
const fuses = Object.fromEntries(
  [...block('electronFuses').matchAll(/^ {2}(\w+): (true|false)$/gm)].map((m) => [m[1]!, m[2] === 'true']),
);
const debDepends = [...block('deb').matchAll(/^ {4}- (.+)$/gm)].map((m) => m[1]!.trim());
const wmClass = /^\s+StartupWMClass: (\S+)$/m.exec(yml)?.[1];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };

describe('packaging', () => {
  it('the deb depends on libgbm1 and libasound2 (minimal installs lack them) and the Secret Service library', () => {
    const deps = debDepends.flatMap((d) => d.split('|').map((x) => x.trim()));
    for (const lib of ['libgbm1', 'libasound2', 'libsecret-1-0', 'libnss3']) expect(deps).toContain(lib);
  });

  it('StartupWMClass is the lower-cased name Electron 43+ sets as the WM class', () => {
    expect(wmClass).toBe(wmClass?.toLowerCase());
    expect(wmClass).toBe(pkg.name);
  });

  it('sets the fuses: no run-as-node, NODE_OPTIONS or --inspect; app.asar only, integrity-checked; cookies encrypted', () => {
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });

  it('every fuse named is one electron-builder knows (FuseOptionsV1)', () => {
    const require = createRequire(import.meta.url);
    const dts = readFileSync(
      join(dirname(require.resolve('app-builder-lib/package.json')), 'out/configuration.d.ts'),
      'utf8',
    );
    const body = /export interface FuseOptionsV1 \{([\s\S]*?)\n\}/.exec(dts)?.[1] ?? '';
    const known = [...body.matchAll(/^\s+(\w+)\?: boolean;/gm)].map((m) => m[1]);
    expect(known).toContain('runAsNode');
    for (const key of Object.keys(fuses)) expect(known, key).toContain(key);
  });
});
