/**
 * A JSON document on disk that survives a power cut: each write goes to a temp file that is
 * flushed to the disk (fsync) before it is renamed over the document, and the directory is
 * flushed after the rename, so the document is either the old one or the new one — never the
 * empty file a journaling file system can leave when only the rename reached the disk. The
 * previous version stays beside it as `*.bak` (a hard link to the old, already-flushed data)
 * until the next write; writes are serialised.
 *
 * Reading: a corrupt, empty or invalid document is set aside (renamed `*.corrupt-<time>`),
 * never a crash; the last good copy is used when there is one, and only when there is none
 * is the loss reported (`onCorrupt`) and the caller gets null.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { KeyValueStore, Logger } from '../deps.js';
import { formatZodError } from '../config.js';

export interface JsonFile {
  readonly path: string;
  /** The parsed document, or null when the file is absent or was corrupt (and set aside). */
  read<T>(schema: z.ZodType<T>): Promise<T | null>;
  write(value: unknown): Promise<void>;
}

export interface JsonFileOptions {
  logger: Logger;
  now?: () => number;
  /** Told when a corrupt file was set aside and no good copy was left (the desktop shows it). */
  onCorrupt?: (info: { path: string; movedTo: string; problem: string }) => void;
  /** The file-system calls a write makes (tests record their order); Node's by default. */
  io?: DurableIo;
}

/** The file-system steps of a durable write. */
export interface DurableIo {
  /** Writes `text` to a new file at `path` and flushes it to the disk before resolving. */
  writeFlushed(path: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Makes `to` a copy of `from` that is already on the disk (hard link, else a flushed copy). */
  keepCopy(from: string, to: string): Promise<void>;
  /** Flushes a directory's entries (a no-op where directories cannot be opened, i.e. Windows). */
  flushDir(path: string): Promise<void>;
}

export const nodeDurableIo: DurableIo = {
  async writeFlushed(path, text) {
    const fh = await open(path, 'w', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async keepCopy(from, to) {
    await rm(to, { force: true });
    try {
      await link(from, to);
    } catch {
      // File systems without hard links: a copy, flushed.
      await copyFile(from, to, constants.COPYFILE_FICLONE);
      const fh = await open(to, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  },
  async flushDir(path) {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch {
      return; // Windows: directories cannot be opened; NTFS journals the rename itself
    }
    try {
      await fh.sync();
    } catch {
      // Some file systems refuse fsync on a directory; the rename is all they offer.
    } finally {
      await fh.close();
    }
  },
};

export function jsonFile(path: string, opts: JsonFileOptions): JsonFile {
  let queue: Promise<void> = Promise.resolve();
  let n = 0;
  const now = opts.now ?? Date.now;
  const io = opts.io ?? nodeDurableIo;
  const backup = `${path}.bak`;

  /** The parsed file, 'absent', or why it is unusable. */
  async function load<T>(file: string, schema: z.ZodType<T>): Promise<{ data: T } | 'absent' | { problem: string }> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
      throw err;
    }
    if (text.trim() === '') return { problem: 'the file is empty (was the computer switched off while saving?)' };
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return { data: parsed.data };
      return { problem: formatZodError(parsed.error) };
    } catch (err) {
      return { problem: `not valid JSON (${(err as Error).message})` };
    }
  }

  return {
    path,
    async read<T>(schema: z.ZodType<T>): Promise<T | null> {
      const main = await load(path, schema);
      if (main !== 'absent' && 'data' in main) return main.data;
      let movedTo: string | null = null;
      if (main !== 'absent') {
        movedTo = `${path}.corrupt-${now()}`;
        await rename(path, movedTo);
        opts.logger.warn('set aside a corrupt file', { path, movedTo, problem: main.problem });
      }
      const last = await load(backup, schema);
      if (last !== 'absent' && 'data' in last) {
        opts.logger.warn('using the last good copy', { path, from: backup });
        return last.data;
      }
      if (main !== 'absent' && movedTo) opts.onCorrupt?.({ path, movedTo, problem: main.problem });
      return null;
    },
    write(value: unknown): Promise<void> {
      const text = JSON.stringify(value, null, 2) + '\n';
      const run = async () => {
        const dir = dirname(path);
        await mkdir(dir, { recursive: true });
        const tmp = `${path}.${process.pid}.${++n}.tmp`;
        await io.writeFlushed(tmp, text);
        // The current version (already on the disk) stays as the last good copy.
        const current = await load(path, z.unknown());
        if (current !== 'absent' && 'data' in current) await io.keepCopy(path, backup);
        await io.rename(tmp, path);
        await io.flushDir(dir);
      };
      queue = queue.then(run, run);
      return queue;
    },
  };
}

/** A small key/value store on top of a JsonFile (endpoint ids per account). */
export function jsonKeyValueStore(file: JsonFile): KeyValueStore {
  let cache: Record<string, string> | null = null;
  const load = async () => {
    if (!cache) cache = (await file.read(z.record(z.string(), z.string()))) ?? {};
    return cache;
  };
  return {
    async get(key: string) {
      return (await load())[key];
    },
    async set(key: string, value: string) {
      const data = await load();
      data[key] = value;
      await file.write(data);
    },
  };
}
