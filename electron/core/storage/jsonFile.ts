/**
 * A JSON document on disk: atomic writes (temp file + rename, serialised), and a corrupt or
 * invalid file is reported and set aside (renamed `*.corrupt-<time>`), never a crash.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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
  /** Told when a corrupt file was set aside (the desktop shows it to the user). */
  onCorrupt?: (info: { path: string; movedTo: string; problem: string }) => void;
}

export function jsonFile(path: string, opts: JsonFileOptions): JsonFile {
  let queue: Promise<void> = Promise.resolve();
  let n = 0;
  const now = opts.now ?? Date.now;

  return {
    path,
    async read<T>(schema: z.ZodType<T>): Promise<T | null> {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      let problem: string;
      try {
        const parsed = schema.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
        problem = formatZodError(parsed.error);
      } catch (err) {
        problem = `not valid JSON (${(err as Error).message})`;
      }
      const movedTo = `${path}.corrupt-${now()}`;
      await rename(path, movedTo);
      opts.logger.warn('set aside a corrupt file', { path, movedTo, problem });
      opts.onCorrupt?.({ path, movedTo, problem });
      return null;
    },
    write(value: unknown): Promise<void> {
      const text = JSON.stringify(value, null, 2) + '\n';
      const run = async () => {
        await mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.${++n}.tmp`;
        await writeFile(tmp, text, { encoding: 'utf8', mode: 0o600 });
        await rename(tmp, path);
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
