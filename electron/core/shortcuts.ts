/**
 * Global shortcut settings (issue 9 §5), plain data: which action each accelerator triggers,
 * the defaults, and an accelerator check that names what is wrong. The registry that talks to
 * Electron's globalShortcut is electron/main/shortcuts.ts.
 *
 * Accelerators use Electron's syntax; `CommandOrControl` is Ctrl on Windows/Linux and ⌘ on
 * macOS (where Alt is ⌥), so one default fits every platform.
 */
import { z } from 'zod';

export const SHORTCUT_ACTIONS = ['declineNewest', 'ignoreNewest', 'declineAll', 'showMainWindow'] as const;
export type ShortcutAction = (typeof SHORTCUT_ACTIONS)[number];

export const DEFAULT_SHORTCUTS: Record<ShortcutAction, string | null> = {
  declineNewest: 'CommandOrControl+Alt+D',
  ignoreNewest: 'CommandOrControl+Alt+I',
  declineAll: 'CommandOrControl+Alt+Shift+D',
  showMainWindow: 'CommandOrControl+Alt+S',
};

const MODIFIERS = new Set(
  [
    'Command',
    'Cmd',
    'Control',
    'Ctrl',
    'CommandOrControl',
    'CmdOrCtrl',
    'Alt',
    'Option',
    'AltGr',
    'Shift',
    'Super',
    'Meta',
  ].map((m) => m.toLowerCase()),
);
const NAMED_KEYS = new Set(
  [
    'Plus',
    'Space',
    'Tab',
    'Capslock',
    'Numlock',
    'Scrolllock',
    'Backspace',
    'Delete',
    'Insert',
    'Return',
    'Enter',
    'Up',
    'Down',
    'Left',
    'Right',
    'Home',
    'End',
    'PageUp',
    'PageDown',
    'Escape',
    'Esc',
    'VolumeUp',
    'VolumeDown',
    'VolumeMute',
    'MediaNextTrack',
    'MediaPreviousTrack',
    'MediaStop',
    'MediaPlayPause',
    'PrintScreen',
    'num0',
    'num1',
    'num2',
    'num3',
    'num4',
    'num5',
    'num6',
    'num7',
    'num8',
    'num9',
    'numdec',
    'numadd',
    'numsub',
    'nummult',
    'numdiv',
  ].map((k) => k.toLowerCase()),
);

function isKey(part: string): boolean {
  if (/^[A-Za-z0-9]$/.test(part)) return true;
  if (/^F([1-9]|1[0-9]|2[0-4])$/i.test(part)) return true;
  if (/^[)!@#$%^&*(:;<>=?,_\-.~`{}[\]|\\/'"]$/.test(part)) return true;
  return NAMED_KEYS.has(part.toLowerCase());
}

/** Null when `value` is a usable global accelerator, else what is wrong with it. */
export function acceleratorProblem(value: string): string | null {
  const parts = value.split('+');
  // "Ctrl++" means Ctrl and the plus key.
  if (value.endsWith('++')) parts.splice(parts.length - 2, 2, 'Plus');
  if (parts.some((p) => p.trim() === '' || p !== p.trim()))
    return 'write keys joined by "+", e.g. CommandOrControl+Alt+D';
  const key = parts.at(-1)!;
  const mods = parts.slice(0, -1);
  const unknown = mods.find((m) => !MODIFIERS.has(m.toLowerCase()));
  if (unknown)
    return `"${unknown}" is not a modifier (use CommandOrControl, Control, Command, Alt, Option, Shift or Super)`;
  if (MODIFIERS.has(key.toLowerCase())) return 'end with a key, not a modifier (e.g. CommandOrControl+Alt+D)';
  if (!isKey(key)) return `"${key}" is not a key Electron knows`;
  if (mods.length === 0)
    return 'a global shortcut needs at least one modifier, or it would take the key from every app';
  if (new Set(mods.map((m) => m.toLowerCase())).size !== mods.length) return 'a modifier is repeated';
  return null;
}

const accelerator = z
  .string()
  .max(64)
  .superRefine((v, ctx) => {
    const problem = acceleratorProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .nullable();

/** `shortcuts` in settings: each action's accelerator, or null = off. Two actions cannot share one. */
export const shortcutsSchema = z
  .object({
    declineNewest: accelerator.default(DEFAULT_SHORTCUTS.declineNewest),
    ignoreNewest: accelerator.default(DEFAULT_SHORTCUTS.ignoreNewest),
    declineAll: accelerator.default(DEFAULT_SHORTCUTS.declineAll),
    showMainWindow: accelerator.default(DEFAULT_SHORTCUTS.showMainWindow),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Map<string, ShortcutAction>();
    for (const action of SHORTCUT_ACTIONS) {
      const v = s[action];
      if (v === null) continue;
      const key = normalise(v);
      const other = seen.get(key);
      if (other) ctx.addIssue({ code: 'custom', path: [action], message: `${v} is already the shortcut for ${other}` });
      else seen.set(key, action);
    }
  });
export type ShortcutSettings = z.infer<typeof shortcutsSchema>;

/** The same accelerator however it is spelled ("Ctrl+Alt+D" = "alt+control+d"). */
export function normalise(accelerator: string): string {
  const parts = accelerator.split('+').map((p) => p.toLowerCase());
  const key = parts.pop() ?? '';
  const alias: Record<string, string> = {
    ctrl: 'control',
    cmd: 'command',
    cmdorctrl: 'commandorcontrol',
    option: 'alt',
  };
  return [...parts.map((m) => alias[m] ?? m).sort(), key].join('+');
}

/** What the settings page shows for each action: registered, off, or why not. */
export interface ShortcutStatus {
  action: ShortcutAction;
  accelerator: string | null;
  state: 'registered' | 'off' | 'taken' | 'failed';
  /** For `taken` and `failed`: a sentence a person understands. */
  message?: string;
}
