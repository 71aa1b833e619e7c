/**
 * Issue 9 §1: a reply whose decline failed shows Retry, and Retry sends the reply again
 * (decline + IM with the same text) — not a plain decline that would drop the text.
 */
import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AppEvent, DeclineError } from '../../electron/contract.js';
import { ToastStack } from '../../renderer/src/components/ToastStack.js';
import { INITIAL_STATE, reduce } from '../../renderer/src/store/reducer.js';
import { invitation, renderWithStore, snapshot, testBridge } from './helpers.js';

const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });

const error: DeclineError = { status: 500, code: 'ServiceFailure', subcode: null, message: 'The pool failed.' };

describe('Retry after a failed reply', () => {
  it('sends the reply again with the same text through bridge.reply, never a plain decline', async () => {
    const inv = invitation({ from: { name: 'Lene', uri: 'sip:lene@contoso.com' } });
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    let replies = 0;
    tb.replyResult = (id) => {
      replies += 1;
      if (replies > 1) return { status: 'sent' };
      // What the engine pushes while its decline fails, then what the call answers.
      tb.emit({ type: 'declining', id, reason: 'Global', reply: "Can't talk now. Send me an IM?" });
      tb.emit({ type: 'declineFailed', id, error });
      return { status: 'failed', error };
    };
    const { store } = await renderWithStore(<ToastStack />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Reply with a message' }));
    await user.click(screen.getByRole('menuitem', { name: "Can't talk now. Send me an IM?" }));
    await settle();
    expect(screen.getByRole('alert').textContent).toBe('Decline failed, so the reply was not sent: The pool failed.');

    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await settle();
    expect(tb.callsOn('softphone:reply')).toEqual([
      { id: inv.id, text: "Can't talk now. Send me an IM?" },
      { id: inv.id, text: "Can't talk now. Send me an IM?" },
    ]);
    expect(tb.callsOn('softphone:decline')).toEqual([]);
    act(() => tb.emit({ type: 'ended', id: inv.id, outcome: 'declined', invitation: inv }));
    expect(store.getState().history[0]).toMatchObject({ outcome: 'declined', reply: "Can't talk now. Send me an IM?" });
  });

  it('in a window that did not send the reply (Custom… from the main window), Retry re-sends it too', async () => {
    const inv = invitation();
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    await renderWithStore(<ToastStack />, tb);
    act(() => {
      tb.emit({ type: 'declining', id: inv.id, reason: 'Global', reply: 'Back at 3.' });
      tb.emit({ type: 'declineFailed', id: inv.id, error });
    });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    await settle();
    expect(tb.callsOn('softphone:reply')).toEqual([{ id: inv.id, text: 'Back at 3.' }]);
    expect(tb.callsOn('softphone:decline')).toEqual([]);
  });

  it('a plain decline after a failed reply is a plain decline: Retry declines, history has no reply', async () => {
    const inv = invitation();
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    const { store } = await renderWithStore(<ToastStack />, tb);
    act(() => {
      tb.emit({ type: 'declining', id: inv.id, reason: 'Global', reply: 'Back at 3.' });
      tb.emit({ type: 'declineFailed', id: inv.id, error });
      // "Decline all" from the tray: the engine's own decline, without a reply.
      tb.emit({ type: 'declining', id: inv.id, reason: 'Local' });
      tb.emit({ type: 'declineFailed', id: inv.id, error });
    });
    expect(screen.getByRole('alert').textContent).toBe('Decline failed: The pool failed.');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    await settle();
    expect(tb.callsOn('softphone:reply')).toEqual([]);
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id, reason: 'Local' }]);
    act(() => tb.emit({ type: 'ended', id: inv.id, outcome: 'declined', invitation: inv }));
    expect(store.getState().history[0]!.reply).toBeUndefined();
  });
});

describe('reducer: a failed reply in one batch of pushed events', () => {
  it('keeps the text for Retry (failedReply) but not as "being sent", whichever of event and result comes first', () => {
    const inv = invitation();
    const base = reduce(INITIAL_STATE, {
      type: 'snapshot',
      snapshot: snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }),
    });
    const events: AppEvent[] = [
      { type: 'declining', id: inv.id, reason: 'Global', reply: 'later' },
      { type: 'declineFailed', id: inv.id, error },
    ];
    const requested = reduce(base, { type: 'replyRequested', id: inv.id, text: 'later' });
    const eventsFirst = reduce(reduce(requested, { type: 'events', events, now: 1 }), {
      type: 'declineRejected',
      id: inv.id,
      error,
    });
    const resultFirst = reduce(reduce(requested, { type: 'declineRejected', id: inv.id, error }), {
      type: 'events',
      events,
      now: 1,
    });
    for (const s of [eventsFirst, resultFirst]) {
      expect(s.toasts[0]).toMatchObject({ phase: 'ringing', error, failedReply: 'later' });
      expect(s.toasts[0]!.replyText).toBeUndefined();
    }
    // A new reply replaces it; a plain decline forgets it.
    const again = reduce(eventsFirst, { type: 'replyRequested', id: inv.id, text: 'sooner' });
    expect(again.toasts[0]).toMatchObject({ phase: 'declining', replyText: 'sooner' });
    expect(again.toasts[0]!.failedReply).toBeUndefined();
    const plain = reduce(eventsFirst, { type: 'declineRequested', id: inv.id, reason: null });
    expect(plain.toasts[0]!.failedReply).toBeUndefined();
    expect(plain.toasts[0]!.replyText).toBeUndefined();
  });
});
