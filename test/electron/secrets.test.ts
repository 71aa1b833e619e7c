import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { SafeStorageVault, VaultError, type SafeStorageLike } from '../../electron/main/secrets.js';
import { app, resetFakes, safeStorage } from './fakeElectron.js';
import { recordingLogger } from './helpers.js';

const SECRET = 'correct horse battery staple ✓';

let dir: string;
beforeEach(async () => {
  resetFakes();
  app.fireReady();
  dir = await mkdtemp(join(tmpdir(), 'vault-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function vault(opts: { storage?: SafeStorageLike; platform?: NodeJS.Platform } = {}) {
  const log = recordingLogger();
  const v = new SafeStorageVault({
    path: join(dir, 'secrets.json'),
    safeStorage: opts.storage ?? safeStorage,
    logger: log,
    platform: opts.platform ?? 'linux',
  });
  return { v, log };
}

/** Every byte the vault left in its directory. */
async function everythingOnDisk(): Promise<string> {
  const names = await readdir(dir);
  const parts = await Promise.all(names.map((n) => readFile(join(dir, n))));
  return Buffer.concat(parts).toString('latin1');
}

describe('the safeStorage vault', () => {
  it('never writes a secret in plain text (nor as UTF-8, UTF-16 or base64)', async () => {
    const { v } = vault();
    await v.set('work.password', SECRET);
    const disk = await everythingOnDisk();
    expect(disk.length).toBeGreaterThan(0);
    for (const form of [
      Buffer.from(SECRET, 'utf8').toString('latin1'),
      Buffer.from(SECRET, 'utf16le').toString('latin1'),
      Buffer.from(SECRET, 'utf8').toString('base64'),
      'correct horse',
    ]) {
      expect(disk).not.toContain(form);
    }
  });

  it('gives the secret back, also from a fresh vault over the same file', async () => {
    await vault().v.set('work.password', SECRET);
    expect(await vault().v.get('work.password')).toBe(SECRET);
    expect(await vault().v.get('other.password')).toBeUndefined();
  });

  it('keeps the blobs as base64 in a versioned JSON file readable only by the user', async () => {
    await vault().v.set('a.password', 'one');
    await vault().v.set('b.clientSecret', 'two');
    const doc = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8'));
    expect(doc.version).toBe(1);
    expect(Object.keys(doc.secrets).sort()).toEqual(['a.password', 'b.clientSecret']);
    expect((await readdir(dir)).sort()).toEqual(['secrets.json', 'secrets.json.bak']); // no temp file left behind
  });

  it('refuses to store anything when safeStorage has no encryption, with a clear error, writing nothing', async () => {
    safeStorage.available = false;
    const { v } = vault({ platform: 'win32' });
    const err = await v.set('work.password', SECRET).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({ code: 'EncryptionUnavailable' });
    expect((err as Error).message).toMatch(/not saved.*never stored unencrypted/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("on Linux refuses the 'basic_text' backend, whose key is a constant, and says how to fix it", async () => {
    safeStorage.backend = 'basic_text';
    const { v } = vault({ platform: 'linux' });
    await expect(v.set('work.password', SECRET)).rejects.toThrow(/GNOME Keyring, KWallet/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('on Linux refuses a blob made with Chromium’s fallback key (v10), although availability and backend look fine', async () => {
    safeStorage.linuxFallbackKey = true;
    const { v } = vault({ platform: 'linux' });
    const err = await v.set('work.password', SECRET).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EncryptionUnavailable' });
    expect((err as Error).message).toMatch(/built-in key.*GNOME Keyring, KWallet/);
    expect(await readdir(dir)).toEqual([]);
    // With the keyring back, it stores.
    safeStorage.linuxFallbackKey = false;
    await v.set('work.password', SECRET);
    expect(await vault().v.get('work.password')).toBe(SECRET);
  });

  it('on macOS and Windows a v10 blob is the OS-protected format and is stored', async () => {
    safeStorage.linuxFallbackKey = true; // the fake's way of producing v10 blobs
    for (const platform of ['darwin', 'win32'] as const) {
      await vault({ platform }).v.set(`${platform}.password`, SECRET);
      expect(await vault({ platform }).v.get(`${platform}.password`)).toBe(SECRET);
    }
  });

  it('refuses an encryptor whose output still contains the secret', async () => {
    const broken: SafeStorageLike = {
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (s) => Buffer.from(`enc:${s}`),
      decryptStringAsync: async (b) => ({ result: b.toString().slice(4), shouldReEncrypt: false }),
      getSelectedStorageBackend: () => 'kwallet6',
    };
    const { v } = vault({ storage: broken });
    await expect(v.set('work.password', SECRET)).rejects.toMatchObject({ code: 'EncryptionFailed' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('deletes a secret and keeps the others', async () => {
    const { v } = vault();
    await v.set('a.password', 'one');
    await v.set('b.password', 'two');
    await v.delete('a.password');
    await v.delete('never.stored');
    expect(await vault().v.get('a.password')).toBeUndefined();
    expect(await vault().v.get('b.password')).toBe('two');
  });

  it('a blob that no longer decrypts reads as absent, stays on disk, and is logged without its value', async () => {
    await writeFile(
      join(dir, 'secrets.json'),
      JSON.stringify({ version: 1, secrets: { 'a.password': Buffer.from('garbage').toString('base64') } }),
    );
    const { v, log } = vault();
    expect(await v.get('a.password')).toBeUndefined();
    expect(JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')).secrets['a.password']).toBeDefined();
    expect(log.lines.some((l) => l.level === 'warn' && /could not be decrypted/.test(l.msg))).toBe(true);
  });

  it('a corrupt vault file is set aside, not lost, and the vault starts empty', async () => {
    await writeFile(join(dir, 'secrets.json'), '{ not json');
    const { v } = vault();
    expect(await v.get('a.password')).toBeUndefined();
    const names = await readdir(dir);
    expect(names.some((n) => n.startsWith('secrets.json.corrupt-'))).toBe(true);
  });

  it('re-encrypts a secret safeStorage asks to re-encrypt (rotated key)', async () => {
    let reencryptAsked = true;
    const rotating: SafeStorageLike = {
      isAsyncEncryptionAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptStringAsync: (s) => safeStorage.encryptStringAsync(s),
      decryptStringAsync: async (b) => {
        const r = await safeStorage.decryptStringAsync(b);
        const out = { ...r, shouldReEncrypt: reencryptAsked };
        reencryptAsked = false;
        return out;
      },
    };
    const { v } = vault({ storage: rotating });
    await v.set('a.password', SECRET);
    const before = await readFile(join(dir, 'secrets.json'), 'utf8');
    expect(await v.get('a.password')).toBe(SECRET);
    const after = await readFile(join(dir, 'secrets.json'), 'utf8');
    expect(after).not.toBe(before);
    expect(await vault().v.get('a.password')).toBe(SECRET);
  });
});
