import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHORTCUTS, type ShortcutStatus } from '../../electron/contract.js';
import { acceleratorText, ShortcutsSettings } from '../../renderer/src/app/ShortcutsSettings.js';
import { ToastStack } from '../../renderer/src/components/ToastStack.js';
import { invitation, renderWithStore, snapshot, testBridge } from './helpers.js';

const registered = (over: Partial<Record<string, ShortcutStatus['state']>> = {}): ShortcutStatus[] =>
  (Object.keys(DEFAULT_SHORTCUTS) as (keyof typeof DEFAULT_SHORTCUTS)[]).map((action) => {
    const state = over[action] ?? 'registered';
    const accelerator = DEFAULT_SHORTCUTS[action];
    return state === 'taken'
      ? { action, accelerator, state, message: `${accelerator} is in use by another application; choose another.` }
      : { action, accelerator, state };
  });

describe('keyboard shortcuts in settings', () => {
  it('shows a shortcut another application holds, and the rest as active', async () => {
    const tb = testBridge(snapshot({ shortcuts: registered({ ignoreNewest: 'taken' }) }));
    await renderWithStore(<ShortcutsSettings />, tb);
    const ignore = screen.getByRole('textbox', { name: 'Ignore the newest invitation' });
    expect(ignore.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toBe(
      'CommandOrControl+Alt+I is in use by another application; choose another.',
    );
    expect(screen.getByText('Active: Ctrl+Alt+D')).toBeTruthy();
    // A later registration (pushed by main) clears it.
    await act(async () => tb.emit({ type: 'shortcuts', shortcuts: registered() }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('saves a new accelerator on Enter, refuses a bad one naming the problem, and turns one off', async () => {
    const user = userEvent.setup();
    const tb = testBridge(snapshot({ shortcuts: registered() }));
    await renderWithStore(<ShortcutsSettings />, tb);
    const field = screen.getByRole('textbox', { name: 'Decline all' });
    await user.clear(field);
    await user.type(field, 'Ctrl+Alt{Enter}');
    expect(screen.getByRole('alert').textContent).toBe('end with a key, not a modifier (e.g. CommandOrControl+Alt+D)');
    expect(tb.callsOn('softphone:saveSettings')).toEqual([]);

    await user.type(field, '+F9{Enter}');
    expect(tb.callsOn('softphone:saveSettings')).toEqual([
      { shortcuts: { ...DEFAULT_SHORTCUTS, declineAll: 'Ctrl+Alt+F9' } },
    ]);

    await user.click(screen.getByRole('checkbox', { name: 'Show this window: shortcut on' }));
    expect(tb.callsOn('softphone:saveSettings').at(-1)).toEqual({
      shortcuts: { ...DEFAULT_SHORTCUTS, declineAll: 'Ctrl+Alt+F9', showMainWindow: null },
    });
    expect(screen.getByRole('textbox', { name: 'Show this window' }).hasAttribute('disabled')).toBe(true);
  });

  it('writes the defaults the macOS way on a Mac', () => {
    expect(acceleratorText('CommandOrControl+Alt+Shift+D', true)).toBe('⌘⌥⇧D');
    expect(acceleratorText('CommandOrControl+Alt+Shift+D', false)).toBe('Ctrl+Alt+Shift+D');
  });
});

describe('the ignore-newest shortcut in the toast window', () => {
  it('hides the newest ringing toast and sends nothing', async () => {
    const older = invitation({ from: { name: 'Older', uri: 'sip:o@x.com' } });
    const newer = invitation({ from: { name: 'Newer', uri: 'sip:n@x.com' } });
    const tb = testBridge(
      snapshot({
        ringing: [older, newer].map((inv) => ({ invitation: inv, phase: 'ringing' as const, error: null })),
      }),
    );
    await renderWithStore(<ToastStack />, tb);
    await act(async () => tb.emit({ type: 'ignoreNewest' }));
    const left = screen.getAllByRole('alertdialog');
    expect(left).toHaveLength(1);
    expect(within(left[0]!).getByText('Older')).toBeTruthy();
    expect(tb.calls.filter((c) => c.channel !== 'softphone:snapshot')).toEqual([]);
  });
});
