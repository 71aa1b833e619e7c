/**
 * "Start at login" from the settings. macOS and Windows: the OS login-item API. Linux, where
 * Electron's API does nothing: an XDG autostart entry (~/.config/autostart/*.desktop).
 * Only the installed app registers itself; a development run (`electron .`) never does.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'electron';
import type { Logger } from '../core/deps.js';

/** The argument a login start passes: start hidden in the tray. */
export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE = 'softphone.desktop';

export interface LoginItemDeps {
  app: Pick<App, 'setLoginItemSettings' | 'isPackaged'> & {
    getLoginItemSettings?(): { status?: string };
  };
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  execPath: string;
  logger: Logger;
  home?: string;
}

/** Quotes an Exec= argument as the Desktop Entry spec requires. */
export function desktopExecArg(arg: string): string {
  return /[\s"`$\\]/.test(arg) ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
}

export function autostartEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Softphone',
    'Comment=Incoming call and IM prompts',
    `Exec=${desktopExecArg(exec)} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart');
}

export async function applyLoginItem(on: boolean, deps: LoginItemDeps): Promise<void> {
  const log = deps.logger.child('loginItem');
  if (!deps.app.isPackaged) {
    if (on) log.info('start at login applies to the installed app only; not registering a development run');
    return;
  }
  if (deps.platform === 'linux') {
    const dir = autostartDir(deps.env, deps.home ?? homedir());
    const file = join(dir, AUTOSTART_FILE);
    if (on) {
      // An AppImage runs from a temporary mount: the autostart entry must name the image itself.
      const exec = deps.env.APPIMAGE || deps.execPath;
      await mkdir(dir, { recursive: true });
      await writeFile(file, autostartEntry(exec), { mode: 0o644 });
    } else {
      await rm(file, { force: true });
    }
    log.info(on ? 'registered to start at login' : 'no longer starts at login', { file });
    return;
  }
  // `args` reaches Windows only; a macOS login start is recognised by wasOpenedAtLogin.
  deps.app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_ARG] });
  if (deps.platform === 'darwin' && on) {
    // macOS 13+: the registration can wait for the user's approval, or be refused.
    const status = deps.app.getLoginItemSettings?.().status;
    if (status && status !== 'enabled') {
      log.warn('macOS has not enabled start at login', {
        status,
        fix:
          status === 'requires-approval'
            ? 'approve Softphone in System Settings > General > Login Items'
            : 'move Softphone to /Applications and turn the setting off and on again',
      });
      return;
    }
  }
  log.info(on ? 'registered to start at login' : 'no longer starts at login');
}
