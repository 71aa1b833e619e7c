import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../renderer/src/app/App.js';
import { renderWithStore, snapshot, testBridge } from './helpers.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

describe('account health in the main window', () => {
  it('shows when each account last heard from its server, and follows account events', async () => {
    const tb = testBridge(
      snapshot({
        accounts: [{ accountId: 'alice', provider: 'ucwa', state: 'reconnecting', error: null, lastHeardAt: T0 }],
      }),
    );
    await renderWithStore(<App />, tb);
    const item = screen.getByText('Alice at Contoso', { selector: '.account-name' }).closest('li')!;
    expect(within(item).getByText(/last heard from the server/)).toBeTruthy();
    expect(item.querySelector('time')!.getAttribute('dateTime')).toBe(new Date(T0).toISOString());
    act(() => tb.emit({ type: 'account', accountId: 'alice', state: 'connected', lastHeardAt: T0 + 60_000 }));
    expect(item.querySelector('time')!.getAttribute('dateTime')).toBe(new Date(T0 + 60_000).toISOString());
  });

  it('says nothing about it before the first answer', async () => {
    const tb = testBridge(
      snapshot({
        accounts: [{ accountId: 'alice', provider: 'ucwa', state: 'connecting', error: null, lastHeardAt: null }],
      }),
    );
    await renderWithStore(<App />, tb);
    const item = screen.getByText('Alice at Contoso', { selector: '.account-name' }).closest('li')!;
    expect(within(item).queryByText(/last heard/)).toBeNull();
  });
});
