import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App, DEMO_BANNER } from '../../renderer/src/app/App.js';
import { ToastApp } from '../../renderer/src/toast/ToastApp.js';
import { Ringtone } from '../../renderer/src/lib/ringtone.js';
import { invitation, renderWithStore, snapshot, testBridge } from './helpers.js';
import { DEFAULT_SHORTCUTS } from '../../electron/contract.js';

describe('main window', () => {
  it('says plainly that it runs in demo mode and offers the simulate buttons', async () => {
    const tb = testBridge(
      snapshot({
        demo: true,
        accountConfigs: [],
        accounts: [{ accountId: 'demo-ucwa', provider: 'ucwa', state: 'connected', error: null, lastHeardAt: null }],
      }),
    );
    await renderWithStore(<App />, tb);
    expect(screen.getByText(DEMO_BANNER)).toBeTruthy();
    expect(screen.getByText('demo-ucwa')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Simulate IM' }));
    await user.click(screen.getByRole('button', { name: 'Simulate call' }));
    await user.click(screen.getByRole('button', { name: 'Simulate meeting' }));
    await user.click(screen.getByRole('button', { name: 'Simulate Teams call' }));
    expect(tb.callsOn('softphone:simulate')).toEqual([
      { kind: 'messaging' },
      { kind: 'phoneAudio' },
      { kind: 'onlineMeeting' },
      { kind: 'graphCall' },
    ]);
  });

  it('demo accounts are shown as built in, without Edit or Remove', async () => {
    const tb = testBridge(
      snapshot({
        demo: true,
        accountConfigs: [
          {
            id: 'demo-ucwa',
            provider: 'ucwa',
            displayName: 'Demo (simulator)',
            sipAddress: 'demo@softphone.test',
            username: 'demo@softphone.test',
            hasSecret: true,
          },
        ],
        accounts: [{ accountId: 'demo-ucwa', provider: 'ucwa', state: 'connected', error: null, lastHeardAt: null }],
      }),
    );
    await renderWithStore(<App />, tb);
    const item = screen.getByText('Demo (simulator)', { selector: '.account-name' }).closest('li')!;
    expect(within(item).getByText('Built-in demo')).toBeTruthy();
    expect(within(item).getByText('Connected')).toBeTruthy();
    expect(within(item).queryByRole('button')).toBeNull();
    expect(screen.getByRole('button', { name: 'Add account' })).toBeTruthy();
  });

  it('shows no demo banner and no simulate buttons with a real account', async () => {
    await renderWithStore(<App />, testBridge());
    expect(screen.queryByText(DEMO_BANNER)).toBeNull();
    expect(screen.queryByRole('button', { name: /Simulate/ })).toBeNull();
  });

  it('lists each account with its connection state and last error', async () => {
    const tb = testBridge(
      snapshot({
        accounts: [
          {
            accountId: 'alice',
            provider: 'ucwa',
            state: 'error',
            error: { status: 401, code: 'Unauthorized', message: 'The password was rejected.' },
            lastHeardAt: null,
          },
        ],
      }),
    );
    await renderWithStore(<App />, tb);
    const item = screen.getByText('Alice at Contoso', { selector: '.account-name' }).closest('li')!;
    expect(within(item).getByText('Error')).toBeTruthy();
    expect(within(item).getByText(/The password was rejected\. \(HTTP 401\)/)).toBeTruthy();
    act(() => tb.emit({ type: 'account', accountId: 'alice', state: 'connected', lastHeardAt: null }));
    expect(within(item).getByText('Connected')).toBeTruthy();
    expect(within(item).queryByText(/rejected/)).toBeNull();
  });

  it('notices are shown as banners and can be dismissed', async () => {
    const tb = testBridge(
      snapshot({ notices: [{ id: 'n1', level: 'warning', message: 'settings.json was corrupt; it was set aside.' }] }),
    );
    await renderWithStore(<App />, tb);
    expect(screen.getByText('settings.json was corrupt; it was set aside.')).toBeTruthy();
    act(() =>
      tb.emit({ type: 'notice', notice: { id: 'n2', level: 'error', message: 'History could not be saved.' } }),
    );
    expect(screen.getByText('History could not be saved.')).toBeTruthy();
    await userEvent.click(
      screen.getByRole('button', { name: 'Dismiss: settings.json was corrupt; it was set aside.' }),
    );
    expect(screen.queryByText('settings.json was corrupt; it was set aside.')).toBeNull();
  });

  it('DND is a switch that goes through the bridge', async () => {
    const tb = testBridge();
    await renderWithStore(<App />, tb);
    const dnd = screen.getByRole('switch', { name: 'Do Not Disturb' }) as HTMLInputElement;
    await userEvent.click(dnd);
    expect(tb.callsOn('softphone:setDnd')).toEqual([{ on: true }]);
    expect(dnd.checked).toBe(true);
    expect(screen.getByText(/Do Not Disturb is on/)).toBeTruthy();
  });

  it('settings change through the bridge', async () => {
    const tb = testBridge();
    await renderWithStore(<App />, tb);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Decline reason for Skype for Business'), 'Local');
    await user.selectOptions(screen.getByLabelText('Decline reason for Teams calls'), 'busy');
    await user.click(screen.getByLabelText('Play a ringtone'));
    await user.click(screen.getByLabelText('Start at login'));
    expect(tb.callsOn('softphone:saveSettings')).toEqual([
      { ucwaDeclineReason: 'Local' },
      { graphDeclineReason: 'busy' },
      { ringtone: false },
      { startAtLogin: true },
    ]);
  });

  it('history lists time, caller, kind and outcome with the decline reason', async () => {
    const a = invitation({ from: { name: 'Dana', uri: 'sip:dana@contoso.com' }, modality: 'meeting' });
    const b = invitation({ from: { name: '<img src=x onerror=alert(1)>', uri: 'sip:evil@x.com' } });
    const tb = testBridge(
      snapshot({
        history: [
          { invitation: a, outcome: 'declined', endedAt: Date.UTC(2026, 0, 2, 9, 30), declineReason: 'Local' },
          { invitation: b, outcome: 'cancelled', endedAt: Date.UTC(2026, 0, 2, 9, 0), declineReason: null },
        ],
      }),
    );
    const { container } = await renderWithStore(<App />, tb);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows[0]!.textContent).toContain('Dana');
    expect(rows[0]!.textContent).toContain('Meeting');
    expect(rows[0]!.textContent).toContain('Declined (Decline on this device only)');
    expect(rows[1]!.textContent).toContain('Cancelled by the caller');
    expect(rows[1]!.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(container.querySelector('img')).toBeNull();
  });

  it('a main window "Ringing now" list declines too (for when no toast can be shown)', async () => {
    const inv = invitation({ from: { name: 'Eve', uri: 'sip:eve@x.com' } });
    const tb = testBridge(snapshot({ ringing: [{ invitation: inv, phase: 'ringing', error: null }] }));
    await renderWithStore(<App />, tb);
    await userEvent.click(screen.getByRole('button', { name: 'Decline Eve' }));
    expect(tb.callsOn('softphone:decline')).toEqual([{ id: inv.id }]);
  });
});

describe('account form', () => {
  it('validates a new UCWA account with the contract schema and shows each field error', async () => {
    const tb = testBridge(snapshot({ accountConfigs: [], accounts: [] }));
    await renderWithStore(<App />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Add account' }));
    const form = screen.getByRole('form', { name: 'Add an account' });
    await user.type(within(form).getByLabelText(/SIP address/), 'not-an-address');
    await user.type(within(form).getByLabelText(/Discovery URL/), 'http://pool.contoso.com/');
    await user.click(within(form).getByRole('button', { name: 'Add account' }));
    expect(within(form).getByRole('alert').textContent).toMatch(/fix 4 fields/i);
    const sip = within(form).getByLabelText(/SIP address/);
    expect(sip.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(sip.getAttribute('aria-describedby')!.split(' ')[0]!)?.textContent).toBe(
      'must look like user@domain',
    );
    expect(within(form).getByText('must be an https:// URL (http:// only for loopback hosts)')).toBeTruthy();
    expect(within(form).getByText(/enter the password/)).toBeTruthy();
    expect(tb.callsOn('softphone:saveAccount')).toEqual([]);
  });

  it('saves a valid UCWA account with the password as the separate secret', async () => {
    const tb = testBridge(snapshot({ accountConfigs: [], accounts: [] }));
    await renderWithStore(<App />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Add account' }));
    const form = screen.getByRole('form', { name: 'Add an account' });
    await user.type(within(form).getByLabelText(/SIP address/), 'carol@fabrikam.com');
    await user.type(within(form).getByLabelText(/User name/), 'FABRIKAM\\carol');
    await user.type(within(form).getByLabelText(/Password/), 's3cret!');
    await user.type(within(form).getByLabelText(/CA certificate file/), '/etc/ssl/fabrikam-ca.pem');
    await user.selectOptions(within(form).getByLabelText(/Decline reason/), 'Local');
    await user.selectOptions(within(form).getByLabelText(/Request format/), 'xml');
    await user.click(within(form).getByRole('button', { name: 'Add account' }));
    expect(tb.callsOn('softphone:saveAccount')).toEqual([
      {
        account: {
          id: 'carol-fabrikam.com',
          provider: 'ucwa',
          sipAddress: 'carol@fabrikam.com',
          username: 'FABRIKAM\\carol',
          caFile: '/etc/ssl/fabrikam-ca.pem',
          declineReason: 'Local',
          payloadFormat: 'xml',
        },
        secret: 's3cret!',
      },
    ]);
    expect(screen.queryByRole('form')).toBeNull();
    expect(screen.getByText('carol@fabrikam.com')).toBeTruthy();
  });

  it('editing never shows the stored secret; leaving it empty keeps it and keeps unknown fields', async () => {
    const tb = testBridge(
      snapshot({
        accountConfigs: [
          {
            id: 'alice',
            provider: 'ucwa',
            displayName: 'Alice at Contoso',
            sipAddress: 'alice@contoso.com',
            username: 'alice',
            passwordEnv: 'ALICE_PW',
            hasSecret: true,
          },
        ],
      }),
    );
    await renderWithStore(<App />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Edit Alice at Contoso' }));
    const form = screen.getByRole('form', { name: 'Edit Alice at Contoso' });
    const pw = within(form).getByLabelText(/Password/) as HTMLInputElement;
    expect(pw.value).toBe('');
    expect(pw.type).toBe('password');
    expect(within(form).getByText('A password is stored. Leave empty to keep it.')).toBeTruthy();
    const user2 = within(form).getByLabelText(/User name/);
    await user.clear(user2);
    await user.type(user2, 'alice2');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(tb.callsOn('softphone:saveAccount')).toEqual([
      {
        account: {
          id: 'alice',
          provider: 'ucwa',
          displayName: 'Alice at Contoso',
          sipAddress: 'alice@contoso.com',
          username: 'alice2',
          passwordEnv: 'ALICE_PW',
        },
      },
    ]);
  });

  it('validates and saves a Graph account with a certificate and callback', async () => {
    const tb = testBridge(snapshot({ accountConfigs: [], accounts: [] }));
    await renderWithStore(<App />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Add account' }));
    const form = screen.getByRole('form', { name: 'Add an account' });
    await user.click(within(form).getByLabelText(/Microsoft Teams/));
    await user.type(within(form).getByLabelText(/Tenant id/), 'contoso.onmicrosoft.com');
    await user.type(within(form).getByLabelText(/Client \(application\) id/), '11111111-2222');
    await user.click(within(form).getByLabelText('Certificate'));
    await user.type(within(form).getByLabelText(/Callback port/), 'eighty');
    await user.type(within(form).getByLabelText(/Callback path/), 'callback');
    await user.click(within(form).getByRole('button', { name: 'Add account' }));
    expect(within(form).getByText('enter a port number from 0 to 65535')).toBeTruthy();
    expect(within(form).getByText('must start with /')).toBeTruthy();
    expect(within(form).getAllByText('must not be empty')).toHaveLength(2); // cert and key files
    expect(tb.callsOn('softphone:saveAccount')).toEqual([]);

    const port = within(form).getByLabelText(/Callback port/);
    await user.clear(port);
    await user.type(port, '8443');
    const path = within(form).getByLabelText(/Callback path/);
    await user.clear(path);
    await user.type(path, '/callback');
    await user.type(within(form).getByLabelText(/Certificate file/), '/etc/app/cert.pem');
    await user.type(within(form).getByLabelText(/Private key file/), '/etc/app/key.pem');
    await user.selectOptions(within(form).getByLabelText(/API version/), 'beta');
    await user.selectOptions(within(form).getByLabelText(/Decline reason/), 'busy');
    await user.click(within(form).getByRole('button', { name: 'Add account' }));
    expect(tb.callsOn('softphone:saveAccount')).toEqual([
      {
        account: {
          id: 'graph-11111111-2222',
          provider: 'graph',
          tenantId: 'contoso.onmicrosoft.com',
          clientId: '11111111-2222',
          certificate: { certFile: '/etc/app/cert.pem', keyFile: '/etc/app/key.pem' },
          apiVersion: 'beta',
          callback: { port: 8443, path: '/callback' },
          declineReason: 'busy',
        },
      },
    ]);
  });

  it('shows the error main answers with and keeps the form', async () => {
    const tb = testBridge(snapshot({ accountConfigs: [], accounts: [] }));
    tb.bridge.saveAccount = () =>
      Promise.reject(Object.assign(new Error('an account with id "x" already exists'), { code: 'DuplicateAccount' }));
    await renderWithStore(<App />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Add account' }));
    const form = screen.getByRole('form', { name: 'Add an account' });
    await user.type(within(form).getByLabelText(/SIP address/), 'x@y.com');
    await user.type(within(form).getByLabelText(/User name/), 'x');
    await user.type(within(form).getByLabelText(/Password/), 'pw');
    await user.click(within(form).getByRole('button', { name: 'Add account' }));
    expect(within(form).getByRole('alert').textContent).toContain('already exists');
    expect((within(form).getByLabelText(/SIP address/) as HTMLInputElement).value).toBe('x@y.com');
  });

  it('removing an account asks for confirmation first', async () => {
    const tb = testBridge();
    await renderWithStore(<App />, tb);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Remove Alice at Contoso' }));
    expect(tb.callsOn('softphone:removeAccount')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Confirm removal of Alice at Contoso' }));
    expect(tb.callsOn('softphone:removeAccount')).toEqual([{ accountId: 'alice' }]);
    expect(screen.queryByText('Alice at Contoso', { selector: '.account-name' })).toBeNull();
  });
});

describe('toast window app', () => {
  class SpyRingtone extends Ringtone {
    states: boolean[] = [];
    override setActive(on: boolean) {
      this.states.push(on);
    }
  }

  it('rings while something rings, and not in DND', async () => {
    const tb = testBridge();
    const tone = new SpyRingtone(() => null);
    await renderWithStore(<ToastApp bridge={tb.bridge} ringtone={tone} />, tb);
    expect(tone.states.at(-1)).toBe(false);
    const inv = invitation();
    act(() => tb.emit({ type: 'invitation', invitation: inv }));
    expect(tone.states.at(-1)).toBe(true);
    act(() => tb.emit({ type: 'dnd', on: true }));
    expect(tone.states.at(-1)).toBe(false);
    act(() => tb.emit({ type: 'dnd', on: false }));
    expect(tone.states.at(-1)).toBe(true);
    act(() =>
      tb.emit({
        type: 'settings',
        settings: {
          ucwaDeclineReason: 'Global',
          graphDeclineReason: 'none',
          ringtone: false,
          startAtLogin: false,
          shortcuts: DEFAULT_SHORTCUTS,
          quickReplies: [],
        },
      }),
    );
    expect(tone.states.at(-1)).toBe(false);
  });
});
