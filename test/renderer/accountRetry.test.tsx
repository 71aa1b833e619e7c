import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../renderer/src/app/App.js';
import { renderWithStore, snapshot, testBridge } from './helpers.js';

const refused = {
  code: 'InvalidCredentials',
  status: 400,
  message:
    'The server refused the password. It will not be sent again until you change it or choose “Try signing in again”.',
};

describe('"Try signing in again" in the main window', () => {
  it('shows on an account in error, asks the bridge to retry that account, and goes when the account connects', async () => {
    const tb = testBridge(
      snapshot({
        accounts: [{ accountId: 'alice', provider: 'ucwa', state: 'error', error: refused, lastHeardAt: null }],
      }),
    );
    await renderWithStore(<App />, tb);
    const item = screen.getByText('Alice at Contoso', { selector: '.account-name' }).closest('li')!;
    expect(within(item).getByText(/refused the password/)).toBeTruthy();
    const retry = within(item).getByRole('button', { name: 'Try signing in again with Alice at Contoso' });
    await act(async () => {
      fireEvent.click(retry);
    });
    expect(tb.callsOn('softphone:retryAccount')).toEqual([{ accountId: 'alice' }]);
    act(() => tb.emit({ type: 'account', accountId: 'alice', state: 'connecting', lastHeardAt: null }));
    expect(within(item).queryByRole('button', { name: /Try signing in again/ })).toBeNull();
    act(() => tb.emit({ type: 'account', accountId: 'alice', state: 'error', error: refused, lastHeardAt: null }));
    expect(within(item).getByRole('button', { name: /Try signing in again/ })).toBeTruthy();
  });

  it('is absent while the account is connected or reconnecting', async () => {
    const tb = testBridge(
      snapshot({
        accounts: [{ accountId: 'alice', provider: 'ucwa', state: 'reconnecting', error: null, lastHeardAt: null }],
      }),
    );
    await renderWithStore(<App />, tb);
    expect(screen.queryByRole('button', { name: /Try signing in again/ })).toBeNull();
    act(() => tb.emit({ type: 'account', accountId: 'alice', state: 'connected', lastHeardAt: null }));
    expect(screen.queryByRole('button', { name: /Try signing in again/ })).toBeNull();
  });
});
