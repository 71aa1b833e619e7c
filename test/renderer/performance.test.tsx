// The renderer's cost rules: events batched per flush, one pass for a burst and for Decline
// all, and a first toast that renders once. (The figures themselves: `npm run bench`.)
import { act, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../electron/contract.js';
import { ToastStack } from '../../renderer/src/components/ToastStack.js';
import { INITIAL_STATE, reduce, visibleToasts, type SoftphoneState } from '../../renderer/src/store/reducer.js';
import { createSoftphoneStore, perFrame } from '../../renderer/src/store/store.js';
import { invitation, renderWithStore, snapshot, testBridge } from './helpers.js';

afterEach(() => vi.useRealTimers());

const ready: SoftphoneState = reduce(INITIAL_STATE, { type: 'snapshot', snapshot: snapshot() });

describe('event batching', () => {
  it('events pushed before a flush apply together: one state change, in order', async () => {
    const tb = testBridge();
    const flushes: (() => void)[] = [];
    const store = createSoftphoneStore(tb.bridge, { batchEvents: (f) => flushes.push(f) });
    await store.getState().start();
    const changes = vi.fn();
    store.subscribe(changes);
    const [a, b] = [invitation(), invitation()];
    tb.emit({ type: 'invitation', invitation: a });
    tb.emit({ type: 'invitation', invitation: b });
    tb.emit({ type: 'ended', id: a.id, outcome: 'cancelled', invitation: a });
    expect(flushes).toHaveLength(1); // one flush asked for, by the first event
    expect(store.getState().toasts).toEqual([]);
    flushes[0]!();
    expect(changes).toHaveBeenCalledTimes(1);
    expect(store.getState().toasts.map((t) => t.invitation.id)).toEqual([b.id]);
    expect(store.getState().history.map((h) => h.invitation.id)).toEqual([a.id]);
    // The next event asks for a new flush.
    tb.emit({ type: 'ended', id: b.id, outcome: 'missed', invitation: b });
    expect(flushes).toHaveLength(2);
  });

  it('a batch ends where the same events applied one by one end', () => {
    const invs = Array.from({ length: 6 }, () => invitation({ message: 'hi' }));
    const events: AppEvent[] = [
      ...invs.map((invitation): AppEvent => ({ type: 'invitation', invitation })),
      { type: 'invitation', invitation: invs[0]! }, // a replay
      { type: 'declining', id: invs[1]!.id, reason: 'Local' },
      { type: 'dnd', on: true },
      {
        type: 'declineFailed',
        id: invs[2]!.id,
        error: { status: 500, code: 'ServiceFailure', subcode: null, message: 'no' },
      },
      { type: 'ended', id: invs[1]!.id, outcome: 'declined', invitation: invs[1]! },
      { type: 'ended', id: invs[3]!.id, outcome: 'cancelled', invitation: invs[3]!, message: 'The caller hung up.' },
      { type: 'ended', id: invs[3]!.id, outcome: 'cancelled', invitation: invs[3]! }, // repeated
      { type: 'invitation', invitation: invs[1]! }, // after its end: not shown again
    ];
    const start = reduce(ready, { type: 'ignore', id: invs[4]!.id }); // not yet known: no-op
    const oneByOne = events.reduce((s, event) => reduce(s, { type: 'event', event, now: 5 }), start);
    const batched = reduce(start, { type: 'events', events, now: 5 });
    expect(batched).toEqual(oneByOne);
    expect(batched.toasts.map((t) => [t.invitation.id, t.phase])).toEqual([
      [invs[0]!.id, 'ringing'],
      [invs[2]!.id, 'ringing'],
      [invs[3]!.id, 'ended'],
      [invs[4]!.id, 'ringing'],
      [invs[5]!.id, 'ringing'],
    ]);
    expect(batched.dnd).toBe(true);
  });

  it('a batch that changes nothing keeps the state as it was', () => {
    const inv = invitation();
    const s = reduce(ready, { type: 'event', event: { type: 'invitation', invitation: inv }, now: 1 });
    expect(reduce(s, { type: 'events', events: [{ type: 'invitation', invitation: inv }], now: 2 })).toBe(s);
  });

  it('visible toasts are newest first without ignored ones, and the same array until either changes', () => {
    const invs = [invitation(), invitation(), invitation()];
    let s = reduce(ready, {
      type: 'events',
      events: invs.map((invitation): AppEvent => ({ type: 'invitation', invitation })),
      now: 1,
    });
    s = reduce(s, { type: 'ignore', id: invs[1]!.id });
    const v = visibleToasts(s);
    expect(v.map((t) => t.invitation.id)).toEqual([invs[2]!.id, invs[0]!.id]);
    expect(visibleToasts({ toasts: s.toasts, ignored: s.ignored })).toBe(v);
  });
});

describe('Decline all', () => {
  it('marks every ringing toast declining in one state change, then sends one decline each', async () => {
    const invs = [invitation(), invitation(), invitation()];
    const tb = testBridge(
      snapshot({ ringing: invs.map((i) => ({ invitation: i, phase: 'ringing' as const, error: null })) }),
    );
    const store = createSoftphoneStore(tb.bridge);
    await store.getState().start();
    store.getState().ignore(invs[0]!.id);
    const changes = vi.fn();
    store.subscribe(changes);
    const done = store.getState().declineAll();
    expect(changes).toHaveBeenCalledTimes(1);
    expect(store.getState().toasts.map((t) => t.phase)).toEqual(['ringing', 'declining', 'declining']);
    await done;
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: invs[2]!.id }, { id: invs[1]!.id }]); // newest first
  });
});

describe('the first toast', () => {
  it('renders the stack once when it arrives on an empty stack', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const tb = testBridge();
    const commits = vi.fn();
    await renderWithStore(
      <Profiler id="stack" onRender={commits}>
        <ToastStack />
      </Profiler>,
      tb,
    );
    commits.mockClear();
    // Real time moves on between the render and the clock's subscription (a passive effect).
    const receivedAt = Date.now();
    let t = receivedAt + 100;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (t += 7));
    act(() => tb.emit({ type: 'invitation', invitation: invitation({ receivedAt }) }));
    clock.mockRestore();
    expect(screen.getByRole('alertdialog')).toBeTruthy();
    expect(commits).toHaveBeenCalledTimes(1);
    // UCWA toasts tick on whole seconds: one render per second, not two.
    for (let i = 0; i < 3; i++) act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByRole('alertdialog').querySelector('time')?.textContent).toBe('0:03');
    expect(commits).toHaveBeenCalledTimes(4);
  });
});

describe('perFrame', () => {
  const settle = () => new Promise<void>((r) => setTimeout(r, 0));

  it('applies a lone event in a microtask, and groups what follows until the next frame', async () => {
    const batch = perFrame();
    const flushed: string[] = [];
    // Frames are requested, never delivered, until the test calls one.
    const raf = vi.spyOn(window, 'requestAnimationFrame').mockImplementation(() => 1);
    batch(() => flushed.push('lone'));
    expect(flushed).toEqual([]);
    await Promise.resolve();
    expect(flushed).toEqual(['lone']);
    batch(() => flushed.push('group'));
    await Promise.resolve();
    expect(flushed).toEqual(['lone']); // waits for the frame
    expect(raf).toHaveBeenCalledTimes(2);
    raf.mock.calls[1]![0](0);
    expect(flushed).toEqual(['lone', 'group']);
    raf.mockRestore();
  });

  it('flushes a waiting group on a timer when no frame comes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'requestAnimationFrame'] });
    const batch = perFrame();
    const flushed: string[] = [];
    batch(() => flushed.push('lone'));
    await Promise.resolve();
    batch(() => flushed.push('group'));
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual(['lone', 'group']);
  });

  it('in a hidden page, every group applies in a microtask', async () => {
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    const batch = perFrame();
    const flushed: number[] = [];
    batch(() => flushed.push(1));
    batch(() => flushed.push(2));
    await settle();
    expect(flushed).toEqual([1, 2]);
    visibility.mockRestore();
  });
});
