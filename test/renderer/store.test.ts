import { describe, expect, it, vi } from 'vitest';
import { createSoftphoneStore } from '../../renderer/src/store/store.js';
import { invitation, snapshot, testBridge } from './helpers.js';

describe('renderer store', () => {
  it('subscribes before asking for the snapshot, so an event pushed in between is not lost', async () => {
    const tb = testBridge(snapshot());
    const early = invitation();
    const snap = tb.bridge.snapshot;
    tb.bridge.snapshot = async () => {
      tb.emit({ type: 'invitation', invitation: early }); // arrives while the snapshot is in flight
      return snap();
    };
    const store = createSoftphoneStore(tb.bridge);
    await store.getState().start();
    expect(store.getState().status).toBe('ready');
    expect(store.getState().toasts.map((t) => t.invitation.id)).toEqual([early.id]);
  });

  it('reports a snapshot that fails as a load error', async () => {
    const tb = testBridge();
    tb.bridge.snapshot = () => Promise.reject(new Error('main is not answering'));
    const store = createSoftphoneStore(tb.bridge);
    await store.getState().start();
    expect(store.getState()).toMatchObject({ status: 'failed', loadError: 'main is not answering' });
  });

  it('stop unsubscribes: later events change nothing', async () => {
    const tb = testBridge();
    const store = createSoftphoneStore(tb.bridge);
    await store.getState().start();
    store.getState().stop();
    tb.emit({ type: 'invitation', invitation: invitation() });
    expect(store.getState().toasts).toEqual([]);
  });

  it('a double decline sends one request', async () => {
    const inv = invitation();
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    const store = createSoftphoneStore(tb.bridge);
    await store.getState().start();
    await Promise.all([store.getState().decline(inv.id), store.getState().decline(inv.id)]);
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id }]);
  });

  it('removes a farewell after its time with the injected timer', async () => {
    const inv = invitation();
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    const timers: { fn: () => void; ms: number }[] = [];
    const store = createSoftphoneStore(tb.bridge, { setTimeout: (fn, ms) => timers.push({ fn, ms }) });
    await store.getState().start();
    tb.emit({
      type: 'ended',
      id: inv.id,
      outcome: 'timedOut',
      invitation: inv,
      message: 'The call has already ended.',
    });
    expect(store.getState().toasts[0]?.phase).toBe('ended');
    expect(timers.map((t) => t.ms)).toEqual([4_000]);
    timers[0]!.fn();
    expect(store.getState().toasts).toEqual([]);
  });

  it('settings, DND and account commands go through the bridge and update the state', async () => {
    const tb = testBridge();
    const store = createSoftphoneStore(tb.bridge);
    await store.getState().start();
    await store.getState().setDnd(true);
    await store.getState().saveSettings({ ringtone: false });
    await store.getState().removeAccount('alice');
    await store.getState().simulate('graphCall');
    expect(tb.callsOn('softphone:setDnd')).toEqual([{ on: true }]);
    expect(tb.callsOn('softphone:saveSettings')).toEqual([{ ringtone: false }]);
    expect(tb.callsOn('softphone:removeAccount')).toEqual([{ accountId: 'alice' }]);
    expect(tb.callsOn('softphone:simulate')).toEqual([{ kind: 'graphCall' }]);
    const s = store.getState();
    expect(s.dnd).toBe(true);
    expect(s.settings.ringtone).toBe(false);
    expect(s.accountConfigs).toEqual([]);
  });

  it('a command that fails becomes a dismissible error notice', async () => {
    const tb = testBridge();
    tb.bridge.setDnd = vi.fn(() => Promise.reject(new Error('IPC closed')));
    const store = createSoftphoneStore(tb.bridge);
    await store.getState().start();
    await store.getState().setDnd(true);
    const [notice] = store.getState().notices;
    expect(notice).toMatchObject({ level: 'error', message: 'Could not turn Do Not Disturb on: IPC closed' });
    store.getState().dismissNotice(notice!.id);
    expect(store.getState().dismissedNotices).toEqual([notice!.id]);
  });
});
