/**
 * Keeps a window's renderer alive within bounds. A renderer that is gone (crashed, killed,
 * out of memory) is reloaded — at most `maxReloads` times in `windowMs`, so a page that dies
 * while loading does not reload forever; after that the window is left as it is and the
 * caller is told (`onGiveUp`). A renderer that stops responding (`unresponsive`: a busy loop,
 * a hung GPU process) is crashed on purpose after `hangMs` unless it answers again
 * (`responsive`), which takes it down the same bounded reload path.
 */
import type { WebContents } from 'electron';
import type { Clock, Logger } from '../../core/deps.js';

export interface RendererWatchOptions {
  name: string;
  logger: Logger;
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  reload(): void;
  onGiveUp?(): void;
  maxReloads?: number;
  windowMs?: number;
  hangMs?: number;
}

export const MAX_RELOADS = 3;
export const RELOAD_WINDOW_MS = 5 * 60_000;
export const HANG_MS = 10_000;

type Watched = Pick<WebContents, 'on' | 'isDestroyed' | 'forcefullyCrashRenderer'>;

export function watchRenderer(wc: Watched, opts: RendererWatchOptions): void {
  const max = opts.maxReloads ?? MAX_RELOADS;
  const windowMs = opts.windowMs ?? RELOAD_WINDOW_MS;
  const reloads: number[] = [];
  let gaveUp = false;
  let hang: unknown = null;

  wc.on('render-process-gone', (_event, details) => {
    if (gaveUp) return;
    const now = opts.clock.now();
    while (reloads.length > 0 && now - reloads[0]! >= windowMs) reloads.shift();
    if (reloads.length >= max) {
      gaveUp = true;
      opts.logger.error(`${opts.name} renderer keeps dying; not reloading it again`, {
        reason: details.reason,
        reloads: reloads.length,
      });
      opts.onGiveUp?.();
      return;
    }
    reloads.push(now);
    opts.logger.error(`${opts.name} renderer is gone; reloading it`, { reason: details.reason });
    opts.reload();
  });
  wc.on('unresponsive', () => {
    if (hang !== null) return;
    opts.logger.warn(`${opts.name} renderer is not responding`);
    hang = opts.clock.setTimeout(() => {
      hang = null;
      if (wc.isDestroyed()) return;
      opts.logger.error(`${opts.name} renderer stayed unresponsive; restarting it`);
      wc.forcefullyCrashRenderer();
    }, opts.hangMs ?? HANG_MS);
  });
  wc.on('responsive', () => {
    if (hang === null) return;
    opts.clock.clearTimeout(hang);
    hang = null;
    opts.logger.info(`${opts.name} renderer is responding again`);
  });
}
