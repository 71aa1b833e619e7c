/**
 * Logout, restart and shutdown: the OS is ending the session, and the app must sign out
 * (UCWA: DELETE the application) quickly and never stand in the way.
 *
 * - macOS and Linux: `powerMonitor` 'shutdown' (macOS: the OS is about to log out, restart
 *   or power off; Linux: systemd's PrepareForShutdown). On macOS the OS then asks the app to
 *   quit: `before-quit` must not be prevented then, or macOS reports that the app interrupted
 *   logout — `ending` tells the quit handler so.
 * - Windows: `before-quit` is not emitted at logoff or shutdown (electron/electron#9613); a
 *   window gets 'query-session-end' (WM_QUERYENDSESSION — never prevented here, which would
 *   block the logoff) and then 'session-end' (WM_ENDSESSION: the process ends right after).
 *
 * Whichever comes first starts one sign-out, bounded by `boundMs`; then `onDone` runs.
 */
import type { Clock, Logger } from '../core/deps.js';

/** How long signing out may take while the OS ends the session. */
export const SESSION_END_BOUND_MS = 2_000;

interface Emitter {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface SessionEndOptions {
  platform: NodeJS.Platform;
  powerMonitor: Emitter;
  logger: Logger;
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  signOut(): Promise<void>;
  /** Signed out (or the bound passed): quit now. */
  onDone(): void;
  boundMs?: number;
}

export class SessionEnd {
  private started: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly opts: SessionEndOptions) {
    this.log = opts.logger.child('sessionEnd');
    // Typed for Linux and macOS; Windows has no such event (its windows get session-end instead).
    opts.powerMonitor.on('shutdown', () => void this.begin('shutdown'));
  }

  /** True once the OS is ending the session: quitting must not be delayed or prevented. */
  get ending(): boolean {
    return this.started !== null;
  }

  /** Windows: the session-end messages come to top-level windows. */
  watchWindow(win: Emitter): void {
    if (this.opts.platform !== 'win32') return;
    win.on('query-session-end', (event) => {
      // Never event.preventDefault(): that would block the user's logoff or shutdown.
      void this.begin('query-session-end', event);
    });
    win.on('session-end', (event) => void this.begin('session-end', event));
  }

  /** Starts the bounded sign-out once; later calls get the same promise. */
  begin(why: string, event?: unknown): Promise<void> {
    if (this.started) return this.started;
    const reasons = (event as { reasons?: string[] } | undefined)?.reasons;
    this.log.info('the session is ending: signing out', { why, ...(reasons ? { reasons } : {}) });
    let timer: unknown = null;
    const bound = new Promise<'timeout'>((resolve) => {
      timer = this.opts.clock.setTimeout(() => resolve('timeout'), this.opts.boundMs ?? SESSION_END_BOUND_MS);
    });
    const signOut = this.opts.signOut().then(
      () => 'done' as const,
      (err: unknown) => {
        this.log.warn('sign-out at session end failed', { err });
        return 'done' as const;
      },
    );
    this.started = Promise.race([signOut, bound]).then((how) => {
      this.opts.clock.clearTimeout(timer);
      if (how === 'timeout') this.log.warn('sign-out did not finish in time; leaving anyway');
      this.opts.onDone();
    });
    return this.started;
  }
}
