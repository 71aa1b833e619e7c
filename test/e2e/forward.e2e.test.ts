/**
 * Forward a Graph call from its toast, in real Chromium: the built renderer bridged to a real
 * SoftphoneApp in demo mode, whose demo Teams account has forward targets; the redirect goes
 * to the real simulator's Graph half (see harness.ts).
 */
import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Invitation } from '../../electron/contract.js';
import { DEMO_FORWARD_TARGETS } from '../../electron/simulator/demo.js';
import { e2eSession, expectNoSeriousA11yViolations, type Host } from './harness.js';

const session = e2eSession();

async function graphToastPage() {
  const h = await session.host();
  const p = await h.open('toast.html', { viewport: { width: 420, height: 700 }, reducedMotion: 'reduce' });
  await p.page.locator('.toast-stack').waitFor({ state: 'attached' });
  await h.until('the demo Graph account to hold a token', () =>
    h.app.snapshot().accounts.some((a) => a.accountId === 'demo-graph' && a.state === 'connected'),
  );
  return { host: h, ...p };
}

async function ringGraph(h: Host, name: string) {
  const sent = await h.sim.graph.ringCall({ shape: 'current', from: { name } });
  expect(sent.status).toBe(202);
  let invitation: Invitation | undefined;
  await h.until(`the Graph invitation from ${name}`, () => {
    invitation = h.events
      .flatMap((e) => (e.type === 'invitation' ? [e.invitation] : []))
      .find((i) => i.from.name === name);
    return invitation !== undefined;
  });
  return { callId: sent.callId, invitation: invitation! };
}

describe('Forward a Graph call from its toast (Chromium, real engine, simulator)', () => {
  it('Forward to… → Reception sends exactly one redirect with one phone invitationParticipantInfo', async () => {
    const { host, page } = await graphToastPage();
    const { callId, invitation } = await ringGraph(host, 'Adele Vance');
    const toast = page.getByRole('alertdialog', { name: /Adele Vance/ });
    await toast.getByRole('button', { name: /Forward to…/ }).click();
    const menu = toast.getByRole('menu', { name: 'Forward to' });
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(
      DEMO_FORWARD_TARGETS.map((t) => `${t.label} ${'phone' in t ? t.phone : 'Teams user'}`),
    );
    await mkdir('test-results', { recursive: true });
    await page.locator('.toast-stack').screenshot({ path: 'test-results/graph-toast-forward-menu.png' });
    await expectNoSeriousA11yViolations(page, 'forward menu');

    await menu.getByRole('menuitem', { name: /Reception/ }).click();
    await toast.waitFor({ state: 'detached' });

    const redirect = await host.sim.graph.redirects.waitFor((r) => r.callId === callId);
    expect(redirect).toMatchObject({
      path: `/graph/v1.0/communications/calls/${callId}/redirect`,
      status: 202,
      targets: [{ kind: 'phone', id: '+14255550100' }],
    });
    expect(JSON.parse(redirect.body)).toEqual({
      targets: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: {
            '@odata.type': '#microsoft.graph.identitySet',
            phone: { '@odata.type': '#microsoft.graph.identity', id: '+14255550100' },
          },
        },
      ],
    });
    expect(host.sim.server.requests.filter((r) => r.path.endsWith('/redirect'))).toHaveLength(1);
    expect(host.sim.graph.rejects).toEqual([]);
    expect(host.invokes.filter((i) => i.channel === 'softphone:forward')).toEqual([
      {
        channel: 'softphone:forward',
        payload: { id: invitation.id, target: { label: 'Reception', phone: '+14255550100' } },
      },
    ]);
    await host.until('the call to end forwarded', () =>
      host.events.some((e) => e.type === 'ended' && e.id === invitation.id && e.outcome === 'forwarded'),
    );
    expect(host.app.snapshot().history[0]).toMatchObject({
      outcome: 'forwarded',
      forwardedTo: { label: 'Reception', phone: '+14255550100' },
    });
  });

  it('a forward Graph refuses with 404 ends the toast saying the call had already ended; history shows Forwarded with the label', async () => {
    const { host, page } = await graphToastPage();
    const main = await host.open('index.html');
    const { invitation } = await ringGraph(host, 'Lee Gu');
    host.sim.graph.redirects.fail({ status: 404 });
    const toast = page.getByRole('alertdialog', { name: /Lee Gu/ });
    await toast.getByRole('button', { name: /Forward to…/ }).click();
    await page.getByRole('menuitem', { name: /Megan Bowen/ }).click();
    await page.getByRole('status').filter({ hasText: 'The call had already ended' }).waitFor();
    expect(host.events.find((e) => e.type === 'ended' && e.id === invitation.id)).toMatchObject({ outcome: 'gone' });

    // A second call forwarded to a Teams user: the main window's history names the target.
    const second = await ringGraph(host, 'Nestor Wilke');
    const toast2 = page.getByRole('alertdialog', { name: /Nestor Wilke/ });
    await toast2.getByRole('button', { name: /Forward to…/ }).click();
    await page.getByRole('menuitem', { name: /Lee Gu/ }).click();
    await host.until('the second call to end forwarded', () =>
      host.events.some((e) => e.type === 'ended' && e.id === second.invitation.id && e.outcome === 'forwarded'),
    );
    await main.page.getByRole('row', { name: /Nestor Wilke.*Forwarded to Lee Gu/ }).waitFor();
    const last = host.sim.graph.redirects.records.at(-1)!;
    expect(last.targets).toEqual([{ kind: 'user', id: '5a2c1e7d-3b4f-4e2a-9c1d-8f6b0a3e2d17' }]);
  });
});
