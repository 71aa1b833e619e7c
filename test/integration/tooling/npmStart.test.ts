// `npm start` on a fresh machine: no Electron binary yet (no node_modules/electron/path.txt).
// A fresh copy of the project gets a private node_modules — symlinks to the shared install,
// except private copies of `electron` (without its binary) and `electron-vite` (which resolves
// `electron` from where it lives) — so the shared install is never touched. A loopback HTTP
// server stands in for the Electron mirror, serving a stand-in archive whose `electron` records
// its arguments, and its SHASUMS256.txt; `npm start` must fetch it through Electron's own
// installer and launch it with the app.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedZip } from '../../support/storedZip.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const sharedModules = realpathSync(join(root, 'node_modules'));
const electronVersion = (
  JSON.parse(readFileSync(join(sharedModules, 'electron/package.json'), 'utf8')) as { version: string }
).version;
const zipName = `electron-v${electronVersion}-linux-${process.arch}.zip`;

/** The project as a fresh clone after `npm ci` would have it, minus the Electron binary. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-fresh-'));
  for (const f of [
    'package.json',
    'tsconfig.json',
    'electron.vite.config.ts',
    'electron',
    'renderer',
    'scripts',
    'assets',
  ]) {
    cpSync(join(root, f), join(dir, f), { recursive: true });
  }
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  const own = new Set(['electron', 'electron-vite']);
  for (const name of readdirSync(sharedModules)) {
    if (name === '.bin' || name.startsWith('.package-lock')) continue;
    if (own.has(name)) {
      cpSync(join(sharedModules, name), join(modules, name), {
        recursive: true,
        dereference: true,
        // Never the shared binary: a fresh install has neither dist/ nor path.txt.
        filter: (src) => !/[/\\]electron[/\\](dist|path\.txt)$/.test(src.slice(sharedModules.length)),
      });
    } else symlinkSync(join(sharedModules, name), join(modules, name));
  }
  // .bin links are relative (../electron-vite/bin/…), so copied as they are they reach the copies.
  for (const bin of readdirSync(join(sharedModules, '.bin'))) {
    symlinkSync(readlinkSync(join(sharedModules, '.bin', bin)), join(modules, '.bin', bin));
  }
  return dir;
}

interface Mirror {
  url: string;
  requests: string[];
  server: Server;
}

/** The loopback stand-in for Electron's release mirror. */
async function standInMirror(): Promise<Mirror> {
  // The stand-in `electron` writes where it ran and its arguments to $STANDIN_ELECTRON_RECORD.
  const zip = storedZip([
    {
      name: 'electron',
      data: '#!/bin/sh\n{ pwd; for a in "$@"; do echo "$a"; done; } > "$STANDIN_ELECTRON_RECORD"\n',
      mode: 0o755,
    },
    { name: 'version', data: electronVersion },
  ]);
  const sha = createHash('sha256').update(zip).digest('hex');
  const files: Record<string, Buffer> = {
    [`/v${electronVersion}/${zipName}`]: zip,
    [`/v${electronVersion}/SHASUMS256.txt`]: Buffer.from(`${sha} *${zipName}\n`),
  };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests, server };
}

function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string>) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('VITEST') && !/^ELECTRON_(EXEC|OVERRIDE_DIST)_PATH$/.test(k),
    ),
  );
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...env, ...extraEnv } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('npm start on a fresh machine', () => {
  let dir: string;
  let mirror: Mirror;
  const sharedPathTxt = existsSync(join(sharedModules, 'electron/path.txt'));
  beforeAll(async () => {
    dir = freshCopy();
    mirror = await standInMirror();
  });
  afterAll(async () => {
    await new Promise((resolve) => mirror.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('with no reachable mirror, stops before building and says where the binary comes from', async () => {
    const r = await run('npm', ['start'], dir, {
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: join(dir, 'electron-cache'),
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('Could not install the Electron binary');
    expect(r.out).toContain('http://127.0.0.1:9/');
    expect(existsSync(join(dir, 'node_modules/electron/path.txt'))).toBe(false);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('downloads Electron through its own installer from ELECTRON_MIRROR (remote checksums), then launches it with the app', async () => {
    const record = join(dir, 'electron-args.txt');
    const r = await run('npm', ['start'], dir, {
      ELECTRON_MIRROR: mirror.url,
      electron_use_remote_checksums: '1',
      electron_config_cache: join(dir, 'electron-cache'),
      STANDIN_ELECTRON_RECORD: record,
    });
    expect(r.code, r.out).toBe(0);
    expect(mirror.requests).toEqual(
      expect.arrayContaining([`/v${electronVersion}/SHASUMS256.txt`, `/v${electronVersion}/${zipName}`]),
    );
    expect(readFileSync(join(dir, 'node_modules/electron/path.txt'), 'utf8')).toBe('electron');
    // The stand-in ran in the project with the app (`.` = package.json's main, built).
    expect(readFileSync(record, 'utf8').split('\n').slice(0, 2)).toEqual([dir, '.']);
    const main = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main: string }).main;
    expect(existsSync(join(dir, main))).toBe(true);
    // The shared install was left as it was.
    expect(existsSync(join(sharedModules, 'electron/path.txt'))).toBe(sharedPathTxt);

    // Installed now: the next start fetches nothing.
    const before = mirror.requests.length;
    const again = await run(process.execPath, ['scripts/ensure-electron.mjs'], dir, { ELECTRON_MIRROR: mirror.url });
    expect(again.code).toBe(0);
    expect(mirror.requests.length).toBe(before);
  });
}, 240_000);
