/**
 * Microsoft Graph calls in real Chromium: the built renderer bridged to a real SoftphoneApp in
 * demo mode, whose Graph account receives signed notifications from the real simulator's
 * Graph half and rejects through its real Graph endpoint (see harness.ts).
 *
 * The page's own clock is pinned with Playwright's `page.clock.setFixedTime` where the test
 * reads the countdown, so what the toast shows does not depend on how fast this machine is;
 * the engine's clock is a SteerableClock where the test needs to be past the 15 s window.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Invitation } from '../../electron/contract.js';
import type { SimCaller } from '../../electron/simulator/graph.js';
import { freeLoopbackPort } from '../../electron/simulator/index.js';
import { selfSignedCertificate } from '../../electron/simulator/graph/ca.js';
import { SteerableClock } from '../support/steerableClock.js';
import { expectNoSeriousA11yViolations, e2eSession, type Host, type HostOptions, type PageOptions } from './harness.js';

const session = e2eSession();

const DEMO_GRAPH = 'demo-graph';

/** A fresh host whose demo Graph account holds a token, and its toast page. */
async function graphToastPage(opts: { host?: HostOptions; page?: PageOptions } = {}) {
  const h = await session.host(opts.host);
  const p = await h.open('toast.html', opts.page);
  await p.page.locator('.toast-stack').waitFor({ state: 'attached' });
  await h.until('the demo Graph account to hold a token', () =>
    h.app.snapshot().accounts.some((a) => a.accountId === DEMO_GRAPH && a.state === 'connected'),
  );
  return { host: h, ...p };
}

/** Rings a call in today's notification shape and returns the invitation the engine made of it. */
async function ringGraph(h: Host, name: string, from: Omit<SimCaller, 'name'> = {}) {
  const sent = await h.sim.graph.ringCall({ shape: 'current', from: { ...from, name } });
  expect(sent.status).toBe(202);
  let invitation: Invitation | undefined;
  await h.until(`the Graph invitation from ${name}`, () => {
    for (const e of h.events) {
      if (e.type === 'invitation' && e.invitation.provider === 'graph' && e.invitation.from.name === name) {
        invitation = e.invitation;
      }
    }
    return invitation !== undefined;
  });
  return { callId: sent.callId, invitation: invitation! };
}

const toastOf = (page: Page, name: string | RegExp) => page.getByRole('alertdialog', { name });
const rejectPosts = (h: Host) => h.sim.server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/reject'));

describe('Graph calls in Chromium, against the real engine and the simulator', () => {
  it('a Graph call toast counts down to its deadline: 13 s, Graph’s 15 s window less the margin', async () => {
    const { host, page } = await graphToastPage();
    const { invitation } = await ringGraph(host, 'Adele Vance');
    expect(invitation.expiresAt).toBe(invitation.receivedAt + 13_000);

    const toast = toastOf(page, /Incoming Teams call from Adele Vance/);
    await toast.waitFor();
    const countdown = toast.locator('.toast-countdown');
    const bar = toast.locator('.countdown-bar');

    await page.clock.setFixedTime(invitation.receivedAt);
    // The page may have rendered "13 s" already (ticks round up): wait for the full bar instead
    // (the browser writes the component's "100.0%" back as "100%").
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.countdown-bar')?.style.width === '100%');
    expect(await countdown.innerText()).toBe('Answer window closes in 13 s');

    await page.clock.setFixedTime(invitation.receivedAt + 5_000);
    await countdown.getByText('Answer window closes in 8 s', { exact: true }).waitFor();
    expect(await bar.evaluate((el) => el.style.width)).toBe('61.5%');
    expect(await countdown.getAttribute('class')).not.toContain('is-low');

    await page.clock.setFixedTime(invitation.receivedAt + 9_200);
    await countdown.getByText('Answer window closes in 4 s', { exact: true }).waitFor();
    expect(await countdown.getAttribute('class')).toContain('is-low');

    const text = await toast.innerText();
    expect(text).toContain('Teams call');
    expect(text).toContain('Teams calls (simulator)');
    // The caller's directory object id is no address a person can read: it is not shown.
    expect(invitation.from.uri).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toContain(invitation.from.uri);
    // Decline sends reason none; the menu offers the other two, in person-facing words.
    await toast.getByRole('button', { name: 'More ways to decline' }).click();
    expect(await page.getByRole('menuitem').allInnerTexts()).toEqual(['Busy', 'Forbidden']);
    expect(rejectPosts(host)).toEqual([]);
  });

  it('Decline → Busy sends exactly one reject {"reason":"busy"}; `deleted` follows and the toast goes', async () => {
    const { host, page } = await graphToastPage();
    const { callId, invitation } = await ringGraph(host, 'Megan Bowen');
    const toast = toastOf(page, /Megan Bowen/);
    await toast.getByRole('button', { name: 'More ways to decline' }).click();
    await page.getByRole('menuitem', { name: 'Busy' }).click();
    await toast.waitFor({ state: 'detached' });

    expect(host.sim.graph.rejects.map((r) => [r.path, JSON.parse(r.body), r.status])).toEqual([
      [`/graph/v1.0/communications/calls/${callId}/reject`, { reason: 'busy' }, 202],
    ]);
    expect(rejectPosts(host)).toHaveLength(1);
    expect(host.sim.graph.calls.get(callId)).toMatchObject({ state: 'rejected', rejectReason: 'busy' });
    // The toast went because the call ended: the simulator's `deleted` notification had been sent.
    const ended = host.events.find((e) => e.type === 'ended' && e.id === invitation.id);
    expect(ended).toMatchObject({ outcome: 'declined' });
    expect(host.sim.graph.notifications.filter((n) => n.callId === callId).map((n) => n.changeType)).toEqual([
      'created',
      'deleted',
    ]);
    expect(host.app.snapshot().history[0]).toMatchObject({ outcome: 'declined', declineReason: 'busy' });
    await host.until('an empty toast size', () => host.toastSizes.at(-1)?.height === 0);
  });

  it('a decline after the 15 s window sends nothing and the toast says the call has already ended', async () => {
    const clock = new SteerableClock();
    const { host, page } = await graphToastPage({ host: { clock } });
    const { invitation } = await ringGraph(host, 'Lee Gu');
    const toast = toastOf(page, /Lee Gu/);
    await toast.waitFor();

    // Past the deadline on both sides: the engine's clock (its own expiry timer, 3 s later, not
    // yet due) and the page's, which shows that the window closed.
    clock.pause();
    clock.advance(invitation.expiresAt! - clock.now() + 1);
    await page.clock.setFixedTime(invitation.expiresAt! + 1);
    await toast.getByText('Answer window closed', { exact: true }).waitFor();

    await toast.getByRole('button', { name: 'Decline', exact: true }).click();
    const farewell = page.getByRole('status').filter({ hasText: 'Lee Gu' });
    await farewell
      .getByText('The call has already ended: its answer window closed before Decline, so nothing was sent.')
      .waitFor();
    await toast.waitFor({ state: 'detached' });
    await mkdir('test-results', { recursive: true });
    await page.locator('.toast-stack').screenshot({ path: 'test-results/graph-toast-ended.png' });

    // The click reached the real engine, which refused it: no reject left the app.
    expect(host.invokes.filter((i) => i.channel === 'softphone:decline')).toEqual([
      { channel: 'softphone:decline', payload: { id: invitation.id } },
    ]);
    expect(host.events).toContainEqual(
      expect.objectContaining({
        type: 'declineFailed',
        id: invitation.id,
        error: expect.objectContaining({ code: 'DeadlinePassed' }),
      }),
    );
    expect(host.events.find((e) => e.type === 'ended' && e.id === invitation.id)).toMatchObject({
      outcome: 'timedOut',
    });
    expect(host.sim.graph.rejects).toEqual([]);
    expect(rejectPosts(host)).toEqual([]);

    // The farewell leaves by itself after a few seconds.
    await farewell.waitFor({ state: 'detached', timeout: 10_000 });
    clock.resume();
  });

  it('the main window adds a Graph account and edits it to a certificate; secrets go to the vault only', async () => {
    const h = await session.host();
    const p = await h.open('index.html');
    const { page } = p;
    const port = await freeLoopbackPort();
    const secret = 'app-secret-Zx9~q';

    await page.getByRole('button', { name: 'Add account' }).click();
    const form = page.getByRole('form', { name: 'Add an account' });
    await form.getByRole('radio', { name: 'Microsoft Teams (Graph calling app)' }).check();
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Contoso bot');
    await form.getByRole('textbox', { name: 'Tenant id' }).fill('11111111-2222-3333-4444-555555555555');
    await form.getByRole('textbox', { name: 'Client (application) id' }).fill('66666666-7777-8888-9999-000000000000');
    await form.getByRole('textbox', { name: 'Client secret' }).fill(secret);
    await form.getByRole('textbox', { name: 'Callback port' }).fill(String(port));
    await form.getByRole('textbox', { name: 'Callback path' }).fill('/api/calling');
    await form.getByRole('combobox', { name: 'Decline reason' }).selectOption({ label: 'Busy' });
    await form.getByRole('button', { name: 'Add account' }).click();
    await form.waitFor({ state: 'detached' });

    const id = 'graph-66666666-7777-8888-9999-000000000000';
    // The account exactly as entered: what the app reports (plus hasSecret) and what it stores.
    const entered = {
      id,
      provider: 'graph',
      displayName: 'Contoso bot',
      tenantId: '11111111-2222-3333-4444-555555555555',
      clientId: '66666666-7777-8888-9999-000000000000',
      callback: { port, path: '/api/calling' },
      declineReason: 'busy',
    };
    expect(h.app.snapshot().accountConfigs).toEqual([{ ...entered, hasSecret: true }]);
    expect(h.app.snapshot().demo).toBe(false);
    expect(h.vault.values.get(`${id}.clientSecret`)).toBe(secret);
    const settingsAfterAdd = await readFile(join(h.dataDir, 'settings.json'), 'utf8');
    expect(JSON.parse(settingsAfterAdd).accounts).toEqual([entered]);
    expect(settingsAfterAdd).not.toContain(secret);
    const listed = page.getByRole('listitem').filter({ hasText: 'Contoso bot' });
    await listed.getByText('Teams (Graph)').waitFor();
    // The account went to Microsoft's authority, which this test host does not let it reach.
    await listed
      .getByText(
        'could not reach Microsoft Entra at https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555 to get a token',
        { exact: false },
      )
      .waitFor();

    // Edit: the form comes back filled in (never the secret), and switches to a certificate.
    const dir = await mkdtemp(join(tmpdir(), 'softphone-e2e-cert-'));
    session.onCleanup(() => rm(dir, { recursive: true, force: true }));
    const made = selfSignedCertificate('contoso-bot');
    const certFile = join(dir, 'bot.crt.pem');
    const keyFile = join(dir, 'bot.key.pem');
    await writeFile(certFile, made.certPem);
    await writeFile(keyFile, made.keyPem, { mode: 0o600 });

    await listed.getByRole('button', { name: 'Edit Contoso bot' }).click();
    const edit = page.getByRole('form', { name: 'Edit Contoso bot' });
    expect(await edit.getByRole('textbox', { name: 'Tenant id' }).inputValue()).toBe(
      '11111111-2222-3333-4444-555555555555',
    );
    expect(await edit.getByRole('textbox', { name: 'Callback port' }).inputValue()).toBe(String(port));
    expect(await edit.getByRole('textbox', { name: 'Client secret' }).inputValue()).toBe('');
    await edit.getByRole('textbox', { name: 'Name', exact: true }).fill('Contoso calling bot');
    await edit.getByRole('radio', { name: 'Certificate' }).check();
    await edit.getByRole('textbox', { name: 'Certificate file', exact: true }).fill(certFile);
    await edit.getByRole('textbox', { name: 'Private key file' }).fill(keyFile);
    await edit.getByRole('combobox', { name: 'API version' }).selectOption('beta');
    await edit.getByRole('combobox', { name: 'Reject endpoint' }).selectOption('app');
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/graph-account-form.png', fullPage: true });
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });

    expect(h.app.snapshot().accountConfigs).toEqual([
      {
        id,
        provider: 'graph',
        displayName: 'Contoso calling bot',
        tenantId: '11111111-2222-3333-4444-555555555555',
        clientId: '66666666-7777-8888-9999-000000000000',
        certificate: { certFile, keyFile },
        apiVersion: 'beta',
        rejectPath: 'app',
        callback: { port, path: '/api/calling' },
        declineReason: 'busy',
        hasSecret: false,
      },
    ]);
    // The private key went to the vault; the replaced client secret left it.
    expect(Object.fromEntries(h.vault.values)).toEqual({ [`${id}.certificateKey`]: made.keyPem });
    const settingsAfterEdit = await readFile(join(h.dataDir, 'settings.json'), 'utf8');
    expect(JSON.parse(settingsAfterEdit).accounts[0]).toMatchObject({ certificate: { certFile, keyFile } });
    expect(settingsAfterEdit).not.toContain('PRIVATE KEY');
    expect(settingsAfterEdit).not.toContain(secret);
    await page.getByRole('listitem').filter({ hasText: 'Contoso calling bot' }).waitFor();
  });

  it('has no serious or critical accessibility violation on a Graph toast (light and dark)', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { host: h, page } = await graphToastPage({ page: { colorScheme } });
      const { invitation } = await ringGraph(h, `Nestor Wilke ${colorScheme}`);
      await page.clock.setFixedTime(invitation.receivedAt + 11_000); // the low-time colours too
      const toast = toastOf(page, /Nestor Wilke/);
      await toast.locator('.toast-countdown.is-low').waitFor();
      await toast.getByRole('button', { name: 'More ways to decline' }).click();
      await page.getByRole('menuitem', { name: 'Busy' }).waitFor();
      await expectNoSeriousA11yViolations(page, colorScheme);
      await h.close();
    }
  });

  it('saves a screenshot of a Graph call toast', async () => {
    const { host, page } = await graphToastPage({
      page: { viewport: { width: 420, height: 600 }, reducedMotion: 'reduce' },
    });
    await ringGraph(host, 'Contoso Reception', { kind: 'phone', id: '+14255550123' });
    const { invitation } = await ringGraph(host, 'Isaiah Langer');
    await page.clock.setFixedTime(invitation.receivedAt + 6_000);
    const toast = toastOf(page, /Isaiah Langer/);
    await toast.getByText('Answer window closes in 7 s', { exact: true }).waitFor();
    // A phone caller's number is shown as a number, once.
    const phone = toastOf(page, /Contoso Reception/);
    expect(await phone.locator('.toast-address').innerText()).toBe('+14255550123');
    await mkdir('test-results', { recursive: true });
    await page.locator('.toast-stack').screenshot({ path: 'test-results/graph-toast.png' });
    await toast.getByRole('button', { name: 'More ways to decline' }).click();
    await page.getByRole('menuitem', { name: 'Busy' }).waitFor();
    await page.locator('.toast-stack').screenshot({ path: 'test-results/graph-toast-menu.png' });
  });
});
