/**
 * The keyboard-shortcut settings in real Chromium, on the built main-window page bridged to a
 * real SoftphoneApp. The browser host has no Electron shell, so the test reports what a shell
 * would (one shortcut held by another application) through the app's own `reportShortcuts`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHORTCUTS, SHORTCUT_ACTIONS } from '../../electron/contract.js';
import { e2eSession, expectNoSeriousA11yViolations } from './harness.js';

const session = e2eSession();

describe('keyboard shortcuts in settings (Chromium, real app)', () => {
  it('shows a taken shortcut, saves a new one to settings.json, and passes axe', async () => {
    const host = await session.host();
    host.app.reportShortcuts(
      SHORTCUT_ACTIONS.map((action) =>
        action === 'declineNewest'
          ? {
              action,
              accelerator: DEFAULT_SHORTCUTS[action],
              state: 'taken' as const,
              message: 'CommandOrControl+Alt+D is in use by another application; choose another shortcut.',
            }
          : { action, accelerator: DEFAULT_SHORTCUTS[action], state: 'registered' as const },
      ),
    );
    const { page } = await host.open('index.html', { viewport: { width: 900, height: 1400 } });
    const group = page.getByRole('group', { name: /Keyboard shortcuts/ });
    await group
      .getByText('CommandOrControl+Alt+D is in use by another application; choose another shortcut.')
      .waitFor();
    await mkdir('test-results', { recursive: true });
    await group.screenshot({ path: 'test-results/settings-shortcuts.png' });
    await expectNoSeriousA11yViolations(page, 'shortcut settings');

    const field = group.getByRole('textbox', { name: 'Decline the newest invitation' });
    await field.fill('CommandOrControl+Alt+Shift+X');
    await field.press('Enter');
    // The `settings` event follows the write of settings.json.
    await host.until('the new shortcut saved', () =>
      host.events.some(
        (e) => e.type === 'settings' && e.settings.shortcuts.declineNewest === 'CommandOrControl+Alt+Shift+X',
      ),
    );
    const saved = JSON.parse(await readFile(join(host.dataDir, 'settings.json'), 'utf8'));
    expect(saved.settings.shortcuts).toEqual({ ...DEFAULT_SHORTCUTS, declineNewest: 'CommandOrControl+Alt+Shift+X' });
  });
});
