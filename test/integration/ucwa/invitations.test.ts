/**
 * Incoming UCWA invitations, from the simulator's wire format to the Engine's Invitation and
 * back out as decline requests — the real Engine over the real provider and simulator.
 */
import { describe, expect, it } from 'vitest';
import { CALL_DECLINE_REASONS } from '../../../electron/core/config.js';
import { invitationSchema } from '../../../electron/core/schemas.js';
import type { InvitationKind } from '../../../electron/simulator/index.js';
import { harnessPool, pathOf, type Harness } from './harness.js';

const { connected: setup, make } = harnessPool();

describe('incoming UCWA invitations', () => {
  const kinds: [InvitationKind, string][] = [
    ['messaging', 'messaging'],
    ['phoneAudio', 'audio'],
    ['onlineMeeting', 'meeting'],
    ['audioVideo', 'video'],
  ];
  for (const [kind, modality] of kinds) {
    it(`turns an incoming ${kind}Invitation into a ${modality} Invitation`, async () => {
      const { h, waitInvitation } = await setup();
      const ring = h.sim.ucwa.ring(kind, {
        fromName: 'Lene Aaling',
        fromUri: 'sip:lenea@softphone.test',
        subject: 'Quarterly numbers',
        importance: 'Urgent',
        ...(kind === 'messaging' || kind === 'onlineMeeting' ? { message: 'Hi Tosh\r\n' } : {}),
      });
      const inv = await waitInvitation();
      expect(inv).toEqual({
        id: `demo-ucwa:${new URL(ring.href, h.sim.origin).href}`,
        accountId: 'demo-ucwa',
        provider: 'ucwa',
        modality,
        from: { name: 'Lene Aaling', uri: 'sip:lenea@softphone.test' },
        subject: 'Quarterly numbers',
        importance: 'urgent',
        message: kind === 'messaging' || kind === 'onlineMeeting' ? 'Hi Tosh\r\n' : '',
        receivedAt: expect.any(Number),
        expiresAt: null,
        declineReasons: [...CALL_DECLINE_REASONS],
        defaultDeclineReason: 'Global',
      });
      expect(invitationSchema.safeParse(inv).success).toBe(true);
    });
  }

  it('decodes the first IM text whether URL-encoded (+ as space) or base64', async () => {
    const { h, waitInvitation } = await setup();
    const text = 'Grüße, 1+1 = 2 & 100% ☎\r\nline two';
    const a = h.sim.ucwa.ring('messaging', { message: text });
    expect((await waitInvitation((i) => i.id.endsWith(a.href))).message).toBe(text);
    const b = h.sim.ucwa.ring('messaging', { message: text, base64Message: true });
    expect((await waitInvitation((i) => i.id.endsWith(b.href))).message).toBe(text);
    // the wire really carried both forms, the first with '+' for spaces
    const wire = h.responses.items.map((r) => r.body).join('\n');
    expect(wire).toMatch(/"data:text\/plain;charset=utf-8,Gr%C3%BC%C3%9Fe%2C\+1%2B1\+/i);
    expect(wire).toContain(`data:text/plain;base64,${Buffer.from(text, 'utf8').toString('base64')}`);
  });

  it('uses the account decline reason, or the settings default, as the default (first) reason', async () => {
    const { h, waitInvitation } = await setup({
      account: { declineReason: 'Local' },
      deps: { defaultDeclineReason: () => 'Unknown' },
    });
    h.sim.ucwa.ring('phoneAudio');
    const inv = await waitInvitation();
    expect(inv.defaultDeclineReason).toBe('Local');
    expect(inv.declineReasons[0]).toBe('Local');

    const other = await make({
      simulator: h.sim,
      account: { id: 'second' },
      deps: { defaultDeclineReason: () => 'Unknown' },
    });
    await other.connect();
    h.sim.ucwa.ring('phoneAudio'); // rings every endpoint of the user, this one too
    const second = await other.sink.waitRinging();
    expect(second.defaultDeclineReason).toBe('Unknown');
    expect(second.declineReasons[0]).toBe('Unknown');
  });

  it('GETs an invitation announced without _embedded and rings with the same data', async () => {
    const { h, waitInvitation } = await setup();
    const ring = h.sim.ucwa.ring('onlineMeeting', {
      embed: false,
      fromName: 'Ann',
      subject: 'Sync',
      message: 'Join us',
    });
    const inv = await waitInvitation();
    const get = h.sim.server.requests.find((r) => r.method === 'GET' && r.url === pathOf(ring.href, h.sim.origin));
    expect(get?.headers.authorization).toMatch(/^Bearer /);
    expect(inv).toMatchObject({ modality: 'meeting', from: { name: 'Ann' }, subject: 'Sync', message: 'Join us' });
  });

  for (const absolute of [false, true]) {
    it(`works with ${absolute ? 'absolute' : 'relative'} hrefs from the server`, async () => {
      const { h, engine, waitInvitation } = await setup({ sim: { ucwa: { absoluteLinks: absolute } } });
      const ring = h.sim.ucwa.ring('phoneAudio');
      expect(/^https?:/.test(ring.href)).toBe(absolute);
      const inv = await waitInvitation();
      expect(inv.id).toBe(`demo-ucwa:${new URL(ring.href, h.sim.origin).href}`);
      expect(await engine.decline(inv.id)).toEqual({ status: 'sent' });
      const d = await h.sim.ucwa.waitForDecline();
      expect(d.url).toBe(pathOf(ring.declineHref, h.sim.origin));
    });
  }

  it('declines with the link cached from the first sighting (later updates carry none)', async () => {
    const { h, engine, waitInvitation } = await setup();
    const ring = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation();
    // wait until the invitation's `updated` copy (without accept/decline) has been handled
    await h.responses.waitFor(
      (xs) => xs.some((r) => r.body.includes('"updated"') && r.body.includes(pathOf(ring.href, h.sim.origin))),
      'the updated copy',
    );
    await h.sim.ucwa.waitUntilListening();
    expect(await engine.decline(inv.id)).toEqual({ status: 'sent' });
    expect((await h.sim.ucwa.waitForDecline()).url).toBe(pathOf(ring.declineHref, h.sim.origin));
  });

  it('rings once and keeps the decline link when the update arrives before the start', async () => {
    const { h, engine, waitInvitation, events } = await setup();
    const ring = h.sim.ucwa.ring('phoneAudio', { updatedBeforeStarted: true });
    const inv = await waitInvitation();
    expect(await engine.decline(inv.id, 'Local')).toEqual({ status: 'sent' });
    expect((await h.sim.ucwa.waitForDecline()).url).toBe(pathOf(ring.declineHref, h.sim.origin));
    expect(events.items.filter((e) => e.type === 'invitation')).toHaveLength(1);
  });

  const endings: [string, (h: Harness, r: ReturnType<Harness['sim']['ucwa']['ring']>) => void, string][] = [
    ['the caller hangs up (Canceled)', (h, r) => h.sim.ucwa.cancel(r), 'cancelled'],
    [
      'answered on another device (Success, ConnectedElsewhere)',
      (h, r) => h.sim.ucwa.complete(r, { status: 'Success', subcode: 'ConnectedElsewhere' }),
      'answeredElsewhere',
    ],
    ['nobody answered (Missed)', (h, r) => h.sim.ucwa.complete(r, { subcode: 'Missed' }), 'missed'],
    ['it timed out (Timeout)', (h, r) => h.sim.ucwa.complete(r, { subcode: 'Timeout' }), 'missed'],
    ['declined elsewhere (Declined)', (h, r) => h.sim.ucwa.complete(r, { subcode: 'Declined' }), 'declined'],
    [
      'a failure for another reason (Failure, Busy)',
      (h, r) => h.sim.ucwa.complete(r, { status: 'Failure', subcode: 'Busy' }),
      'failed',
    ],
    ['a success without a reason', (h, r) => h.sim.ucwa.complete(r, { status: 'Success' }), 'answeredElsewhere'],
  ];
  for (const [what, end, outcome] of endings) {
    it(`ends a ringing invitation when ${what} → ${outcome}`, async () => {
      const { h, waitInvitation, waitEnded, engine } = await setup();
      const ring = h.sim.ucwa.ring('messaging');
      const inv = await waitInvitation();
      end(h, ring);
      expect((await waitEnded(inv.id)).outcome).toBe(outcome);
      expect(engine.snapshot().ringing).toEqual([]);
      expect(engine.snapshot().history[0]).toMatchObject({ outcome, invitation: { id: inv.id } });
    });
  }
});
