import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToastStack } from '../../renderer/src/components/ToastStack.js';
import { graphInvitation, invitation, renderWithStore, snapshot, testBridge } from './helpers.js';
import type { Invitation } from '../../electron/contract.js';

const ringing = (...invs: Invitation[]) =>
  snapshot({ ringing: invs.map((invitation) => ({ invitation, phase: 'ringing' as const, error: null })) });

async function renderStack(invs: Invitation[], opts: Parameters<typeof renderWithStore>[2] = {}) {
  const tb = testBridge(ringing(...invs));
  const r = await renderWithStore(<ToastStack reportSize={tb.bridge.reportToastSize} />, tb, opts);
  return { tb, ...r };
}

const toasts = () => screen.queryAllByRole('alertdialog');
/** Lets the bridge's promise chain (invoke → dispatchInvoke → result) settle. */
const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });

describe('toast stack', () => {
  it('shows caller name, address, kind, subject, importance, first IM text and account', async () => {
    const inv = invitation({
      modality: 'messaging',
      from: { name: 'Bob Jones', uri: 'sip:bob@contoso.com' },
      subject: 'Quarterly numbers',
      importance: 'urgent',
      message: 'Got a minute?',
    });
    await renderStack([inv]);
    const toast = screen.getByRole('alertdialog', { name: /Instant message from Bob Jones/ });
    const t = within(toast);
    expect(t.getByText('sip:bob@contoso.com')).toBeTruthy();
    expect(t.getByText('IM')).toBeTruthy();
    expect(t.getByText('Quarterly numbers')).toBeTruthy();
    expect(t.getByText('Urgent')).toBeTruthy();
    expect(t.getByText('Got a minute?')).toBeTruthy();
    expect(t.getByText('Alice at Contoso')).toBeTruthy();
    // The description names subject, message and account for screen readers.
    const desc = document.getElementById(toast.getAttribute('aria-describedby') ?? '');
    expect(desc?.textContent).toContain('Quarterly numbers');
    expect(desc?.textContent).toContain('Got a minute?');
  });

  it.each([
    [{ modality: 'audio' as const }, 'Call'],
    [{ modality: 'video' as const }, 'Video call'],
    [{ modality: 'meeting' as const }, 'Meeting'],
    [{ modality: 'messaging' as const }, 'IM'],
  ])('labels a UCWA %o invitation as %s', async (over, label) => {
    await renderStack([invitation(over)]);
    expect(within(toasts()[0]!).getByText(label)).toBeTruthy();
  });

  it('labels a Graph invitation as a Teams call and an emergency so it stands out in words', async () => {
    await renderStack([graphInvitation({ importance: 'emergency' })]);
    const t = within(toasts()[0]!);
    expect(t.getByText('Teams call')).toBeTruthy();
    expect(t.getByText('Emergency')).toBeTruthy();
    expect(toasts()[0]!.className).toContain('importance-emergency');
  });

  it('renders a hostile display name as text, never as markup', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const { container } = await renderStack([
      invitation({
        from: { name: hostile, uri: 'sip:<b>x</b>@evil.example' },
        subject: '<script>alert(2)</script>',
        message: '<i>hi</i>',
      }),
    ]);
    expect(screen.getByRole('heading', { level: 2 }).textContent).toContain(hostile);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script, b, i')).toBeNull();
    expect(screen.getByText('<script>alert(2)</script>')).toBeTruthy();
  });

  it('stacks newest on top, shows at most four, then "+2 more", and Decline all', async () => {
    const invs = Array.from({ length: 6 }, (_, i) =>
      invitation({ from: { name: `Person ${i + 1}`, uri: `sip:p${i + 1}@x.com` } }),
    );
    await renderStack(invs);
    expect(toasts()).toHaveLength(4);
    expect(toasts().map((t) => within(t).getByRole('heading').textContent)).toEqual([
      expect.stringContaining('Person 6'),
      expect.stringContaining('Person 5'),
      expect.stringContaining('Person 4'),
      expect.stringContaining('Person 3'),
    ]);
    expect(screen.getByText('+2 more')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Decline all (6)' })).toBeTruthy();
  });

  it('shows no Decline all for a single invitation', async () => {
    await renderStack([invitation()]);
    expect(screen.queryByRole('button', { name: /Decline all/ })).toBeNull();
    expect(screen.queryByText(/more$/)).toBeNull();
  });

  it('Decline sends the invitation id without a reason, so the default (Global) applies', async () => {
    const inv = invitation();
    const { tb } = await renderStack([inv]);
    await userEvent.click(within(toasts()[0]!).getByRole('button', { name: 'Decline' }));
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id }]);
  });

  it('the menu offers "Decline on this device only" (Local) and the technical reasons under readable labels', async () => {
    const inv = invitation();
    const { tb } = await renderStack([inv]);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'More ways to decline' }));
    const menu = screen.getByRole('menu');
    const items = within(menu)
      .getAllByRole('menuitem')
      .map((i) => i.textContent);
    expect(items[0]).toBe('Decline on this device only');
    expect(items).toContain('Codec mismatch');
    expect(items).toContain('Insufficient bandwidth (reroute over PSTN)');
    expect(items).not.toContain('Decline everywhere'); // that is the Decline button itself
    expect(items).toHaveLength(11);
    await user.click(within(menu).getByRole('menuitem', { name: 'Decline on this device only' }));
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id, reason: 'Local' }]);
  });

  it('offers "Decline everywhere" in the menu when the default is Local', async () => {
    const inv = invitation({ defaultDeclineReason: 'Local' });
    const { tb } = await renderStack([inv]);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'More ways to decline' }));
    await user.click(screen.getByRole('menuitem', { name: 'Decline everywhere' }));
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id, reason: 'Global' }]);
  });

  it('a Graph toast offers Busy and Forbidden in the menu', async () => {
    const inv = graphInvitation();
    const { tb } = await renderStack([inv]);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'More ways to decline' }));
    expect(screen.getAllByRole('menuitem').map((i) => i.textContent)).toEqual(['Busy', 'Forbidden']);
    await user.click(screen.getByRole('menuitem', { name: 'Busy' }));
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id, reason: 'busy' }]);
  });

  it('the menu works from the keyboard and Escape closes it without ignoring the toast', async () => {
    const inv = invitation();
    const { tb } = await renderStack([inv]);
    const user = userEvent.setup();
    const menuButton = screen.getByRole('button', { name: 'More ways to decline' });
    menuButton.focus();
    await user.keyboard('{Enter}');
    expect(document.activeElement?.textContent).toBe('Decline on this device only');
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement?.textContent).toBe('Decline without a reason');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(menuButton);
    expect(toasts()).toHaveLength(1);
    await user.keyboard('{ArrowDown}{Enter}');
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id, reason: 'Local' }]);
  });

  it('Ignore hides the toast and sends nothing', async () => {
    const { tb } = await renderStack([invitation()]);
    const before = tb.calls.length;
    await userEvent.click(screen.getByRole('button', { name: 'Ignore' }));
    expect(toasts()).toHaveLength(0);
    expect(tb.calls.slice(before).filter((c) => c.channel !== 'softphone:toastSize')).toEqual([]);
  });

  it('Escape on a focused toast ignores it', async () => {
    const a = invitation();
    const b = invitation();
    const { tb } = await renderStack([a, b]);
    const user = userEvent.setup();
    within(toasts()[0]!).getByRole('button', { name: 'Decline' }).focus();
    await user.keyboard('{Escape}');
    expect(toasts()).toHaveLength(1);
    expect(within(toasts()[0]!).getByRole('heading').textContent).toContain(a.from.name);
    expect(tb.callsOn('softphone:decline')).toEqual([]);
  });

  it('while declining the buttons are disabled and it says "Declining…"', async () => {
    const inv = invitation();
    const { tb } = await renderStack([inv]);
    let release!: () => void;
    tb.declineResult = () => new Promise((resolve) => (release = () => resolve({ status: 'sent' })));
    await userEvent.click(screen.getByRole('button', { name: 'Decline' }));
    const t = within(toasts()[0]!);
    expect(t.getByText('Declining…')).toBeTruthy();
    for (const name of ['Decline', 'More ways to decline', 'Ignore']) {
      expect((t.getByRole('button', { name }) as HTMLButtonElement).disabled).toBe(true);
    }
    // A second click sends nothing more.
    fireEvent.click(t.getByRole('button', { name: 'Decline' }));
    release();
    await settle();
    expect(tb.callsOn('softphone:decline')).toHaveLength(1);
  });

  it('a failed decline shows the error and stays with Retry, which sends the same reason again', async () => {
    const inv = invitation();
    const { tb } = await renderStack([inv]);
    const error = {
      status: 409,
      code: 'Conflict',
      subcode: null,
      message: 'The server refused the decline (409 Conflict).',
    };
    tb.declineResult = (id) => {
      queueMicrotask(() => tb.emit({ type: 'declineFailed', id, error }));
      return { status: 'failed', error };
    };
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'More ways to decline' }));
    await user.click(screen.getByRole('menuitem', { name: 'Decline on this device only' }));
    await settle();
    const t = within(toasts()[0]!);
    expect(t.getByRole('alert').textContent).toContain('The server refused the decline (409 Conflict).');
    tb.declineResult = () => ({ status: 'sent' });
    await user.click(t.getByRole('button', { name: 'Retry' }));
    expect(tb.callsOn('softphone:decline')).toEqual([
      { id: inv.id, reason: 'Local' },
      { id: inv.id, reason: 'Local' },
    ]);
    expect(t.queryByRole('alert')).toBeNull();
  });

  it('a decline the bridge rejects (e.g. a bad payload) shows that error too', async () => {
    const inv = invitation();
    const { tb } = await renderStack([inv]);
    tb.declineResult = () => {
      throw Object.assign(new Error('no ringing invitation with id "x"'), { code: 'UnknownInvitation' });
    };
    await userEvent.click(screen.getByRole('button', { name: 'Decline' }));
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('no ringing invitation');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });

  it('an ended event removes the toast; an end message shows briefly in its place', async () => {
    vi.useFakeTimers();
    try {
      const a = invitation();
      const b = invitation();
      const { tb } = await renderStack([a, b]);
      act(() => tb.emit({ type: 'ended', id: a.id, outcome: 'cancelled', invitation: a }));
      expect(toasts()).toHaveLength(1);
      act(() =>
        tb.emit({
          type: 'ended',
          id: b.id,
          outcome: 'timedOut',
          invitation: b,
          message: 'The call has already ended.',
        }),
      );
      expect(toasts()).toHaveLength(0);
      expect(screen.getByRole('status').textContent).toContain('The call has already ended.');
      act(() => vi.advanceTimersByTime(4_000));
      expect(screen.queryByText('The call has already ended.')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('Decline all declines every visible ringing invitation but not the ignored one', async () => {
    const [a, b, c] = [invitation(), invitation(), invitation()];
    const { tb } = await renderStack([a!, b!, c!]);
    const user = userEvent.setup();
    await user.click(within(toasts()[2]!).getByRole('button', { name: 'Ignore' })); // a (oldest, at the bottom)
    await user.click(screen.getByRole('button', { name: 'Decline all (2)' }));
    expect(tb.callsOn('softphone:decline')).toEqual(expect.arrayContaining([{ id: b!.id }, { id: c!.id }]));
    expect(tb.callsOn('softphone:decline')).toHaveLength(2);
  });

  it('reports its size through the bridge, height 0 when empty', async () => {
    const spy = vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (
      this: HTMLElement,
    ) {
      return {
        width: 376,
        height: this.querySelectorAll('[role="alertdialog"]').length * 120,
        x: 0,
        y: 0,
        top: 0,
        left: 0,
        right: 376,
        bottom: 0,
        toJSON: () => ({}),
      } as DOMRect;
    });
    try {
      const tb = testBridge(snapshot());
      await renderWithStore(<ToastStack reportSize={tb.bridge.reportToastSize} />, tb);
      expect(tb.callsOn('softphone:toastSize')).toEqual([{ width: 376, height: 0 }]);
      const inv = invitation();
      act(() => tb.emit({ type: 'invitation', invitation: inv }));
      expect(tb.callsOn('softphone:toastSize').at(-1)).toEqual({ width: 376, height: 120 });
      act(() => tb.emit({ type: 'ended', id: inv.id, outcome: 'cancelled', invitation: inv }));
      expect(tb.callsOn('softphone:toastSize').at(-1)).toEqual({ width: 376, height: 0 });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('toast timing (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows how long it has rung', async () => {
    await renderStack([invitation({ receivedAt: Date.now() })]);
    expect(within(toasts()[0]!).getByText('0:00')).toBeTruthy();
    act(() => vi.advanceTimersByTime(65_000));
    expect(within(toasts()[0]!).getByText('1:05')).toBeTruthy();
  });

  it("counts down a Graph invitation's 15 s answer window", async () => {
    const now = Date.now();
    await renderStack([graphInvitation({ receivedAt: now, expiresAt: now + 15_000 })]);
    const t = within(toasts()[0]!);
    expect(t.getByText('Answer window closes in 15 s')).toBeTruthy();
    act(() => vi.advanceTimersByTime(5_000));
    expect(t.getByText('Answer window closes in 10 s')).toBeTruthy();
    act(() => vi.advanceTimersByTime(10_000));
    expect(t.getByText('Answer window closed')).toBeTruthy();
  });

  it('shows no countdown for an invitation without a deadline', async () => {
    await renderStack([invitation({ receivedAt: Date.now() })]);
    expect(screen.queryByText(/Answer window/)).toBeNull();
  });
});
