/**
 * Issue 9 against the real simulator through the real Engine and UcwaProvider: Do Not Disturb
 * mirrored into presence (and timed DND ending by itself), "reply with a message", and call
 * forwarding. Every test waits on events; time is moved with the SteerableClock.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../electron/core/engine.js';
import { SteerableClock } from '../../support/steerableClock.js';
import { harnessPool, withEngine } from './harness.js';

const pool = harnessPool();
type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
const find =
  <T extends EngineEvent['type']>(type: T, pred: (e: Ev<T>) => boolean = () => true) =>
  (xs: EngineEvent[]) =>
    xs.find((e): e is Ev<T> => e.type === type && pred(e as Ev<T>)) as Ev<T> | undefined;

describe('Do Not Disturb mirrored into presence', () => {
  it('POSTs availability DoNotDisturb when DND turns on and an empty body (reset) when it turns off', async () => {
    const { h, engine } = await pool.connected();
    const ucwa = h.sim.ucwa;
    expect(ucwa.availabilityOf()).toBe('Online');
    engine.setDnd(true);
    await ucwa.waitFor(() => ucwa.availabilityOf() === 'DoNotDisturb');
    const on = h.sim.server.requests.find((r) => r.method === 'POST' && r.path.endsWith('/me/presence'))!;
    expect(JSON.parse(on.body)).toEqual({ availability: 'DoNotDisturb' });
    engine.setDnd(false);
    await ucwa.waitFor(() => ucwa.presencePosts().length === 2);
    expect(ucwa.presencePosts().map((p) => [p.availability, p.status])).toEqual([
      ['DoNotDisturb', 204],
      [null, 204],
    ]);
    const off = h.sim.server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/me/presence'))[1]!;
    expect(off.body).toBe('');
    expect(ucwa.availabilityOf()).toBe('Online');
  });

  it('quitting with DND on resets presence before signing out', async () => {
    const { h, engine } = await pool.connected();
    engine.setDnd(true);
    await h.sim.ucwa.waitFor(() => h.sim.ucwa.availabilityOf() === 'DoNotDisturb');
    await engine.stop();
    expect(h.sim.ucwa.presencePosts().map((p) => p.availability)).toEqual(['DoNotDisturb', null]);
    expect(h.sim.ucwa.availabilityOf()).toBe('Online');
    expect(h.sim.ucwa.applicationsDeleted()).toHaveLength(1);
  });

  it('keeps declining automatically while DND is on (the pool stops ringing elsewhere too)', async () => {
    const { h, engine, events } = await pool.connected();
    engine.setDnd(true);
    const handle = h.sim.ucwa.ring('phoneAudio');
    await h.sim.ucwa.waitForDecline((d) => d.callId === handle.id);
    await events.waitFor(
      find('ended', (e) => e.id.endsWith(handle.href)),
      'auto-declined',
    );
    expect(events.items.some((e) => e.type === 'invitation')).toBe(false);
  });

  it('sends nothing for an account with mirrorDndToPresence false', async () => {
    const { h, engine, events } = await pool.connected({ account: { mirrorDndToPresence: false } });
    engine.setDnd(true);
    engine.setDnd(false);
    engine.setDnd(true);
    const handle = h.sim.ucwa.ring('messaging');
    await h.sim.ucwa.waitForDecline((d) => d.callId === handle.id);
    await events.waitFor(find('ended'), 'auto-declined');
    expect(h.sim.ucwa.presencePosts()).toEqual([]);
  });

  it('a presence failure is reported (presenceFailed) and DND stays on', async () => {
    const { h, engine, events } = await pool.connected();
    h.sim.ucwa.failNext('presence', { status: 500, code: 'ServiceFailure', subcode: 'CallbackChannelError' });
    engine.setDnd(true);
    const failed = await events.waitFor(find('presenceFailed'), 'presenceFailed');
    expect(failed).toMatchObject({ accountId: h.account.id, on: true, error: { status: 500, code: 'ServiceFailure' } });
    expect(failed.error.message).toMatch(/^Presence was not set to Do Not Disturb/);
    expect(engine.isDnd()).toBe(true);
    expect(h.sim.ucwa.availabilityOf()).toBe('Online');
  });

  it('timed DND ends by itself at its wall-clock end and resets presence', async () => {
    // The engine's clock is steered; the provider's HTTP keeps real time.
    const clock = new SteerableClock();
    const h = await pool.make();
    const { engine, events, waitAccount } = await withEngine(h, clock);
    await waitAccount('connected');
    const until = clock.now() + 30 * 60_000;
    engine.setDnd(true, until);
    expect(events.items.find((e) => e.type === 'dnd')).toEqual({ type: 'dnd', on: true, until });
    expect(engine.snapshot().dndUntil).toBe(until);
    await h.sim.ucwa.waitFor(() => h.sim.ucwa.availabilityOf() === 'DoNotDisturb');
    clock.pause();
    clock.advance(29 * 60_000);
    expect(engine.isDnd()).toBe(true);
    clock.advance(60_000);
    expect(engine.isDnd()).toBe(false);
    expect(events.items.filter((e) => e.type === 'dnd').at(-1)).toEqual({ type: 'dnd', on: false });
    clock.resume();
    await h.sim.ucwa.waitFor(() => h.sim.ucwa.presencePosts().length === 2);
    expect(h.sim.ucwa.availabilityOf()).toBe('Online');
  });

  it('refuses an end in the past, naming it', async () => {
    const { engine } = await pool.connected();
    expect(() => engine.setDnd(true, Date.now() - 1000)).toThrow(/until must be a time in the future/);
    expect(engine.isDnd()).toBe(false);
  });
});

describe('reply with a message', () => {
  it('declines, then starts an IM to the caller with the text; accepted → stopMessaging', async () => {
    const { h, engine, events, waitInvitation } = await pool.connected();
    const handle = h.sim.ucwa.ring('phoneAudio', { fromName: 'Lene', fromUri: 'sip:lenea@contoso.com' });
    const inv = await waitInvitation((i) => i.id.endsWith(handle.href));
    const result = await engine.reply(inv.id, "In a meeting — I'll call you back.");
    expect(result).toEqual({ status: 'sent' });
    expect(h.sim.ucwa.declines()[0]).toMatchObject({ reason: 'Global', status: 204 });
    const reply = h.sim.ucwa.replies()[0]!;
    expect(reply).toMatchObject({
      to: 'sip:lenea@contoso.com',
      importance: 'Normal',
      text: "In a meeting — I'll call you back.",
      status: 201,
    });
    expect(reply.operationId).toMatch(/^[0-9a-f]{32}$/);
    // ended before replySent
    const order = events.items
      .filter((e) => (e.type === 'ended' && e.id === inv.id) || e.type === 'replySent')
      .map((e) => e.type);
    expect(order).toEqual(['ended', 'replySent']);
    expect(engine.snapshot().history[0]).toMatchObject({
      outcome: 'declined',
      reply: "In a meeting — I'll call you back.",
    });
    await h.sim.ucwa.waitFor(() => h.sim.ucwa.stopMessagings().length === 1);
    expect(h.sim.ucwa.stopMessagings()[0]!.operationId).toBe(reply.operationId);
  });

  it('a declined reply invitation sends no stopMessaging', async () => {
    const { h, engine, waitInvitation } = await pool.connected();
    h.sim.ucwa.answerReplies('decline');
    const handle = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation((i) => i.id.endsWith(handle.href));
    expect(await engine.reply(inv.id, 'On my way, 10 minutes.')).toEqual({ status: 'sent' });
    await h.waitLog('reply followed to its end');
    expect(h.sim.ucwa.stopMessagings()).toEqual([]);
  });

  it('posts the XML input with the message link for an XML account', async () => {
    const { h, engine, waitInvitation } = await pool.connected({ account: { payloadFormat: 'xml' }, deps: {} });
    const handle = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation((i) => i.id.endsWith(handle.href));
    expect(await engine.reply(inv.id, 'Can’t talk <now> & later')).toEqual({ status: 'sent' });
    expect(h.sim.ucwa.replies()[0]).toMatchObject({
      format: 'xml',
      text: 'Can’t talk <now> & later',
      importance: 'Normal',
    });
  });

  it('a failed decline sends no IM', async () => {
    const { h, engine, waitInvitation } = await pool.connected();
    h.sim.ucwa.failNextDecline(500);
    const handle = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation((i) => i.id.endsWith(handle.href));
    const r = await engine.reply(inv.id, 'x');
    expect(r.status).toBe('failed');
    expect(h.sim.ucwa.replies()).toEqual([]);
    expect(h.sim.server.requests.some((q) => q.method === 'POST' && q.path.endsWith('/messagingInvitations'))).toBe(
      false,
    );
  });

  it('a reply’s decline says it is a reply, so Retry after its failure can send the reply again', async () => {
    const { h, engine, events, waitInvitation } = await pool.connected();
    h.sim.ucwa.failNextDecline(500);
    const handle = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation((i) => i.id.endsWith(handle.href));
    expect((await engine.reply(inv.id, 'Back at 3.')).status).toBe('failed');
    const pushed = events.items.filter(
      (e) => (e.type === 'declining' || e.type === 'declineFailed') && e.id === inv.id,
    );
    expect(pushed.map((e) => e.type)).toEqual(['declining', 'declineFailed']);
    expect(pushed[0]).toEqual({ type: 'declining', id: inv.id, reason: 'Global', reply: 'Back at 3.' });
    // Retry as the toast does it: the same reply again, which now declines and sends the IM.
    expect(await engine.reply(inv.id, 'Back at 3.')).toEqual({ status: 'sent' });
    expect(h.sim.ucwa.replies()).toEqual([expect.objectContaining({ text: 'Back at 3.' })]);
    expect(engine.snapshot().history[0]).toMatchObject({ outcome: 'declined', reply: 'Back at 3.' });
    // A plain decline carries no reply.
    const other = h.sim.ucwa.ring('messaging');
    const inv2 = await waitInvitation((i) => i.id.endsWith(other.href));
    await engine.decline(inv2.id);
    expect(events.items.find((e) => e.type === 'declining' && e.id === inv2.id)).toEqual({
      type: 'declining',
      id: inv2.id,
      reason: 'Global',
    });
  });

  it('an IM failure after a good decline is reported once, not retried', async () => {
    const { h, engine, events, waitInvitation } = await pool.connected();
    h.sim.ucwa.failNext('startMessaging', {
      status: 403,
      code: 'Forbidden',
      subcode: 'None',
      message: 'no IM for you',
    });
    const handle = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation((i) => i.id.endsWith(handle.href));
    const r = await engine.reply(inv.id, 'later');
    expect(r.status).toBe('replyFailed');
    const failed = await events.waitFor(find('replyFailed'), 'replyFailed');
    expect(failed.error).toMatchObject({ status: 403, code: 'Forbidden' });
    expect(failed.error.message).toMatch(/^Declined, but the reply could not be sent: /);
    expect(
      h.sim.server.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/messagingInvitations')),
    ).toHaveLength(1);
    expect(engine.snapshot().history[0]).toMatchObject({ outcome: 'declined', reply: 'later' });
    expect(engine.snapshot().history[0]!.replyError).toMatch(/could not be sent/);
  });

  it('refuses empty text and unknown ids with clear errors', async () => {
    const { h, engine, waitInvitation } = await pool.connected();
    const handle = h.sim.ucwa.ring('messaging');
    const inv = await waitInvitation((i) => i.id.endsWith(handle.href));
    await expect(engine.reply(inv.id, '   ')).rejects.toThrow(/must not be empty/);
    await expect(engine.reply('nope', 'x')).rejects.toThrow(/no ringing invitation/);
    expect(h.sim.ucwa.declines()).toEqual([]);
  });
});

describe('call forwarding', () => {
  it('reads the state at sign-in, and every change comes back as the server confirms it', async () => {
    const { h, engine, events } = await pool.connected();
    await events.waitFor(find('forwarding'), 'initial forwarding');
    expect(engine.snapshot().forwarding).toEqual([{ accountId: h.account.id, state: 'off' }]);

    expect(await engine.setForwarding(h.account.id, 'voicemail')).toEqual({ ok: true });
    expect(events.items.filter((e) => e.type === 'forwarding').at(-1)).toMatchObject({ state: 'voicemail' });
    expect(h.sim.ucwa.forwardingOf()).toEqual({ state: 'voicemail' });

    expect(await engine.setForwarding(h.account.id, 'sip:boss@contoso.com')).toEqual({ ok: true });
    expect(events.items.filter((e) => e.type === 'forwarding').at(-1)).toMatchObject({
      state: 'contact',
      target: 'sip:boss@contoso.com',
    });
    const post = h.sim.server.requests.filter((r) => r.path.endsWith('/immediateForwardToContact'))[0]!;
    expect(JSON.parse(post.body)).toEqual({ target: 'sip:boss@contoso.com' });

    expect(await engine.setForwarding(h.account.id, 'off')).toEqual({ ok: true });
    expect(engine.snapshot().forwarding).toEqual([{ accountId: h.account.id, state: 'off' }]);
    expect(h.sim.ucwa.forwardingPosts().map((p) => p.action)).toEqual(['voicemail', 'contact', 'turnOff']);
  });

  it('a change made on another device shows up through the updated event', async () => {
    const { h, events } = await pool.connected();
    await events.waitFor(find('forwarding'), 'initial forwarding');
    h.sim.ucwa.changeForwardingElsewhere({ state: 'delegates' });
    await events.waitFor(
      find('forwarding', (e) => e.state === 'delegates'),
      'delegates',
    );
  });

  it('a refused change is reported and the state stays what the server says', async () => {
    const { h, engine, events } = await pool.connected();
    await events.waitFor(find('forwarding'), 'initial forwarding');
    h.sim.ucwa.failNext('forwarding', {
      status: 403,
      code: 'Forbidden',
      subcode: 'None',
      message: 'not enabled for enterprise voice',
    });
    const r = await engine.setForwarding(h.account.id, 'voicemail');
    expect(r.ok).toBe(false);
    expect(await events.waitFor(find('forwardingFailed'), 'forwardingFailed')).toMatchObject({
      error: { status: 403 },
    });
    expect(engine.snapshot().forwarding).toEqual([{ accountId: h.account.id, state: 'off' }]);
  });

  it('refuses a target that is not off, voicemail or a sip:/tel: URI', async () => {
    const { h, engine } = await pool.connected();
    await expect(engine.setForwarding(h.account.id, 'boss@contoso.com')).rejects.toThrow(/sip:\/tel: URI/);
  });
});
