import { beforeEach, describe, expect, it } from 'vitest';
import { Engine, EngineError, type EngineEvent } from '../../electron/core/engine.js';
import { silentLogger } from '../../electron/core/log.js';
import { ManualClock } from '../support/manualClock.js';
import { sampleInvitation, ScriptedProvider } from '../support/scriptedProvider.js';

describe('Engine', () => {
  let clock: ManualClock;
  let engine: Engine;
  let provider: ScriptedProvider;
  let events: EngineEvent[];

  beforeEach(async () => {
    clock = new ManualClock();
    engine = new Engine({ clock, logger: silentLogger });
    events = [];
    engine.on((e) => events.push(e));
    provider = new ScriptedProvider();
    await engine.addAccount(provider);
  });

  const ofType = <T extends EngineEvent['type']>(t: T) =>
    events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === t);

  it('announces a ringing invitation once, even when the provider repeats it', () => {
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    provider.sink.ringing(inv);
    expect(ofType('invitation')).toHaveLength(1);
    expect(engine.snapshot().ringing.map((r) => r.invitation.id)).toEqual([inv.id]);
  });

  it('drops an invalid invitation instead of showing it', () => {
    provider.sink.ringing({ ...sampleInvitation(), modality: 'fax' as never });
    provider.sink.ringing({ ...sampleInvitation(), accountId: 'someone-else' });
    expect(ofType('invitation')).toHaveLength(0);
  });

  it('declines with the default reason and ends as declined when the server confirms', async () => {
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    await expect(engine.decline(inv.id)).resolves.toEqual({ status: 'sent' });
    expect(provider.declines).toEqual([{ id: inv.id, reason: 'Global' }]);
    provider.sink.ended(inv.id, 'failed');
    expect(ofType('ended')).toMatchObject([{ id: inv.id, outcome: 'declined' }]);
    expect(engine.snapshot().history[0]).toMatchObject({ outcome: 'declined', declineReason: 'Global' });
  });

  it('sends at most one decline however often the command repeats', async () => {
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    provider.hold = true;
    const results = [engine.decline(inv.id), engine.decline(inv.id), engine.decline(inv.id, 'Local')];
    provider.release();
    expect((await Promise.all(results)).map((r) => r.status)).toEqual(['sent', 'ignored', 'ignored']);
    await expect(engine.decline(inv.id)).resolves.toEqual({ status: 'ignored' });
    expect(provider.declines).toHaveLength(1);
  });

  it('rejects an unknown id and a reason the invitation does not offer, naming them', async () => {
    await expect(engine.decline('nope')).rejects.toThrow(/no ringing invitation with id "nope"/);
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    await expect(engine.decline(inv.id, 'busy')).rejects.toBeInstanceOf(EngineError);
    await expect(engine.decline(inv.id, 'busy')).rejects.toThrow(/"busy" is not a decline reason/);
    expect(provider.declines).toHaveLength(0);
  });

  it('keeps ringing with the error after a failed decline, and a retry sends again', async () => {
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    const error = { status: 500, code: 'ServiceFailure', subcode: 'CallbackChannelError', message: 'boom' };
    provider.answers.push({ ok: false, error });
    await expect(engine.decline(inv.id)).resolves.toEqual({ status: 'failed', error });
    expect(ofType('declineFailed')).toEqual([{ type: 'declineFailed', id: inv.id, error }]);
    expect(engine.snapshot().ringing[0]).toMatchObject({ phase: 'ringing', error });
    await expect(engine.decline(inv.id)).resolves.toEqual({ status: 'sent' });
    expect(provider.declines).toHaveLength(2);
  });

  it('ends the invitation when the failure says it no longer exists', async () => {
    const inv = sampleInvitation({ provider: 'graph', declineReasons: ['none', 'busy'], defaultDeclineReason: 'none' });
    provider.sink.ringing(inv);
    provider.answers.push({
      ok: false,
      endAs: 'gone',
      error: { status: 404, code: 'NotFound', subcode: null, message: 'The call had already ended.' },
    });
    await engine.decline(inv.id);
    expect(ofType('ended')).toMatchObject([{ id: inv.id, outcome: 'gone', message: 'The call had already ended.' }]);
  });

  it('sends nothing after the decision deadline and says the call has ended', async () => {
    const inv = sampleInvitation({ receivedAt: clock.now(), expiresAt: clock.now() + 15_000 });
    provider.sink.ringing(inv);
    clock.advance(15_000);
    const r = await engine.decline(inv.id);
    expect(r.status).toBe('expired');
    expect(provider.declines).toHaveLength(0);
    expect(ofType('ended')).toMatchObject([{ id: inv.id, outcome: 'timedOut' }]);
    expect(ofType('ended')[0]!.message).toMatch(/already ended/);
  });

  it('times an invitation out when its deadline passes without any word from the server', () => {
    const inv = sampleInvitation({ receivedAt: clock.now(), expiresAt: clock.now() + 15_000 });
    provider.sink.ringing(inv);
    clock.advance(20_000);
    expect(ofType('ended')).toMatchObject([{ id: inv.id, outcome: 'timedOut' }]);
  });

  it('ends a decline the server accepted but never confirmed', async () => {
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    await engine.decline(inv.id);
    clock.advance(10_000);
    expect(ofType('ended')).toMatchObject([{ id: inv.id, outcome: 'declined' }]);
  });

  it('under Do Not Disturb declines new invitations silently and ends them as declined', async () => {
    engine.setDnd(true);
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    await Promise.resolve();
    expect(ofType('invitation')).toHaveLength(0);
    expect(provider.declines).toEqual([{ id: inv.id, reason: 'Global' }]);
    provider.sink.ended(inv.id, 'failed');
    expect(ofType('ended')).toMatchObject([{ id: inv.id, outcome: 'declined' }]);
    expect(engine.snapshot().ringing).toHaveLength(0);
  });

  it('declines everything ringing, with the given reason where it applies', async () => {
    const graph = new ScriptedProvider('g', 'graph');
    await engine.addAccount(graph);
    const a = sampleInvitation();
    const b = sampleInvitation({
      id: 'g:call',
      accountId: 'g',
      provider: 'graph',
      declineReasons: ['none', 'busy', 'forbidden'],
      defaultDeclineReason: 'none',
    });
    provider.sink.ringing(a);
    graph.sink.ringing(b);
    await engine.declineAll('Local');
    expect(provider.declines).toEqual([{ id: a.id, reason: 'Local' }]);
    expect(graph.declines).toEqual([{ id: 'g:call', reason: 'none' }]);
  });

  it('ignores an end reported by another account for the same id', () => {
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    const other = new ScriptedProvider('other');
    void engine.addAccount(other);
    other.sink.ended(inv.id, 'cancelled');
    expect(ofType('ended')).toHaveLength(0);
  });

  it('on stop ends what rings as gone and signs every account out', async () => {
    const inv = sampleInvitation();
    provider.sink.ringing(inv);
    await engine.stop();
    expect(provider.stopped).toBe(true);
    expect(ofType('ended')).toMatchObject([{ id: inv.id, outcome: 'gone' }]);
    expect(engine.snapshot().accounts[0]!.state).toBe('stopped');
  });
});
