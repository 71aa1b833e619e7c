/**
 * How the app starts: was this a login start (then it may live in the tray), and is there a
 * tray to live in? A start by the user shows the main window; so does a login start when no
 * tray host exists (GNOME without the AppIndicator extension shows no tray at all), because an
 * app with no window and no icon looks dead.
 */
import { execFile } from 'node:child_process';
import { HIDDEN_ARG } from './loginItem.js';

/** Login start: `--hidden` (Windows login item args, the Linux autostart entry) or macOS' own flag. */
export function isLoginStart(
  argv: readonly string[],
  platform: NodeJS.Platform,
  app: { getLoginItemSettings(): { wasOpenedAtLogin?: boolean } },
): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  // macOS passes no arguments to a login item; it reports the login launch itself.
  if (platform === 'darwin') return app.getLoginItemSettings().wasOpenedAtLogin === true;
  return false;
}

export type RunCommand = (file: string, args: string[]) => Promise<string>;

const runCommand: RunCommand = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 2_000 }, (err, stdout) => (err ? reject(err) : resolve(String(stdout))));
  });

/**
 * Is there something to show a tray icon? Windows and macOS always have one. On Linux Electron
 * uses StatusNotifierItem: an icon appears only while some process owns
 * org.kde.StatusNotifierWatcher on the session bus (KDE, most desktops; GNOME only with the
 * AppIndicator extension). Unknown (no gdbus, no session bus) counts as no.
 */
export async function hasTrayHost(platform: NodeJS.Platform, run: RunCommand = runCommand): Promise<boolean> {
  if (platform !== 'linux') return true;
  try {
    const out = await run('gdbus', [
      'call',
      '--session',
      '--dest',
      'org.freedesktop.DBus',
      '--object-path',
      '/org/freedesktop/DBus',
      '--method',
      'org.freedesktop.DBus.NameHasOwner',
      'org.kde.StatusNotifierWatcher',
    ]);
    return /\(true,?\)/.test(out);
  } catch {
    return false;
  }
}

/** Show the main window at start? */
export function showAtStart(s: { loginStart: boolean; trayHost: boolean; requested: boolean }): boolean {
  return s.requested || !s.loginStart || !s.trayHost;
}
