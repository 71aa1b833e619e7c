import type { LogFields, Logger } from './deps.js';

/** Field names whose values never reach a log line. */
const SECRET_KEY = /pass(word)?|secret|token|authorization|assertion|cookie|cwt|key$/i;

/** Copies `fields`, replacing every secret-looking value by '[redacted]' (deeply). */
export function redact(fields: unknown, depth = 0): unknown {
  if (depth > 6 || fields === null || typeof fields !== 'object') return fields;
  if (fields instanceof Error) return { name: fields.name, message: fields.message };
  if (Array.isArray(fields)) return fields.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing one redacted line per entry through `write` (stderr in headless). */
export function createLogger(
  write: (line: string) => void,
  opts: { level?: LogLevel; scope?: string; now?: () => number } = {},
): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const now = opts.now ?? Date.now;
  const make = (scope: string): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (ORDER[level] < min) return;
      const extra = fields ? ' ' + JSON.stringify(redact(fields)) : '';
      write(`${new Date(now()).toISOString()} ${level.padEnd(5)} [${scope}] ${msg}${extra}`);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (s) => make(scope ? `${scope}:${s}` : s),
    };
  };
  return make(opts.scope ?? 'softphone');
}

/** A logger that drops everything (for benchmarks). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
