import type { LogFields, Logger } from '../../electron/core/deps.js';
import { createAppPages, type AppPages } from '../../electron/main/pages.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  scope: string;
  msg: string;
  fields?: LogFields;
}

/** A logger that keeps every line, so tests can see what was rejected and why. */
export function recordingLogger(lines: LogLine[] = [], scope = 'test'): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (msg: string, fields?: LogFields): void => {
      lines.push(fields ? { level, scope, msg, fields } : { level, scope, msg });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (s) => recordingLogger(lines, `${scope}:${s}`),
  };
}

/** The pages of a built app installed at /opt/softphone/resources/app. */
export const BUILT_MAIN_DIR = '/opt/softphone/resources/app/out/main';
export function builtPages(): AppPages {
  return createAppPages({ mainDir: BUILT_MAIN_DIR });
}
