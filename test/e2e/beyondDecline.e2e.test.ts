/**
 * Issue 9 in Chromium on the built pages, bridged to a real app + simulator (see harness.ts):
 * reply with a message (quick reply on the toast; Custom… composed in the main window), Do Not
 * Disturb mirrored into the simulator's presence, and timed DND ending by itself on a steered
 * clock. Screenshots of the new menus go to test-results/.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SteerableClock } from '../support/steerableClock.js';
import { e2eSession, expectNoSeriousA11yViolations } from './harness.js';

const session = e2eSession();
beforeAll(async () => {
  await mkdir('test-results', { recursive: true });
});

const toastOf = (page: Page, name: string | RegExp) => page.getByRole('alertdialog', { name });
const ready = (page: Page) => page.locator('.toast-stack, .app-main').first().waitFor({ state: 'attached' });

describe('reply with a message, in Chromium', () => {
  it('a quick reply from the toast declines and sends the text to the caller', async () => {
    const host = await session.host();
    const { page } = await host.open('toast.html');
    await ready(page);
    host.sim.ucwa.ring('phoneAudio', { fromName: 'Lene Aaling', fromUri: 'sip:lenea@contoso.com' });
    const toast = toastOf(page, /Lene Aaling/);
    await toast.getByRole('button', { name: 'Reply with a message' }).click();
    const menu = page.getByRole('menu', { name: 'Reply with a message' });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual([
      "In a meeting — I'll call you back.",
      "Can't talk now. Send me an IM?",
      'On my way, 10 minutes.',
      'Custom…',
    ]);
    await expectNoSeriousA11yViolations(page, 'toast with the reply menu open');
    await page.locator('.toast-stack').screenshot({ path: 'test-results/reply-menu.png' });
    await menu.getByRole('menuitem', { name: "Can't talk now. Send me an IM?" }).click();
    await toast.waitFor({ state: 'detached' });
    await host.until('the reply at the simulator', () => host.sim.ucwa.replies().length === 1);
    expect(host.sim.ucwa.declines().map((d) => d.reason)).toEqual(['Global']);
    expect(host.sim.ucwa.replies()[0]).toMatchObject({
      to: 'sip:lenea@contoso.com',
      text: "Can't talk now. Send me an IM?",
    });
    await host.until('replySent', () => host.events.some((e) => e.type === 'replySent'));
    expect(host.app.snapshot().history[0]).toMatchObject({
      outcome: 'declined',
      reply: "Can't talk now. Send me an IM?",
    });
  });

  it('Custom… opens the main window entry with a text field; Send declines and sends it', async () => {
    const host = await session.host();
    const toastPage = (await host.open('toast.html')).page;
    const mainPage = (await host.open('index.html')).page;
    await ready(toastPage);
    await ready(mainPage);
    host.sim.ucwa.ring('messaging', { fromName: 'Mia Custom', fromUri: 'sip:mia@contoso.com', message: 'Lunch?' });
    const toast = toastOf(toastPage, /Mia Custom/);
    await toast.getByRole('button', { name: 'Reply with a message' }).click();
    await toastPage.getByRole('menuitem', { name: 'Custom…' }).click();
    // Nothing was sent from the toast; the main window composes.
    expect(host.sim.ucwa.declines()).toEqual([]);
    const field = mainPage.getByRole('textbox', { name: 'Message to Mia Custom' });
    await field.waitFor();
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
    await field.fill('Yes — 12:30 at the usual place');
    await mainPage.locator('.panel').first().screenshot({ path: 'test-results/reply-custom.png' });
    await mainPage.getByRole('button', { name: 'Send' }).click();
    await toast.waitFor({ state: 'detached' });
    await host.until('the custom reply at the simulator', () => host.sim.ucwa.replies().length === 1);
    expect(host.sim.ucwa.replies()[0]).toMatchObject({
      to: 'sip:mia@contoso.com',
      text: 'Yes — 12:30 at the usual place',
    });
    await mainPage.getByText('· replied: Yes — 12:30 at the usual place').waitFor();
  });

  it('a Graph call offers no reply', async () => {
    const host = await session.host();
    const { page } = await host.open('toast.html');
    await ready(page);
    await host.sim.graph.ringCall({ shape: 'current', from: { name: 'Adele Teams' } });
    const toast = toastOf(page, /Adele Teams/);
    await toast.waitFor();
    expect(await toast.getByRole('button', { name: 'Reply with a message' }).count()).toBe(0);
  });
});

describe('Do Not Disturb that the server honours, in Chromium', () => {
  it('the main window switch sets and resets the simulator presence', async () => {
    const host = await session.host();
    const { page } = await host.open('index.html');
    await ready(page);
    const dnd = page.getByRole('switch', { name: 'Do Not Disturb' });
    // A controlled switch: it flips once the engine confirmed, so click and wait for the state.
    await dnd.click();
    await page.getByRole('switch', { name: 'Do Not Disturb', checked: true }).waitFor();
    await host.until('presence DoNotDisturb', () => host.sim.ucwa.availabilityOf() === 'DoNotDisturb');
    await dnd.click();
    await page.getByRole('switch', { name: 'Do Not Disturb', checked: false }).waitFor();
    await host.until('presence reset', () => host.sim.ucwa.presencePosts().length === 2);
    expect(host.sim.ucwa.presencePosts().map((p) => p.availability)).toEqual(['DoNotDisturb', null]);
    expect(host.sim.ucwa.availabilityOf()).toBe('Online');
  });

  it('timed DND ("For 30 minutes") shows its end and ends by itself on the steered clock', async () => {
    const clock = new SteerableClock();
    const host = await session.host({ clock });
    const { page } = await host.open('index.html');
    await ready(page);
    await page.getByLabel('Do Not Disturb for').selectOption({ label: 'For 30 minutes' });
    await page.getByRole('status').filter({ hasText: 'min left' }).waitFor();
    expect(await page.getByRole('switch', { name: 'Do Not Disturb' }).isChecked()).toBe(true);
    await host.until('presence DoNotDisturb', () => host.sim.ucwa.availabilityOf() === 'DoNotDisturb');
    await page.locator('.app-header').screenshot({ path: 'test-results/dnd-timed.png' });
    const until = host.app.snapshot().dndUntil!;
    expect(until - clock.now()).toBeGreaterThan(29 * 60_000);
    clock.pause();
    clock.advance(until - clock.now());
    clock.resume();
    await host.until('DND ended', () => host.events.some((e) => e.type === 'dnd' && !e.on));
    await page.getByRole('switch', { name: 'Do Not Disturb', checked: false }).waitFor();
    await host.until('presence reset', () => host.sim.ucwa.availabilityOf() === 'Online', 20_000);
  });
});

describe('the tray menu items (rendered for a screenshot)', () => {
  it('renders the call-forwarding and timed-DND submenus as the tray builds them', async () => {
    const { forwardingItems, forwardingRows, timedDndItem } = await import('../../electron/main/trayFeatures.js');
    const host = await session.host();
    await host.app.engine.setForwarding('demo-ucwa', 'sip:reception@softphone.test');
    const snap = host.app.snapshot();
    const actions = { setDndUntil: () => undefined, setForwarding: () => undefined };
    const items = [
      ...timedDndItem(null, false, actions, Date.now()),
      ...forwardingItems(forwardingRows(snap), actions, (t) => t),
    ];
    const checked = (items[1]!.submenu as { label?: string; checked?: boolean }[]).filter((i) => i.checked);
    expect(checked.map((i) => i.label)).toEqual(['To Reception']);
    const { page } = await host.open('index.html');
    await ready(page);
    await page.evaluate(
      (menus: { label?: string; submenu: { label?: string; checked?: boolean; enabled?: boolean }[] }[]) => {
        const root = document.createElement('div');
        root.id = 'tray-preview';
        root.style.cssText = 'display:flex;gap:16px;padding:12px;font:14px system-ui;background:#fff';
        for (const m of menus) {
          const box = document.createElement('div');
          box.style.cssText = 'border:1px solid #bbb;border-radius:6px;padding:6px 0;min-width:240px';
          const title = document.createElement('div');
          title.textContent = `${m.label} ▸`;
          title.style.cssText = 'padding:4px 12px;font-weight:600';
          box.append(title);
          for (const s of m.submenu) {
            const row = document.createElement('div');
            row.textContent = `${s.checked ? '✓' : '\u2003'} ${s.label}`;
            row.style.cssText = `padding:4px 12px;color:${s.enabled === false ? '#999' : '#111'}`;
            box.append(row);
          }
          root.append(box);
        }
        document.body.prepend(root);
      },
      items.map((i) => ({
        label: i.label,
        submenu: (i.submenu as { label?: string; checked?: boolean; enabled?: boolean }[]).map((m) => ({
          label: m.label,
          checked: m.checked,
          enabled: m.enabled,
        })),
      })),
    );
    await page.locator('#tray-preview').screenshot({ path: 'test-results/tray-forwarding-dnd.png' });
  });
});
