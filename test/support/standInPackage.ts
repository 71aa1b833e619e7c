/**
 * Packages the app as `npm run dist` would for Linux (`electron-builder --linux dir`), but with
 * a stand-in Electron distribution (an `electron` script, `version`, `locales/`) so that no
 * Electron binary is needed, into a temporary folder; then lists resources/app.asar.
 *
 * electron-builder reads the dependency tree with `npm ls`, which needs a real node_modules
 * directory: the project's packaging inputs are copied to a temporary folder and its
 * node_modules is hard-linked there (`cp -al`, nothing is written through it).
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface PackagedApp {
  /** The temporary folder holding all of it: remove it when done. */
  workDir: string;
  /** The temporary project copy (built), and where electron-builder wrote. */
  projectDir: string;
  appOutDir: string;
  asarPath: string;
  asarBytes: number;
  /** Every path inside app.asar, e.g. `/out/main/index.js`. */
  files: string[];
  /** The production dependency closure (package names), from package-lock.json. */
  productionDeps: string[];
  /** Direct devDependencies that are no production dependency's dependency. */
  devOnlyDeps: string[];
}

export interface PackageOptions {
  /** Called on the built copy before packaging (e.g. to leave test builds in out/ first). */
  beforePackaging?: (projectDir: string) => void;
}

/**
 * Electron 45's fuse wire as its binary carries it: the sentinel, the wire's version (1), its
 * length, then one ASCII '0'/'1' per fuse in FuseV1Options order — RunAsNode on, cookie
 * encryption off, NODE_OPTIONS on, --inspect on, asar integrity off, only-asar off,
 * browser-specific V8 snapshot off, file:// extra privileges on (Electron's defaults).
 * @electron/fuses finds and flips it in the stand-in as it does in the real binary.
 */
const ELECTRON_FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_45_DEFAULT_FUSES = '10110001';

function standInElectronBinary(): Buffer {
  return Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in electron $*"\nexit 0\n# '),
    Buffer.from(ELECTRON_FUSE_SENTINEL),
    Buffer.from([1, ELECTRON_45_DEFAULT_FUSES.length]),
    Buffer.from(ELECTRON_45_DEFAULT_FUSES),
    Buffer.from('\n'),
  ]);
}

export async function packageWithStandInElectron(opts: PackageOptions = {}): Promise<PackagedApp> {
  const work = mkdtempSync(join(tmpdir(), 'softphone-package-'));
  const projectDir = join(work, 'project');
  mkdirSync(projectDir);
  for (const f of [
    'package.json',
    'package-lock.json',
    'electron-builder.yml',
    'electron.vite.config.ts',
    'tsconfig.json',
    'electron',
    'renderer',
    'assets',
  ]) {
    cpSync(join(root, f), join(projectDir, f), { recursive: true });
  }
  await run('cp', ['-al', realpathSync(join(root, 'node_modules')), join(projectDir, 'node_modules')]);
  const env = { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' };
  await run(join(projectDir, 'node_modules/.bin/electron-vite'), ['build'], {
    cwd: projectDir,
    env,
    maxBuffer: 16 << 20,
  });
  opts.beforePackaging?.(projectDir);

  const electronVersion = (
    JSON.parse(readFileSync(join(projectDir, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
  ).version;
  const dist = join(work, 'electron-dist');
  mkdirSync(join(dist, 'locales'), { recursive: true });
  writeFileSync(join(dist, 'electron'), standInElectronBinary());
  chmodSync(join(dist, 'electron'), 0o755);
  writeFileSync(join(dist, 'version'), electronVersion);
  for (const l of ['en-US', 'de']) writeFileSync(join(dist, 'locales', `${l}.pak`), '');
  const output = join(work, 'release');
  await run(
    join(projectDir, 'node_modules/.bin/electron-builder'),
    [
      '--linux',
      'dir',
      `-c.electronDist=${dist}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${output}`,
    ],
    { cwd: projectDir, env, maxBuffer: 16 << 20 },
  );
  const appOutDir = join(output, 'linux-unpacked');
  const asarPath = join(appOutDir, 'resources/app.asar');
  const asar = createRequire(import.meta.url)('@electron/asar') as { listPackage(p: string): string[] };

  // Production packages as the lockfile records them (npm marks what only development needs
  // `dev`; an optional peer such as zustand's @types/react is no production dependency).
  const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const productionDeps = [
    ...new Set(
      Object.entries(lock.packages)
        .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !p.devOptional)
        .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    ),
  ];
  const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const prod = new Set(productionDeps);
  return {
    workDir: work,
    projectDir,
    appOutDir,
    asarPath,
    asarBytes: statSync(asarPath).size,
    files: asar.listPackage(asarPath).map((p) => p.replaceAll('\\', '/')),
    productionDeps,
    devOnlyDeps: Object.keys(pkg.devDependencies).filter((d) => !prod.has(d)),
  };
}
