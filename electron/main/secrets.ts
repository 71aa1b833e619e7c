/**
 * The secret vault of the desktop app: passwords and client secrets encrypted with Electron's
 * safeStorage (Keychain on macOS, DPAPI on Windows, the Secret Service / KWallet on Linux),
 * kept as base64 blobs in one JSON file under userData (atomic writes, mode 0600).
 *
 * It refuses to store anything when the OS offers no real encryption — including Linux's
 * `basic_text` backend, whose key is a constant — rather than write a secret in the clear.
 * On Linux it also refuses a blob made with Chromium's fallback key: when the Secret Service
 * or KWallet is missing, locked or its prompt was dismissed, the async encryptor silently
 * uses a hard-coded key (blobs start `v10`; the keyring's start `v11`) while
 * `isAsyncEncryptionAvailable()` still resolves true and the backend still names the keyring.
 * Uses the asynchronous safeStorage API (the synchronous one is deprecated in Electron 45).
 */
import { z } from 'zod';
import type { Logger } from '../core/deps.js';
import type { SecretVault } from '../app/app.js';
import { jsonFile, type JsonFile } from '../core/storage/jsonFile.js';

/** The part of Electron's safeStorage the vault uses. */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend?(): string;
}

/** Linux: Chromium's hard-coded fallback key (`v10`) rather than a key from the OS keyring (`v11`). */
export function isLinuxFallbackBlob(blob: Buffer): boolean {
  return blob.subarray(0, 3).toString('latin1') === 'v10';
}

export class VaultError extends Error {
  constructor(
    readonly code: 'EncryptionUnavailable' | 'EncryptionFailed',
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

const vaultFileSchema = z
  .object({
    version: z.literal(1),
    secrets: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')),
  })
  .strict();

export interface SafeStorageVaultOptions {
  /** The JSON file holding the encrypted blobs (userData/secrets.json). */
  path: string;
  safeStorage: SafeStorageLike;
  logger: Logger;
  platform?: NodeJS.Platform;
}

export class SafeStorageVault implements SecretVault {
  private readonly file: JsonFile;
  private readonly log: Logger;
  private readonly platform: NodeJS.Platform;
  private blobs: Promise<Record<string, string>> | null = null;

  constructor(private readonly opts: SafeStorageVaultOptions) {
    this.log = opts.logger.child('vault');
    this.file = jsonFile(opts.path, { logger: this.log });
    this.platform = opts.platform ?? process.platform;
  }

  /** Why secrets cannot be stored here, or null when they can. */
  async unavailableReason(): Promise<string | null> {
    if (!(await this.opts.safeStorage.isAsyncEncryptionAvailable())) {
      return this.platform === 'linux'
        ? 'no OS keyring is available (start GNOME Keyring, KWallet or another Secret Service provider, then try again)'
        : 'the operating system reports that encryption is not available';
    }
    if (this.platform === 'linux') {
      const backend = this.opts.safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
      if (backend === 'basic_text' || backend === 'unknown') {
        return `no OS keyring was found (backend "${backend}" would only obfuscate the secret; start GNOME Keyring, KWallet or another Secret Service provider, then try again)`;
      }
    }
    return null;
  }

  async get(name: string): Promise<string | undefined> {
    const blob = (await this.load())[name];
    if (blob === undefined) return undefined;
    const bytes = Buffer.from(blob, 'base64');
    if (this.platform === 'linux' && isLinuxFallbackBlob(bytes)) {
      this.log.warn('a stored secret is protected only by the fallback key; save it again once the keyring works', {
        name,
      });
    }
    try {
      const { result, shouldReEncrypt } = await this.opts.safeStorage.decryptStringAsync(bytes);
      if (shouldReEncrypt)
        await this.set(name, result).catch((err: unknown) =>
          this.log.warn('could not re-encrypt a secret', { name, err }),
        );
      return result;
    } catch (err) {
      // Kept on disk (nothing is lost); the account shows "no password stored" until re-entered.
      this.log.warn('a stored secret could not be decrypted (was the OS keyring reset?)', { name, err });
      return undefined;
    }
  }

  /** Presence from the file alone: nothing is decrypted, so no keyring prompt can block. */
  async has(name: string): Promise<boolean> {
    return (await this.load())[name] !== undefined;
  }

  async set(name: string, value: string): Promise<void> {
    const why = await this.unavailableReason();
    if (why) {
      throw new VaultError(
        'EncryptionUnavailable',
        `The password was not saved: ${why}. Secrets are never stored unencrypted.`,
      );
    }
    let encrypted: Buffer;
    try {
      encrypted = await this.opts.safeStorage.encryptStringAsync(value);
    } catch (err) {
      throw new VaultError(
        'EncryptionFailed',
        `The password was not saved: encryption failed (${(err as Error).message}).`,
      );
    }
    if (this.platform === 'linux' && isLinuxFallbackBlob(encrypted)) {
      throw new VaultError(
        'EncryptionUnavailable',
        'The password was not saved: the OS keyring could not be used (Chromium fell back to its built-in key, ' +
          'which anyone can undo). Unlock or start GNOME Keyring, KWallet or another Secret Service provider ' +
          '(and accept its prompt), then try again. Secrets are never stored unencrypted.',
      );
    }
    if (encrypted.length === 0 || (value.length >= 4 && encrypted.includes(Buffer.from(value, 'utf8')))) {
      throw new VaultError('EncryptionFailed', 'The password was not saved: the encryption result still contained it.');
    }
    const blobs = await this.load();
    blobs[name] = encrypted.toString('base64');
    await this.file.write({ version: 1, secrets: blobs });
  }

  async delete(name: string): Promise<void> {
    const blobs = await this.load();
    if (!(name in blobs)) return;
    delete blobs[name];
    await this.file.write({ version: 1, secrets: blobs });
  }

  private load(): Promise<Record<string, string>> {
    this.blobs ??= this.file.read(vaultFileSchema).then((data) => ({ ...(data?.secrets ?? {}) }));
    return this.blobs;
  }
}
