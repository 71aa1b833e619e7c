/**
 * In Chromium on the built pages, bridged to a real app + simulator (see harness.ts):
 * issue 7's "Try signing in again" on an account whose password the server refused, and
 * issue 9's Retry on a toast whose reply failed to decline (it sends the same reply again).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../electron/simulator/ucwa.js';
import { e2eSession, expectNoSeriousA11yViolations } from './harness.js';

const session = e2eSession();
const ready = (page: Page) => page.locator('.toast-stack, .app-main').first().waitFor({ state: 'attached' });

describe('retry, in Chromium', () => {
  it('"Try signing in again" appears on a refused password and signs the account in once the server takes it', async () => {
    const host = await session.host();
    const { page } = await host.open('index.html');
    await ready(page);
    const grants = () => host.sim.server.find((r) => r.method === 'POST' && r.path.endsWith('/oauthtoken')).length;
    host.sim.ucwa.changePassword(DEMO_USER.username, 'changed-by-the-admin');
    host.sim.ucwa.expireTokens();
    host.sim.ucwa.ring('messaging'); // answers the held P-GET; the next one meets the 401
    const button = page.getByRole('button', { name: /^Try signing in again/ });
    await button.waitFor();
    await expect(page.getByText(/refused the password/).count()).resolves.toBeGreaterThan(0);
    await expectNoSeriousA11yViolations(page, 'main window with an account in error');
    const refused = grants();
    host.sim.ucwa.changePassword(DEMO_USER.username, DEMO_USER.password);
    await button.click();
    await host.until('the account connected again', () =>
      host.app.snapshot().accounts.some((a) => a.accountId === 'demo-ucwa' && a.state === 'connected'),
    );
    await button.waitFor({ state: 'detached' });
    expect(grants()).toBe(refused + 1);
    expect(host.invokes.filter((i) => i.channel === 'softphone:retryAccount')).toEqual([
      { channel: 'softphone:retryAccount', payload: { accountId: 'demo-ucwa' } },
    ]);
  });

  it('Retry on a toast whose reply failed to decline sends the same reply again', async () => {
    const host = await session.host();
    const { page } = await host.open('toast.html');
    await ready(page);
    host.sim.ucwa.failNextDecline(500);
    host.sim.ucwa.ring('phoneAudio', { fromName: 'Lene Aaling', fromUri: 'sip:lenea@contoso.com' });
    const toast = page.getByRole('alertdialog', { name: /Lene Aaling/ });
    await toast.getByRole('button', { name: 'Reply with a message' }).click();
    await page.getByRole('menuitem', { name: 'On my way, 10 minutes.' }).click();
    await toast.getByRole('alert').filter({ hasText: 'Decline failed, so the reply was not sent' }).waitFor();
    expect(host.sim.ucwa.replies()).toEqual([]);
    await toast.getByRole('button', { name: 'Retry' }).click();
    await toast.waitFor({ state: 'detached' });
    await host.until('the reply at the simulator', () => host.sim.ucwa.replies().length === 1);
    expect(host.sim.ucwa.replies()[0]).toMatchObject({ to: 'sip:lenea@contoso.com', text: 'On my way, 10 minutes.' });
    expect(host.invokes.filter((i) => i.channel === 'softphone:decline')).toEqual([]);
    await host.until('replySent', () => host.events.some((e) => e.type === 'replySent'));
    expect(host.app.snapshot().history[0]).toMatchObject({ outcome: 'declined', reply: 'On my way, 10 minutes.' });
  });
});
