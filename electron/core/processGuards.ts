/**
 * The last line of defence of a long-running process (Electron main, headless): an
 * unhandled rejection or an uncaught exception is logged with its stack through the
 * (redacting) logger instead of killing the process silently. The process keeps running:
 * every part of the engine owns its own errors, so reaching here is a bug to report, not a
 * reason to drop every account at once.
 */
import type { Logger } from './deps.js';

/** The part of `process` this needs (passed in: core reaches for nothing). */
export interface GuardedProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (err: Error) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (err: Error) => void): unknown;
}

/** What a log line says about an error: name, message and stack (never the whole object). */
export function describeError(err: unknown): { name: string; message: string; stack?: string } {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
  return { name: typeof err, message: String(err) };
}

/** Installs the handlers; returns a function that removes them. */
export function installProcessGuards(proc: GuardedProcess, logger: Logger): () => void {
  const log = logger.child('process');
  const onRejection = (reason: unknown) => {
    log.error('unhandled promise rejection (kept running)', { error: describeError(reason) });
  };
  const onException = (err: Error) => {
    log.error('uncaught exception (kept running)', { error: describeError(err) });
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
