/**
 * The built renderer in real Chromium, bridged to a real engine + simulator (see harness.ts).
 * Each test gets a fresh app, simulator and browser context; the browser and the static
 * server are shared by the file.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RingHandle } from '../../electron/simulator/index.js';
import { expectNoSeriousA11yViolations, e2eSession, type Host } from './harness.js';

const session = e2eSession();

async function toastPage(opts: Parameters<Host['open']>[1] = {}) {
  const host = await session.host();
  const p = await host.open('toast.html', opts);
  await waitForSnapshot(p.page);
  return { host, ...p };
}

/** The page asked for its snapshot and rendered (the stack container exists). */
async function waitForSnapshot(page: Page) {
  await page.locator('.toast-stack, .app-main').first().waitFor({ state: 'attached' });
}

const toasts = (page: Page) => page.getByRole('alertdialog');
const toastOf = (page: Page, name: string | RegExp) => page.getByRole('alertdialog', { name });
const decodedPath = (href: string, origin: string) => new URL(href, origin).pathname;

function declinePosts(h: Host, handle: RingHandle) {
  const path = decodedPath(handle.declineHref, h.sim.origin);
  return h.sim.server.requests.filter((r) => r.method === 'POST' && r.path === path);
}

describe('toast window in Chromium, against the real engine and simulator', () => {
  it('shows a toast with the right caller when an invitation arrives', async () => {
    const { host, page } = await toastPage();
    host.sim.ucwa.ring('phoneAudio', {
      fromName: 'Alice Example',
      fromUri: 'sip:alice@contoso.test',
      subject: 'Budget',
      importance: 'Urgent',
    });
    const toast = toastOf(page, /Incoming call from Alice Example/);
    await toast.waitFor();
    const text = await toast.innerText();
    expect(text).toContain('sip:alice@contoso.test');
    expect(text).toContain('Budget');
    expect(text).toContain('Urgent');
    expect(text).toContain('Call');
    expect(text).toContain('Demo (simulator)');
    // The window was told how big the stack is.
    await host.until('a non-empty toast size', () => (host.toastSizes.at(-1)?.height ?? 0) > 0);
    expect(host.toastSizes.at(-1)?.width).toBeGreaterThan(300);
  });

  it('Decline sends exactly one POST with reason Global to the decline link, then the toast goes', async () => {
    const { host, page } = await toastPage();
    const handle = host.sim.ucwa.ring('phoneAudio', { fromName: 'Bob Decline' });
    const toast = toastOf(page, /Bob Decline/);
    await toast.getByRole('button', { name: 'Decline', exact: true }).click();
    await toast.waitFor({ state: 'detached' });
    const posts = declinePosts(host, handle);
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({ reason: 'Global' });
    expect(host.sim.ucwa.declines().map((d) => d.reason)).toEqual(['Global']);
    expect(host.events).toContainEqual(expect.objectContaining({ type: 'ended', outcome: 'declined' }));
    expect(host.app.snapshot().history[0]).toMatchObject({ outcome: 'declined', declineReason: 'Global' });
    // Empty stack: the window is told to shrink to nothing.
    await host.until('an empty toast size', () => host.toastSizes.at(-1)?.height === 0);
  });

  it('"Decline on this device only" sends reason Local', async () => {
    const { host, page } = await toastPage();
    const handle = host.sim.ucwa.ring('messaging', { fromName: 'Carol Local', message: 'Are you there?' });
    const toast = toastOf(page, /Carol Local/);
    await toast.getByText('Are you there?').waitFor();
    await toast.getByRole('button', { name: 'More ways to decline' }).click();
    await page.getByRole('menuitem', { name: 'Decline on this device only' }).click();
    await toast.waitFor({ state: 'detached' });
    const posts = declinePosts(host, handle);
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({ reason: 'Local' });
  });

  it('Ignore hides the toast and sends nothing', async () => {
    const { host, page } = await toastPage();
    const handle = host.sim.ucwa.ring('onlineMeeting', { fromName: 'Dave Ignored' });
    const toast = toastOf(page, /Dave Ignored/);
    await toast.getByRole('button', { name: 'Ignore' }).click();
    await toast.waitFor({ state: 'detached' });
    // A round trip through the bridge: anything the click had sent would be recorded before it.
    await page.evaluate(() =>
      (window as unknown as { softphone: { snapshot(): Promise<unknown> } }).softphone.snapshot(),
    );
    expect(
      host.invokes.filter((i) => i.channel === 'softphone:decline' || i.channel === 'softphone:declineAll'),
    ).toEqual([]);
    expect(declinePosts(host, handle)).toEqual([]);
    expect(host.sim.ucwa.callState(handle)).toBe('ringing');
  });

  it('Escape on a focused toast ignores it', async () => {
    const { host, page } = await toastPage();
    host.sim.ucwa.ring('phoneAudio', { fromName: 'Erin Escape' });
    const toast = toastOf(page, /Erin Escape/);
    await toast.getByRole('button', { name: 'Decline', exact: true }).focus();
    await page.keyboard.press('Escape');
    await toast.waitFor({ state: 'detached' });
    expect(host.sim.ucwa.declines()).toEqual([]);
  });

  it('a caller who cancels takes the toast away', async () => {
    const { host, page } = await toastPage();
    const handle = host.sim.ucwa.ring('phoneAudio', { fromName: 'Frank Cancels' });
    const toast = toastOf(page, /Frank Cancels/);
    await toast.waitFor();
    host.sim.ucwa.cancel(handle);
    await toast.waitFor({ state: 'detached' });
    expect(host.sim.ucwa.declines()).toEqual([]);
    expect(host.app.snapshot().history[0]?.outcome).toBe('cancelled');
  });

  for (const status of [409, 500] as const) {
    it(`a decline answered ${status} shows the error on the toast, and Retry works`, async () => {
      const { host, page } = await toastPage();
      const handle = host.sim.ucwa.ring('phoneAudio', { fromName: `Grace ${status}` });
      const toast = toastOf(page, new RegExp(`Grace ${status}`));
      host.sim.ucwa.failNextDecline(status);
      await toast.getByRole('button', { name: 'Decline', exact: true }).click();
      const alert = toast.getByRole('alert');
      await alert.waitFor();
      expect((await alert.innerText()).length).toBeGreaterThan(10);
      const retry = toast.getByRole('button', { name: 'Retry' });
      await retry.click();
      await toast.waitFor({ state: 'detached' });
      expect(host.sim.ucwa.declines().map((d) => [d.status, d.reason])).toEqual([
        [status, 'Global'],
        [204, 'Global'],
      ]);
      expect(declinePosts(host, handle)).toHaveLength(2);
    });
  }

  it('a decline that finds the invitation gone (404) shows why briefly, then the toast goes', async () => {
    const { host, page } = await toastPage();
    host.sim.ucwa.ring('phoneAudio', { fromName: 'Hank Gone' });
    const toast = toastOf(page, /Hank Gone/);
    host.sim.ucwa.failNext('decline', { status: 404, code: 'NotFound', message: 'The invitation no longer exists.' });
    await toast.getByRole('button', { name: 'Decline', exact: true }).click();
    await toast.waitFor({ state: 'detached' });
    const ended = host.events.find((e) => e.type === 'ended');
    expect(ended).toMatchObject({ outcome: 'gone' });
    const message = ended?.type === 'ended' ? ended.message : undefined;
    expect(message).toBeTruthy();
    const farewell = page.getByRole('status').filter({ hasText: message! });
    await farewell.waitFor();
    await farewell.waitFor({ state: 'detached', timeout: 10_000 });
    await host.until('an empty toast size', () => host.toastSizes.at(-1)?.height === 0);
  });

  it('respects prefers-reduced-motion and prefers-color-scheme', async () => {
    const styleOf = (page: Page) =>
      page.getByRole('alertdialog').evaluate((el) => {
        const cs = getComputedStyle(el);
        return { animation: cs.animationName, background: cs.backgroundColor };
      });
    const a = await toastPage({ reducedMotion: 'no-preference', colorScheme: 'light' });
    a.host.sim.ucwa.ring('phoneAudio', { fromName: 'Ivy Motion' });
    await a.page.getByRole('alertdialog').waitFor();
    const moving = await styleOf(a.page);
    await a.page.emulateMedia({ reducedMotion: 'reduce', colorScheme: 'dark' });
    const still = await styleOf(a.page);
    expect(moving.animation).toBe('toast-in');
    expect(still.animation).toBe('none');
    expect(moving.background).toBe('rgb(255, 255, 255)');
    expect(still.background).not.toBe(moving.background);
  });

  it('renders a display name like <img src=x onerror=alert(1)> as text', async () => {
    const { host, page, dialogs } = await toastPage();
    const hostile = '<img src=x onerror=alert(1)>';
    host.sim.ucwa.ring('messaging', {
      fromName: hostile,
      subject: '<script>alert(2)</script>',
      message: '<b onmouseover=alert(3)>hi</b>',
    });
    const toast = page.getByRole('alertdialog');
    await toast.waitFor();
    expect(await toast.getByRole('heading').innerText()).toContain(hostile);
    expect(await toast.innerText()).toContain('<script>alert(2)</script>');
    expect(await page.locator('img, script:not([src]), b').count()).toBe(0);
    await toast.hover();
    expect(dialogs).toEqual([]);
  });

  it('six invitations at once show four toasts, "+2 more" and Decline all', async () => {
    const { host, page } = await toastPage();
    host.sim.ucwa.burst(6, ['phoneAudio', 'messaging', 'onlineMeeting', 'audioVideo']);
    await page.getByText('+2 more').waitFor();
    expect(await toasts(page).count()).toBe(4);
    const declineAll = page.getByRole('button', { name: 'Decline all (6)' });
    await declineAll.click();
    await page.waitForFunction(() => document.querySelectorAll('[role="alertdialog"]').length === 0);
    const declines = host.sim.ucwa.declines();
    expect(declines).toHaveLength(6);
    expect(new Set(declines.map((d) => d.callId)).size).toBe(6);
  });

  it('has no serious or critical accessibility violation on the toast page (light and dark)', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { host: h, page } = await toastPage({ colorScheme });
      h.sim.ucwa.ring('messaging', {
        fromName: 'Heidi Axe',
        subject: 'Quick question',
        importance: 'Emergency',
        message: 'Call me back',
      });
      h.sim.ucwa.ring('phoneAudio', { fromName: 'Ivan Axe', importance: 'Urgent' });
      await page.getByRole('button', { name: 'Decline all (2)' }).waitFor();
      // The menu open, too: its items are part of what a keyboard user meets.
      await toastOf(page, /Ivan Axe/)
        .getByRole('button', { name: 'More ways to decline' })
        .click();
      await expectNoSeriousA11yViolations(page, colorScheme);
      await h.close();
    }
  });

  it('has no serious or critical accessibility violation on the main window page (light and dark)', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const h = await session.host();
      const handle = h.sim.ucwa.ring('phoneAudio', { fromName: 'Judy History' });
      await h.until('the invitation', () => h.events.some((e) => e.type === 'invitation'));
      h.sim.ucwa.cancel(handle);
      await h.until('its end', () => h.events.some((e) => e.type === 'ended'));
      const p = await h.open('index.html', { colorScheme });
      const { page } = p;
      await page.getByText(/Demo mode: running against the built-in simulator/).waitFor();
      await page.getByRole('table').waitFor();
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.getByRole('form', { name: 'Add an account' }).getByRole('button', { name: 'Add account' }).click();
      await page.getByText('Please fix', { exact: false }).waitFor();
      await expectNoSeriousA11yViolations(page, colorScheme);
      await h.close();
    }
  });

  it('the main window says it is in demo mode and its buttons ring the simulator', async () => {
    const host = await session.host();
    const p = await host.open('index.html');
    const toast = await host.open('toast.html');
    await p.page
      .getByText('Demo mode: running against the built-in simulator — add an account to connect to your server')
      .waitFor();
    await p.page.getByRole('button', { name: 'Simulate IM' }).click();
    await toast.page.getByRole('alertdialog', { name: /^Instant message from/ }).waitFor();
    await p.page.getByRole('heading', { name: 'Ringing now' }).waitFor();
    await mkdir('test-results', { recursive: true });
    await p.page.screenshot({ path: 'test-results/main-window.png', fullPage: true });
  });

  it('saves a screenshot of the toast stack', async () => {
    const { host, page } = await toastPage({ viewport: { width: 420, height: 900 }, reducedMotion: 'reduce' });
    host.sim.ucwa.ring('phoneAudio', {
      fromName: 'Kim Caller',
      subject: 'Project kickoff',
      fromUri: 'sip:kim@contoso.test',
    });
    host.sim.ucwa.ring('onlineMeeting', { fromName: 'Leo Meeting', subject: 'Weekly sync', importance: 'Urgent' });
    const failing = host.sim.ucwa.ring('messaging', {
      fromName: 'Mia Message',
      message: 'Do you have a minute to look at the report?',
      importance: 'Emergency',
    });
    const mia = toastOf(page, /Mia Message/);
    host.sim.ucwa.failNextDecline(500);
    await mia.getByRole('button', { name: 'Decline', exact: true }).click();
    await mia.getByRole('alert').waitFor();
    expect(host.sim.ucwa.callState(failing)).toBe('ringing');
    await page.getByRole('button', { name: 'Decline all (3)' }).waitFor();
    await mkdir('test-results', { recursive: true });
    await page.locator('.toast-stack').screenshot({ path: 'test-results/toast-stack.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('.toast-stack').screenshot({ path: 'test-results/toast-stack-dark.png' });
  });
});
