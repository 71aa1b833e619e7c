/**
 * Global shortcuts (issue 9 §5): the toast never takes focus, so keyboard users decline,
 * ignore, decline all and open the main window from anywhere.
 *
 * Glue only. `ShortcutRegistry` registers the settings' accelerators with Electron's
 * `globalShortcut` and reports each one's fate — registered, off, taken (another application
 * holds it: `register` returned false) or failed (Electron refused the accelerator). It
 * re-registers when the settings change and unregisters everything on quit. The shortcuts are
 * registered for as long as the app runs (not only while something rings), so a taken one is
 * reported at once, in settings.
 */
import type { AppEvent, Settings, ShortcutAction, ShortcutStatus } from '../contract.js';
import { SHORTCUT_ACTIONS } from '../contract.js';
import type { Logger } from '../core/deps.js';

/** The part of Electron's globalShortcut this uses. */
export interface GlobalShortcutApi {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
  isRegistered(accelerator: string): boolean;
  unregisterAll(): void;
}

export type ShortcutHandlers = Record<ShortcutAction, () => void>;

const LABELS: Record<ShortcutAction, string> = {
  declineNewest: 'Decline the newest invitation',
  ignoreNewest: 'Ignore the newest invitation',
  declineAll: 'Decline all',
  showMainWindow: 'Show the main window',
};

export class ShortcutRegistry {
  /** Accelerators this registry holds, so a settings change releases exactly those. */
  private held: string[] = [];
  private status: ShortcutStatus[] = [];

  constructor(
    private readonly deps: {
      globalShortcut: GlobalShortcutApi;
      handlers: ShortcutHandlers;
      logger: Logger;
    },
  ) {}

  current(): ShortcutStatus[] {
    return this.status;
  }

  /** Releases what it held and registers `shortcuts`; returns each action's status. */
  apply(shortcuts: Settings['shortcuts']): ShortcutStatus[] {
    const { globalShortcut, logger } = this.deps;
    for (const acc of this.held) globalShortcut.unregister(acc);
    this.held = [];
    this.status = SHORTCUT_ACTIONS.map((action): ShortcutStatus => {
      const accelerator = shortcuts[action];
      if (accelerator === null) return { action, accelerator, state: 'off' };
      let ok: boolean;
      try {
        ok = globalShortcut.register(accelerator, () => this.run(action));
      } catch (err) {
        logger.warn('a global shortcut was refused', { action, accelerator, err });
        return {
          action,
          accelerator,
          state: 'failed',
          message: `${accelerator} could not be used: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
      if (!ok) {
        logger.warn('a global shortcut is held by another application', { action, accelerator });
        return {
          action,
          accelerator,
          state: 'taken',
          message: `${accelerator} is in use by another application; choose another shortcut for “${LABELS[action]}”.`,
        };
      }
      this.held.push(accelerator);
      return { action, accelerator, state: 'registered' };
    });
    logger.info('global shortcuts', {
      registered: this.status.filter((s) => s.state === 'registered').map((s) => s.accelerator),
    });
    return this.status;
  }

  /** On quit: nothing stays registered. */
  dispose(): void {
    this.held = [];
    this.deps.globalShortcut.unregisterAll();
  }

  private run(action: ShortcutAction): void {
    try {
      this.deps.handlers[action]();
    } catch (err) {
      this.deps.logger.warn('a global shortcut action failed', { action, err });
    }
  }
}

/** What the shortcuts need from the application (SoftphoneApp fits). */
export interface ShortcutHost {
  currentSettings(): Settings;
  snapshot(): { ringing: { invitation: { id: string }; phase: string }[] };
  on(listener: (e: AppEvent) => void): () => void;
  reportShortcuts(shortcuts: ShortcutStatus[]): void;
  ignoreNewest(): void;
}

/**
 * Wires the registry to the app: the actions go through the same handlers as the pages
 * (decline → engine), settings changes re-register, and every result is reported to the pages.
 * Returns the registry; call `dispose()` on quit.
 */
export function startShortcuts(deps: {
  globalShortcut: GlobalShortcutApi;
  host: ShortcutHost;
  decline(id: string): Promise<unknown>;
  declineAll(): Promise<unknown>;
  showMainWindow(): void;
  logger: Logger;
}): ShortcutRegistry {
  const { host, logger } = deps;
  const fail = (what: string) => (err: unknown) => logger.warn(`${what} (shortcut) failed`, { err });
  const registry = new ShortcutRegistry({
    globalShortcut: deps.globalShortcut,
    logger,
    handlers: {
      declineNewest: () => {
        const newest = host
          .snapshot()
          .ringing.filter((r) => r.phase === 'ringing')
          .at(-1);
        if (newest) void deps.decline(newest.invitation.id).catch(fail('decline'));
      },
      ignoreNewest: () => host.ignoreNewest(),
      declineAll: () => void deps.declineAll().catch(fail('decline all')),
      showMainWindow: () => deps.showMainWindow(),
    },
  });
  let applied = JSON.stringify(host.currentSettings().shortcuts);
  host.reportShortcuts(registry.apply(host.currentSettings().shortcuts));
  host.on((e) => {
    if (e.type !== 'settings') return;
    const next = JSON.stringify(e.settings.shortcuts);
    if (next === applied) return;
    applied = next;
    host.reportShortcuts(registry.apply(e.settings.shortcuts));
  });
  return registry;
}
