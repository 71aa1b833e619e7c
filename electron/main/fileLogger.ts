/**
 * The desktop app's log: the engine's redacting logger (secrets never reach a line) writing
 * to userData/logs/softphone.log, rotated once at start when it grew past 5 MB.
 */
import { createWriteStream, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/deps.js';
import { createLogger, type LogLevel } from '../core/log.js';

export const LOG_FILE = 'softphone.log';
const ROTATE_BYTES = 5 * 1024 * 1024;

export interface FileLogger {
  logger: Logger;
  path: string;
  close(): Promise<void>;
}

export function createFileLogger(dir: string, opts: { level?: LogLevel; alsoStderr?: boolean } = {}): FileLogger {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOG_FILE);
  try {
    if (statSync(path).size > ROTATE_BYTES) renameSync(path, join(dir, `softphone.1.log`));
  } catch {
    // no log yet
  }
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  stream.on('error', (err) => process.stderr.write(`log file ${path}: ${err.message}\n`));
  const logger = createLogger(
    (line) => {
      stream.write(line + '\n');
      if (opts.alsoStderr) process.stderr.write(line + '\n');
    },
    { level: opts.level ?? 'info', scope: 'main' },
  );
  return {
    logger,
    path,
    close: () => new Promise<void>((resolve) => stream.end(resolve)),
  };
}
