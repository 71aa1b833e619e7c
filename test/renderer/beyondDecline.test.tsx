/**
 * Issue 9 in the renderer (jsdom): the toast's reply menu, the store's reply/compose flow,
 * timed DND state, and the account form's forwarding contacts.
 */
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ToastStack } from '../../renderer/src/components/ToastStack.js';
import { buildSaveInput, emptyForm, formFromAccount } from '../../renderer/src/lib/accountForm.js';
import { INITIAL_STATE, reduce } from '../../renderer/src/store/reducer.js';
import { graphInvitation, invitation, renderWithStore, snapshot, testBridge } from './helpers.js';

const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });

describe('toast: reply with a message', () => {
  it('offers the quick replies and Custom…; a quick reply calls reply(id, text)', async () => {
    const inv = invitation({ from: { name: 'Lene', uri: 'sip:lene@contoso.com' } });
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    await renderWithStore(<ToastStack />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Reply with a message' }));
    const menu = screen.getByRole('menu', { name: 'Reply with a message' });
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map((m) => m.textContent),
    ).toEqual([
      "In a meeting — I'll call you back.",
      "Can't talk now. Send me an IM?",
      'On my way, 10 minutes.',
      'Custom…',
    ]);
    expect(document.activeElement?.textContent).toBe("In a meeting — I'll call you back.");
    await user.keyboard('{ArrowDown}{Enter}');
    await settle();
    expect(tb.callsOn('softphone:reply')).toEqual([{ id: inv.id, text: "Can't talk now. Send me an IM?" }]);
    expect(tb.callsOn('softphone:decline')).toEqual([]);
  });

  it('Custom… asks main to compose; Escape closes the menu without ignoring the toast', async () => {
    const inv = invitation();
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    await renderWithStore(<ToastStack />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Reply with a message' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getAllByRole('alertdialog')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Reply with a message' }));
    await user.click(screen.getByRole('menuitem', { name: 'Custom…' }));
    await settle();
    expect(tb.callsOn('softphone:composeReply')).toEqual([{ id: inv.id }]);
    expect(tb.callsOn('softphone:reply')).toEqual([]);
  });

  it('a Graph call has no reply menu', async () => {
    const inv = graphInvitation();
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    await renderWithStore(<ToastStack />, tb);
    expect(screen.queryByRole('button', { name: 'Reply with a message' })).toBeNull();
  });
});

describe('reducer: reply, compose, timed DND', () => {
  it('a reply decline puts "replied" into history; replyFailed marks it', () => {
    const inv = invitation();
    let s = reduce(INITIAL_STATE, {
      type: 'snapshot',
      snapshot: snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }),
    });
    s = reduce(s, { type: 'event', event: { type: 'composeReply', id: inv.id }, now: 1 });
    expect(s.composeFor).toBe(inv.id);
    s = reduce(s, { type: 'replyRequested', id: inv.id, text: 'later' });
    expect(s.toasts[0]!.phase).toBe('declining');
    s = reduce(s, {
      type: 'event',
      event: { type: 'ended', id: inv.id, outcome: 'declined', invitation: inv },
      now: 2,
    });
    expect(s.history[0]).toMatchObject({ outcome: 'declined', reply: 'later' });
    expect(s.composeFor).toBeNull();
    s = reduce(s, {
      type: 'event',
      event: {
        type: 'replyFailed',
        id: inv.id,
        error: { status: 500, code: 'X', subcode: null, message: 'Declined, but…' },
      },
      now: 3,
    });
    expect(s.history[0]!.replyError).toBe('Declined, but…');
  });

  it('a dnd event with until keeps the end; off clears it', () => {
    let s = reduce(INITIAL_STATE, { type: 'snapshot', snapshot: snapshot() });
    s = reduce(s, { type: 'event', event: { type: 'dnd', on: true, until: 5_000 }, now: 1 });
    expect([s.dnd, s.dndUntil]).toEqual([true, 5_000]);
    s = reduce(s, { type: 'event', event: { type: 'dnd', on: false }, now: 2 });
    expect([s.dnd, s.dndUntil]).toEqual([false, null]);
  });
});

describe('account form: forwarding contacts and presence mirroring', () => {
  it('parses Label = URI lines, round-trips them, and names a bad line', () => {
    const v = {
      ...emptyForm('ucwa'),
      sipAddress: 'lene@contoso.com',
      username: 'lene',
      secret: 'pw',
      forwardContacts: 'Reception = sip:reception@contoso.com\n\nMobile = tel:+14255550100',
      mirrorDndToPresence: 'no' as const,
    };
    const built = buildSaveInput(v, null, new Set());
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.input.account).toMatchObject({
      forwardContacts: [
        { label: 'Reception', sipUri: 'sip:reception@contoso.com' },
        { label: 'Mobile', sipUri: 'tel:+14255550100' },
      ],
      mirrorDndToPresence: false,
    });
    const back = formFromAccount({ ...built.input.account, hasSecret: true });
    expect(back.forwardContacts).toBe('Reception = sip:reception@contoso.com\nMobile = tel:+14255550100');
    expect(back.mirrorDndToPresence).toBe('no');

    const bad = buildSaveInput({ ...v, forwardContacts: 'Reception sip:reception@contoso.com' }, null, new Set());
    expect(bad.ok ? null : bad.errors.forwardContacts).toBe('line 1: write Label = sip:user@domain (or tel:+number)');
    const notSip = buildSaveInput({ ...v, forwardContacts: 'Boss = boss@contoso.com' }, null, new Set());
    expect(notSip.ok ? null : notSip.errors.forwardContacts).toMatch(/sip:user@domain or tel:\+number URI/);
  });
});
