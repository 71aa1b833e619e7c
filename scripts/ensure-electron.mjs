#!/usr/bin/env node
// Run before `electron-vite preview|dev` and `electron-builder` (npm start, dev, dist): make sure
// the Electron binary is installed. Electron 45's npm package fetches it lazily — only when its
// install.js runs — while electron-vite reads node_modules/electron/path.txt directly and stops
// with "Electron uninstall" without it. So, when path.txt or the binary it names is missing, this
// runs Electron's own installer, which honours ELECTRON_MIRROR, electron_config_cache,
// electron_use_remote_checksums and the checksums shipped in the package, and writes path.txt.
// `npm test` never comes here (and points ELECTRON_MIRROR at a dead port in case anything does).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the `electron` package is installed, and the binary its path.txt names (if any). */
function electronInstall(fromDir) {
  const dir = dirname(createRequire(join(fromDir, 'noop.js')).resolve('electron/package.json'));
  const pathTxt = join(dir, 'path.txt');
  const binary = existsSync(pathTxt) ? join(dir, 'dist', readFileSync(pathTxt, 'utf8')) : null;
  return { dir, binary: binary && existsSync(binary) ? binary : null };
}

const projectDir = fileURLToPath(new URL('..', import.meta.url));

if (process.env.ELECTRON_EXEC_PATH) {
  // electron-vite launches this binary instead; nothing to fetch.
  process.exit(0);
}
const before = electronInstall(projectDir);
if (before.binary) process.exit(0);

console.log(`Electron binary not installed yet: running Electron's installer (${join(before.dir, 'install.js')})`);
const r = spawnSync(process.execPath, [join(before.dir, 'install.js')], { stdio: 'inherit' });
const after = electronInstall(projectDir);
if (r.status !== 0 || !after.binary) {
  console.error(
    '\nCould not install the Electron binary (see above). It is downloaded from ' +
      `${process.env.ELECTRON_MIRROR ?? 'https://github.com/electron/electron/releases'}; set ELECTRON_MIRROR ` +
      'to a reachable mirror, or ELECTRON_EXEC_PATH to an Electron 45 executable.',
  );
  process.exit(1);
}
console.log(`Electron binary installed: ${after.binary}`);
