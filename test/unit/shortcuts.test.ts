import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, formatZodError, settingsSchema } from '../../electron/core/config.js';
import { acceleratorProblem, DEFAULT_SHORTCUTS, normalise } from '../../electron/core/shortcuts.js';

describe('shortcut settings', () => {
  it('defaults to Ctrl+Alt (⌘⌥ on macOS) + D, I, Shift+D and S', () => {
    expect(DEFAULT_SETTINGS.shortcuts).toEqual({
      declineNewest: 'CommandOrControl+Alt+D',
      ignoreNewest: 'CommandOrControl+Alt+I',
      declineAll: 'CommandOrControl+Alt+Shift+D',
      showMainWindow: 'CommandOrControl+Alt+S',
    });
    // A settings file written before shortcuts existed gets the defaults.
    expect(settingsSchema.parse({ ringtone: false }).shortcuts).toEqual(DEFAULT_SHORTCUTS);
  });

  it.each([
    ['CommandOrControl+Alt+D', null],
    ['Ctrl+Shift+F12', null],
    ['Super+Space', null],
    ['Alt+numadd', null],
    ['Ctrl++', null],
    ['D', 'a global shortcut needs at least one modifier, or it would take the key from every app'],
    ['Ctrl+Alt', 'end with a key, not a modifier (e.g. CommandOrControl+Alt+D)'],
    ['Ctrl+Hyper+D', '"Hyper" is not a modifier (use CommandOrControl, Control, Command, Alt, Option, Shift or Super)'],
    ['Ctrl+Alt+Foo', '"Foo" is not a key Electron knows'],
    ['Ctrl + D', 'write keys joined by "+", e.g. CommandOrControl+Alt+D'],
    ['Ctrl+Ctrl+D', 'a modifier is repeated'],
  ])('%s → %s', (value, problem) => {
    expect(acceleratorProblem(value)).toBe(problem);
  });

  it('names the action of a bad or duplicated accelerator; null turns one off', () => {
    const problems = (shortcuts: unknown) => {
      const r = settingsSchema.safeParse({ shortcuts });
      return r.success ? '' : formatZodError(r.error);
    };
    expect(problems({ ...DEFAULT_SHORTCUTS, ignoreNewest: null })).toBe('');
    expect(problems({ ...DEFAULT_SHORTCUTS, declineAll: 'Shift' })).toBe(
      'shortcuts.declineAll: end with a key, not a modifier (e.g. CommandOrControl+Alt+D)',
    );
    expect(problems({ ...DEFAULT_SHORTCUTS, showMainWindow: 'alt+cmdorctrl+d' })).toBe(
      'shortcuts.showMainWindow: alt+cmdorctrl+d is already the shortcut for declineNewest',
    );
    expect(problems({ ...DEFAULT_SHORTCUTS, answer: 'Ctrl+Alt+A' })).toMatch(/^shortcuts: Unrecognized key/);
    expect(normalise('Ctrl+Option+D')).toBe(normalise('Alt+Control+D'));
    expect(normalise('Ctrl+Alt+D')).not.toBe(normalise('Ctrl+Alt+Shift+D'));
  });
});
