// What `npm run dist` ships: packaged with a stand-in Electron distribution (no binary needed),
// after the tests' own builds were left in out/ and a source map beside the main bundle.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageWithStandInElectron, type PackagedApp } from '../../support/standInPackage.js';

describe('the package holds the product and nothing else', () => {
  let app: PackagedApp;
  beforeAll(async () => {
    app = await packageWithStandInElectron({
      beforePackaging: (dir) => {
        mkdirSync(join(dir, 'out/e2e'), { recursive: true });
        writeFileSync(join(dir, 'out/e2e/bridge.js'), '/* the browser tests’ stand-in preload */');
        writeFileSync(join(dir, 'out/main/index.js.map'), '{}');
      },
    });
  }, 300_000);
  afterAll(() => {
    if (app) rmSync(app.workDir, { recursive: true, force: true });
  });

  it('carries the entry points, the pages and the tray icons', () => {
    for (const f of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/out/renderer/toast.html',
      '/assets/tray.png',
      '/assets/tray@2x.png',
    ]) {
      expect(app.files).toContain(f);
    }
    expect(app.files.some((f) => /^\/out\/renderer\/assets\/toast-[^/]+\.js$/.test(f))).toBe(true);
  });

  it('carries no test build, test file or source map', () => {
    expect(app.files.filter((f) => f.startsWith('/out/') && !/^\/out\/(main|preload|renderer)\//.test(f))).toEqual([
      '/out/main',
      '/out/preload',
      '/out/renderer',
    ]);
    expect(app.files.filter((f) => /\.map$/.test(f))).toEqual([]);
    expect(app.files.filter((f) => /^\/(test|bench|electron|renderer|scripts)\//.test(f))).toEqual([]);
  });

  it('carries every production dependency and no devDependency', () => {
    const packed = new Set(
      app.files
        .filter((f) => f.startsWith('/node_modules/'))
        .map((f) =>
          f
            .split('/')
            .slice(2, f.startsWith('/node_modules/@') ? 4 : 3)
            .join('/'),
        ),
    );
    expect(app.productionDeps).toContain('react-dom');
    expect(app.productionDeps.filter((d) => !packed.has(d))).toEqual([]);
    expect(app.devOnlyDeps).toContain('electron');
    expect(app.devOnlyDeps.filter((d) => packed.has(d))).toEqual([]);
  });

  it('flips the Electron fuses in the packaged binary: no run-as-node, NODE_OPTIONS or --inspect; asar only, integrity-checked; cookies encrypted', async () => {
    const { getCurrentFuseWire, FuseV1Options } = createRequire(import.meta.url)('@electron/fuses') as {
      getCurrentFuseWire(path: string): Promise<Record<number, number>>;
      FuseV1Options: Record<string, number>;
    };
    const wire = await getCurrentFuseWire(join(app.appOutDir, 'softphone'));
    const on = (name: string) => String.fromCharCode(wire[FuseV1Options[name]!]!) === '1';
    expect({
      RunAsNode: on('RunAsNode'),
      EnableNodeOptionsEnvironmentVariable: on('EnableNodeOptionsEnvironmentVariable'),
      EnableNodeCliInspectArguments: on('EnableNodeCliInspectArguments'),
      OnlyLoadAppFromAsar: on('OnlyLoadAppFromAsar'),
      EnableEmbeddedAsarIntegrityValidation: on('EnableEmbeddedAsarIntegrityValidation'),
      EnableCookieEncryption: on('EnableCookieEncryption'),
    }).toEqual({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      EnableCookieEncryption: true,
    });
  });
});
