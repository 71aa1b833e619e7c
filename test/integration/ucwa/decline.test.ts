/**
 * Declining UCWA invitations through the real Engine: request format (JSON/XML, reasons),
 * success, failures that leave the invitation ringing with a retry, at-most-once.
 */
import { describe, expect, it } from 'vitest';
import { UCWA_XML_NS } from '../../../electron/core/ucwa/decline.js';
import { harnessPool, pathOf, type Harness } from './harness.js';

const pool = harnessPool();
async function setup(o: Parameters<typeof pool.connected>[0] = {}) {
  const c = await pool.connected(o);
  const ringOne = async (kind: Parameters<Harness['sim']['ucwa']['ring']>[0] = 'messaging') => {
    const handle = c.h.sim.ucwa.ring(kind);
    const inv = await c.waitInvitation((i) => i.id.endsWith(handle.href));
    return { handle, inv };
  };
  return { ...c, ringOne };
}
const declineRequests = (h: Harness) => h.sim.server.requests.filter((r) => r.path.endsWith('/decline'));

describe('declining a UCWA invitation', () => {
  it('posts {"reason":"Global"} as JSON by default; 204 is success and the server’s end confirms it', async () => {
    const { h, engine, ringOne, waitEnded } = await setup();
    const { handle, inv } = await ringOne();
    expect(await engine.decline(inv.id)).toEqual({ status: 'sent' });
    const req = declineRequests(h)[0]!;
    expect(req.url).toBe(pathOf(handle.declineHref, h.sim.origin));
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toMatch(/^Bearer /);
    expect(JSON.parse(req.body)).toEqual({ reason: 'Global' });
    expect(h.sim.ucwa.declines()[0]).toMatchObject({ reason: 'Global', format: 'json', status: 204 });
    expect((await waitEnded(inv.id)).outcome).toBe('declined');
    expect(h.sim.ucwa.callState(handle)).toBe('completed');
  });

  it('posts Local when asked to decline on this device only', async () => {
    const { h, engine, ringOne, waitEnded } = await setup();
    const { inv } = await ringOne('phoneAudio');
    expect(await engine.decline(inv.id, 'Local')).toEqual({ status: 'sent' });
    expect(JSON.parse(declineRequests(h)[0]!.body)).toEqual({ reason: 'Local' });
    expect((await waitEnded(inv.id)).outcome).toBe('declined');
  });

  it('accepts every CallDeclineReason the invitation offers', async () => {
    const { h, engine, ringOne } = await setup();
    const { inv } = await ringOne('audioVideo');
    expect(await engine.decline(inv.id, 'InsufficientBandwidthRerouteOverPstn')).toEqual({ status: 'sent' });
    expect(h.sim.ucwa.declines()[0]).toMatchObject({ reason: 'InsufficientBandwidthRerouteOverPstn', status: 204 });
  });

  it('posts the UCWA XML input document when the account uses XML', async () => {
    const { h, engine, ringOne } = await setup({ account: { payloadFormat: 'xml' } });
    const a = await ringOne('onlineMeeting');
    expect(await engine.decline(a.inv.id, 'Local')).toEqual({ status: 'sent' });
    const req = declineRequests(h)[0]!;
    expect(req.headers['content-type']).toBe('application/xml');
    expect(req.body).toBe(
      `<?xml version="1.0" encoding="utf-8"?><input xmlns="${UCWA_XML_NS}"><property name="reason">Local</property></input>`,
    );
    expect(h.sim.ucwa.declines()[0]).toMatchObject({ reason: 'Local', format: 'xml', status: 204 });
    const b = await ringOne('messaging');
    expect(await engine.decline(b.inv.id)).toEqual({ status: 'sent' });
    expect(h.sim.ucwa.declines()[1]).toMatchObject({ reason: 'Global', format: 'xml', status: 204 });
  });

  const failures: [409 | 410 | 500, string, string, RegExp][] = [
    [409, 'Conflict', 'AlreadyExists', /already been done/],
    [410, 'Gone', 'CannotRedirect', /backup pool/],
    [500, 'ServiceFailure', 'CallbackChannelError', /could not reach this device's event channel/],
  ];
  for (const [status, code, subcode, message] of failures) {
    it(`reports ${status} ${subcode} as a decline failure; the invitation keeps ringing and a retry works`, async () => {
      const { h, engine, ringOne, waitEnded, events } = await setup();
      const { inv } = await ringOne();
      h.sim.ucwa.failNextDecline(status);
      const result = await engine.decline(inv.id);
      expect(result).toEqual({
        status: 'failed',
        error: { status, code, subcode, message: expect.stringMatching(message) },
      });
      expect(events.items.find((e) => e.type === 'declineFailed')).toMatchObject({
        id: inv.id,
        error: { status, code, subcode },
      });
      expect(engine.snapshot().ringing).toEqual([
        { invitation: inv, phase: 'ringing', error: { status, code, subcode, message: expect.any(String) } },
      ]);
      expect(await engine.decline(inv.id)).toEqual({ status: 'sent' });
      expect((await waitEnded(inv.id)).outcome).toBe('declined');
      expect(h.sim.ucwa.declines().map((d) => d.status)).toEqual([status, 204]);
    });
  }

  it('ends the invitation as gone when the server no longer knows it (404)', async () => {
    const { h, engine, ringOne, waitEnded } = await setup();
    const { inv } = await ringOne();
    h.sim.ucwa.failNext('decline', { status: 404, code: 'NotFound', subcode: 'ResourceNotFound' });
    const result = await engine.decline(inv.id);
    expect(result).toMatchObject({
      status: 'failed',
      error: { status: 404, code: 'NotFound', subcode: 'ResourceNotFound' },
    });
    expect((await waitEnded(inv.id)).outcome).toBe('gone');
  });

  it('sends one decline however often it is clicked', async () => {
    const { h, engine, ringOne } = await setup();
    const { inv } = await ringOne();
    const results = await Promise.all([
      engine.decline(inv.id),
      engine.decline(inv.id),
      engine.decline(inv.id, 'Local'),
    ]);
    expect(results).toEqual([{ status: 'sent' }, { status: 'ignored' }, { status: 'ignored' }]);
    expect(declineRequests(h)).toHaveLength(1);
  });

  it('declines automatically with the default reason under Do Not Disturb', async () => {
    const { h, engine, waitEnded } = await setup();
    engine.setDnd(true);
    const handle = h.sim.ucwa.ring('phoneAudio');
    const d = await h.sim.ucwa.waitForDecline();
    expect(d).toMatchObject({ reason: 'Global', url: pathOf(handle.declineHref, h.sim.origin) });
    const id = `demo-ucwa:${new URL(handle.href, h.sim.origin).href}`;
    expect((await waitEnded(id)).outcome).toBe('declined');
  });

  it('never throws: unknown invitations and bad reasons come back as results', async () => {
    const { h, ringOne } = await setup();
    const { inv } = await ringOne();
    await expect(h.provider.decline({ ...inv, id: 'demo-ucwa:https://elsewhere/x' }, 'Global')).resolves.toMatchObject({
      ok: false,
      endAs: 'gone',
      error: { code: 'UnknownInvitation' },
    });
    await expect(h.provider.decline(inv, 'Nope')).resolves.toMatchObject({
      ok: false,
      error: { code: 'InvalidReason' },
    });
    await h.provider.stop();
    await expect(h.provider.decline(inv, 'Global')).resolves.toMatchObject({ ok: false });
    expect(declineRequests(h)).toHaveLength(0);
  });
});
