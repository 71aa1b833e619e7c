import { describe, expect, it } from 'vitest';
import {
  INITIAL_STATE,
  reduce,
  ringingToasts,
  shouldRing,
  visibleNotices,
  visibleToasts,
  type Action,
  type SoftphoneState,
} from '../../renderer/src/store/reducer.js';
import type { AppEvent } from '../../electron/contract.js';
import { invitation, snapshot } from './helpers.js';

const NOW = 1_700_000_100_000;
const ev = (event: AppEvent): Action => ({ type: 'event', event, now: NOW });
const run = (state: SoftphoneState, ...actions: Action[]) => actions.reduce(reduce, state);
const ready = (over = {}) => reduce(INITIAL_STATE, { type: 'snapshot', snapshot: snapshot(over) });

describe('renderer reducer', () => {
  it('starts loading and becomes ready with everything the snapshot holds', () => {
    const a = invitation();
    const s = ready({ ringing: [{ invitation: a, phase: 'ringing', error: null }], dnd: true, demo: true });
    expect(INITIAL_STATE.status).toBe('loading');
    expect(s.status).toBe('ready');
    expect(s.toasts.map((t) => t.invitation.id)).toEqual([a.id]);
    expect(s.dnd).toBe(true);
    expect(s.demo).toBe(true);
    expect(s.accountConfigs[0]?.id).toBe('alice');
  });

  it('records a failed load with its message', () => {
    const s = reduce(INITIAL_STATE, { type: 'loadFailed', message: 'no bridge' });
    expect(s.status).toBe('failed');
    expect(s.loadError).toBe('no bridge');
  });

  it('shows invitations newest first and ignores a replayed invitation event', () => {
    const a = invitation();
    const b = invitation();
    const s = run(
      ready(),
      ev({ type: 'invitation', invitation: a }),
      ev({ type: 'invitation', invitation: b }),
      ev({ type: 'invitation', invitation: a }),
    );
    expect(visibleToasts(s).map((t) => t.invitation.id)).toEqual([b.id, a.id]);
  });

  it('keeps the arrival order of snapshot invitations and of events after them', () => {
    const a = invitation();
    const b = invitation();
    const c = invitation();
    const s = run(
      ready({ ringing: [a, b].map((i) => ({ invitation: i, phase: 'ringing' as const, error: null })) }),
      ev({ type: 'invitation', invitation: c }),
    );
    expect(visibleToasts(s).map((t) => t.invitation.id)).toEqual([c.id, b.id, a.id]);
  });

  it('ignore hides a toast locally and stops it counting as ringing', () => {
    const a = invitation();
    const b = invitation();
    const s = run(ready(), ev({ type: 'invitation', invitation: a }), ev({ type: 'invitation', invitation: b }), {
      type: 'ignore',
      id: a.id,
    });
    expect(visibleToasts(s).map((t) => t.invitation.id)).toEqual([b.id]);
    expect(ringingToasts(s)).toHaveLength(1);
    expect(s.toasts).toHaveLength(2); // still in the book: it rings out on the server
  });

  it('declining, then declineFailed, then a retry walk the toast through its phases', () => {
    const a = invitation();
    const error = { status: 500, code: 'ServiceFailure', subcode: null, message: 'The server failed.' };
    let s = run(ready(), ev({ type: 'invitation', invitation: a }), {
      type: 'declineRequested',
      id: a.id,
      reason: 'Local',
    });
    expect(s.toasts[0]).toMatchObject({ phase: 'declining', reason: 'Local' });
    s = run(s, ev({ type: 'declining', id: a.id, reason: 'Local' }), ev({ type: 'declineFailed', id: a.id, error }));
    expect(s.toasts[0]).toMatchObject({ phase: 'ringing', error, reason: 'Local' });
    s = run(s, { type: 'declineRequested', id: a.id, reason: 'Local' });
    expect(s.toasts[0]).toMatchObject({ phase: 'declining', error: null });
  });

  it('a forward in one batch of events: forwarding, failed, retried, ended — history names the target', () => {
    const a = invitation({ provider: 'graph' });
    const target = { label: 'Reception', phone: '+14255550100' };
    const error = { status: 500, code: 'ServiceUnavailable', subcode: null, message: 'Graph failed.' };
    let s = reduce(ready(), {
      type: 'events',
      now: NOW,
      events: [
        { type: 'invitation', invitation: a },
        { type: 'forwardingCall', id: a.id, target },
        { type: 'forwardFailed', id: a.id, error },
      ],
    });
    expect(s.toasts[0]).toMatchObject({ phase: 'ringing', error, forwardTo: target });
    s = reduce(s, { type: 'forwardRequested', id: a.id, target });
    expect(s.toasts[0]).toMatchObject({ phase: 'forwarding', error: null, forwardTo: target });
    s = reduce(s, {
      type: 'events',
      now: NOW,
      events: [
        { type: 'forwardingCall', id: a.id, target },
        { type: 'ended', id: a.id, outcome: 'forwarded', invitation: a },
      ],
    });
    expect(s.toasts).toEqual([]);
    expect(s.history[0]).toEqual({
      invitation: a,
      outcome: 'forwarded',
      endedAt: NOW,
      declineReason: null,
      forwardedTo: target,
    });
  });

  it('a decline after a failed forward is a decline again (Retry declines, history has no target)', () => {
    const a = invitation({ provider: 'graph' });
    const target = { label: 'Reception', phone: '+14255550100' };
    const error = { status: 500, code: 'ServiceUnavailable', subcode: null, message: 'Graph failed.' };
    let s = run(
      ready(),
      ev({ type: 'invitation', invitation: a }),
      ev({ type: 'forwardingCall', id: a.id, target }),
      ev({ type: 'forwardFailed', id: a.id, error }),
      ev({ type: 'declining', id: a.id, reason: 'busy' }),
    );
    expect(s.toasts[0]).toMatchObject({ phase: 'declining', reason: 'busy' });
    expect(s.toasts[0]?.forwardTo).toBeUndefined();
    s = run(s, ev({ type: 'ended', id: a.id, outcome: 'declined', invitation: a }));
    expect(s.history[0]).toEqual({ invitation: a, outcome: 'declined', endedAt: NOW, declineReason: 'busy' });
  });

  it('an ended event removes the toast and adds a history entry with the decline reason', () => {
    const a = invitation();
    const s = run(
      ready(),
      ev({ type: 'invitation', invitation: a }),
      ev({ type: 'declining', id: a.id, reason: 'Local' }),
      ev({ type: 'ended', id: a.id, outcome: 'declined', invitation: a }),
    );
    expect(s.toasts).toEqual([]);
    expect(s.history[0]).toEqual({ invitation: a, outcome: 'declined', endedAt: NOW, declineReason: 'Local' });
  });

  it('an ended event with a message leaves a farewell in place until it expires', () => {
    const a = invitation();
    let s = run(
      ready(),
      ev({ type: 'invitation', invitation: a }),
      ev({ type: 'ended', id: a.id, outcome: 'timedOut', invitation: a, message: 'The call has already ended.' }),
    );
    expect(s.toasts[0]).toMatchObject({ phase: 'ended', endedMessage: 'The call has already ended.' });
    expect(ringingToasts(s)).toEqual([]);
    expect(shouldRing(s)).toBe(false);
    s = reduce(s, { type: 'farewellExpired', id: a.id });
    expect(s.toasts).toEqual([]);
  });

  it('an ignored invitation that ends leaves no farewell and is forgotten from the ignore list', () => {
    const a = invitation();
    const s = run(
      ready(),
      ev({ type: 'invitation', invitation: a }),
      { type: 'ignore', id: a.id },
      ev({ type: 'ended', id: a.id, outcome: 'missed', invitation: a, message: 'bye' }),
    );
    expect(s.toasts).toEqual([]);
    expect(s.ignored).toEqual([]);
    expect(s.history[0]?.outcome).toBe('missed');
  });

  it('replaying events that the snapshot already contains changes nothing', () => {
    const a = invitation();
    const b = invitation();
    const snap = snapshot({
      ringing: [{ invitation: b, phase: 'ringing', error: null }],
      history: [{ invitation: a, outcome: 'cancelled', endedAt: 5, declineReason: null }],
    });
    const s0 = reduce(INITIAL_STATE, { type: 'snapshot', snapshot: snap });
    const s1 = run(
      s0,
      ev({ type: 'invitation', invitation: a }),
      ev({ type: 'ended', id: a.id, outcome: 'cancelled', invitation: a }),
      ev({ type: 'invitation', invitation: b }),
    );
    expect(s1.history).toHaveLength(1);
    expect(s1.toasts.map((t) => t.invitation.id)).toEqual([b.id]);
  });

  it('the ringtone rings only while something visible rings, DND is off and the setting allows it', () => {
    const a = invitation();
    const base = run(ready(), ev({ type: 'invitation', invitation: a }));
    expect(shouldRing(base)).toBe(true);
    expect(shouldRing(reduce(base, ev({ type: 'dnd', on: true })))).toBe(false);
    expect(shouldRing(reduce(base, ev({ type: 'settings', settings: { ...base.settings, ringtone: false } })))).toBe(
      false,
    );
    expect(shouldRing(reduce(base, { type: 'ignore', id: a.id }))).toBe(false);
    expect(shouldRing(reduce(base, { type: 'declineRequested', id: a.id, reason: null }))).toBe(false);
  });

  it('account events update state and last error, and learn accounts not in the snapshot', () => {
    const err = { status: 401, code: 'Unauthorized', message: 'Wrong password.' };
    const s = run(
      ready(),
      ev({ type: 'account', accountId: 'alice', state: 'error', error: err, lastHeardAt: null }),
      ev({ type: 'account', accountId: 'demo-ucwa', state: 'connected', lastHeardAt: null }),
    );
    expect(s.accounts).toEqual([
      { accountId: 'alice', provider: 'ucwa', state: 'error', error: err, lastHeardAt: null },
      { accountId: 'demo-ucwa', provider: null, state: 'connected', error: null, lastHeardAt: null },
    ]);
  });

  it('accounts events replace the configs and drop stopped accounts that were removed', () => {
    const s = run(
      ready(),
      ev({ type: 'account', accountId: 'alice', state: 'stopped', lastHeardAt: null }),
      ev({ type: 'accounts', accountConfigs: [], demo: true }),
    );
    expect(s.accountConfigs).toEqual([]);
    expect(s.accounts).toEqual([]);
    expect(s.demo).toBe(true);
  });

  it('notices from the snapshot and from events are shown once each and can be dismissed', () => {
    const n1 = { id: 'n1', level: 'warning' as const, message: 'settings.json was corrupt and was set aside' };
    const n2 = { id: 'n2', level: 'error' as const, message: 'something' };
    const s = run(ready({ notices: [n1] }), ev({ type: 'notice', notice: n2 }), ev({ type: 'notice', notice: n2 }), {
      type: 'dismissNotice',
      id: 'n1',
    });
    expect(s.notices).toHaveLength(2);
    expect(visibleNotices(s)).toEqual([n2]);
  });

  it('a decline rejected by the bridge puts the error on the toast', () => {
    const a = invitation();
    const error = { status: null, code: 'UnknownInvitation', subcode: null, message: 'no ringing invitation' };
    const s = run(
      ready(),
      ev({ type: 'invitation', invitation: a }),
      { type: 'declineRequested', id: a.id, reason: null },
      { type: 'declineRejected', id: a.id, error },
    );
    expect(s.toasts[0]).toMatchObject({ phase: 'ringing', error });
  });

  it('history keeps the newest hundred', () => {
    let s = ready();
    for (let i = 0; i < 105; i++) {
      const inv = invitation();
      s = run(
        s,
        ev({ type: 'invitation', invitation: inv }),
        ev({ type: 'ended', id: inv.id, outcome: 'missed', invitation: inv }),
      );
    }
    expect(s.history).toHaveLength(100);
  });
});
