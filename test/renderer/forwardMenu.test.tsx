import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AccountSummary, Invitation } from '../../electron/contract.js';
import { ToastStack } from '../../renderer/src/components/ToastStack.js';
import { HistorySection } from '../../renderer/src/app/HistorySection.js';
import { graphInvitation, invitation, renderWithStore, snapshot, testBridge } from './helpers.js';

const teams: AccountSummary = {
  id: 'teams',
  provider: 'graph',
  displayName: 'Teams',
  tenantId: 't',
  clientId: 'c',
  callback: { port: 0 },
  forwardTargets: [
    { label: 'Reception', phone: '+14255550100' },
    { label: 'Lee Gu', userId: 'lee-object-id' },
  ],
  hasSecret: true,
};

async function renderStack(invs: Invitation[]) {
  const tb = testBridge(
    snapshot({
      ringing: invs.map((inv) => ({ invitation: inv, phase: 'ringing' as const, error: null })),
      accountConfigs: [...snapshot().accountConfigs, teams],
    }),
  );
  const r = await renderWithStore(
    <>
      <ToastStack />
      <HistorySection />
    </>,
    tb,
  );
  return { tb, ...r };
}

const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });

describe('Forward to… on a Graph toast', () => {
  it('lists the account’s targets and forwards to the one chosen, then shows where it went', async () => {
    const user = userEvent.setup();
    const inv = graphInvitation();
    const { tb } = await renderStack([inv]);
    const toast = within(screen.getByRole('alertdialog'));
    await user.click(toast.getByRole('button', { name: /Forward to…/ }));
    const menu = within(toast.getByRole('menu', { name: 'Forward to' }));
    expect(menu.getAllByRole('menuitem').map((m) => m.textContent)).toEqual([
      'Reception +14255550100',
      'Lee Gu Teams user',
    ]);
    // Keyboard: the first target has focus; ArrowDown moves to the next.
    expect(document.activeElement?.textContent).toBe('Reception +14255550100');
    await user.keyboard('{ArrowDown}{Enter}');
    await settle();
    expect(tb.callsOn('softphone:forward')).toEqual([
      { id: inv.id, target: { label: 'Lee Gu', userId: 'lee-object-id' } },
    ]);
    expect(toast.getByRole('status').textContent).toBe('Forwarding to Lee Gu…');
    expect(toast.getByRole('button', { name: /Forward to…/ }).hasAttribute('disabled')).toBe(true);

    await act(async () => tb.emit({ type: 'ended', id: inv.id, outcome: 'forwarded', invitation: inv }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByRole('row', { name: /Forwarded to Lee Gu/ })).toBeTruthy();
  });

  it('shows a failed forward with Retry, which forwards to the same target again', async () => {
    const user = userEvent.setup();
    const inv = graphInvitation();
    const { tb } = await renderStack([inv]);
    const error = { status: 500, code: 'InternalServerError', subcode: null, message: 'Graph failed (500).' };
    await user.click(screen.getByRole('button', { name: /Forward to…/ }));
    await user.click(screen.getByRole('menuitem', { name: /Reception/ }));
    await act(async () => tb.emit({ type: 'forwardFailed', id: inv.id, error }));
    expect(screen.getByRole('alert').textContent).toBe('Forward failed: Graph failed (500).');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await settle();
    expect(tb.callsOn('softphone:forward')).toHaveLength(2);
    expect(tb.callsOn('softphone:decline')).toHaveLength(0);
  });

  it('is absent on UCWA toasts and on Graph accounts without targets; Escape closes it without ignoring', async () => {
    const user = userEvent.setup();
    await renderStack([invitation(), graphInvitation({ accountId: 'other' })]);
    expect(screen.queryByRole('button', { name: /Forward to…/ })).toBeNull();
    await renderStack([graphInvitation()]);
    const button = screen.getByRole('button', { name: /Forward to…/ });
    await user.click(button);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(screen.getAllByRole('alertdialog').length).toBeGreaterThan(0);
  });
});
