import { describe, expect, it } from 'vitest';
import {
  buildSaveInput,
  emptyForm,
  fieldFor,
  formFromAccount,
  makeAccountId,
} from '../../renderer/src/lib/accountForm.js';
import type { AccountSummary } from '../../electron/contract.js';

describe('account form model', () => {
  it('derives a valid account id from the address and avoids ids in use', () => {
    const v = { ...emptyForm('ucwa'), sipAddress: 'sip:Bob Smith@contoso.com' };
    expect(makeAccountId(v, new Set())).toBe('Bob-Smith-contoso.com');
    expect(makeAccountId(v, new Set(['Bob-Smith-contoso.com', 'Bob-Smith-contoso.com-2']))).toBe(
      'Bob-Smith-contoso.com-3',
    );
    expect(makeAccountId({ ...emptyForm('ucwa') }, new Set())).toBe('ucwa');
  });

  it('maps schema paths to the fields that show them', () => {
    expect(fieldFor(['account', 'sipAddress'])).toBe('sipAddress');
    expect(fieldFor(['account', 'callback', 'port'])).toBe('callbackPort');
    expect(fieldFor(['account', 'certificate', 'keyFile'])).toBe('keyFile');
    expect(fieldFor(['secret'])).toBe('secret');
    expect(fieldFor(['account', 'openIdConfigUrl'])).toBe('form');
  });

  it('round-trips a Graph account through the form without losing fields it does not show', () => {
    const stored: AccountSummary = {
      id: 'teams',
      provider: 'graph',
      tenantId: 't',
      clientId: 'c',
      clientSecretEnv: 'GRAPH_SECRET',
      callback: { host: '0.0.0.0', port: 9443, path: '/cb' },
      openIdConfigUrl: 'https://login.example.com/openid',
      rejectPath: 'app',
      hasSecret: false,
    };
    const built = buildSaveInput(formFromAccount(stored), stored, new Set());
    expect(built).toEqual({
      ok: true,
      input: {
        account: {
          id: 'teams',
          provider: 'graph',
          tenantId: 't',
          clientId: 'c',
          clientSecretEnv: 'GRAPH_SECRET',
          callback: { host: '0.0.0.0', port: 9443, path: '/cb' },
          openIdConfigUrl: 'https://login.example.com/openid',
          rejectPath: 'app',
        },
      },
    });
  });

  it('edits allowedTenants as a comma-separated list, and keeps the callback connection cap', () => {
    const stored: AccountSummary = {
      id: 'teams',
      provider: 'graph',
      tenantId: 't',
      allowedTenants: ['a', 'b'],
      clientId: 'c',
      clientSecretEnv: 'GRAPH_SECRET',
      callback: { port: 9443, maxConnections: 64 },
      hasSecret: false,
    };
    const form = formFromAccount(stored);
    expect(form.allowedTenants).toBe('a, b');
    const built = buildSaveInput({ ...form, allowedTenants: 'a, b c;d' }, stored, new Set());
    expect(built.ok && built.input.account).toMatchObject({
      allowedTenants: ['a', 'b', 'c', 'd'],
      callback: { port: 9443, maxConnections: 64 },
    });
    const cleared = buildSaveInput({ ...form, allowedTenants: ' ' }, stored, new Set());
    expect(cleared.ok && 'allowedTenants' in cleared.input.account).toBe(false);
    expect(fieldFor(['account', 'allowedTenants', 0])).toBe('allowedTenants');
  });

  it('names the field when a carried-over value is invalid', () => {
    const stored: AccountSummary = {
      id: 'teams',
      provider: 'graph',
      tenantId: 't',
      clientId: 'c',
      callback: { port: 1 },
      graphBaseUrl: 'http://graph.example.com',
      hasSecret: true,
    };
    const built = buildSaveInput(formFromAccount(stored), stored, new Set());
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.errors.form).toMatch(/^account\.graphBaseUrl: must be an https:\/\/ URL/);
  });

  it('never prefills the secret from a stored account', () => {
    const stored: AccountSummary = { id: 'a', provider: 'ucwa', sipAddress: 'a@b.com', username: 'a', hasSecret: true };
    expect(formFromAccount(stored).secret).toBe('');
  });
});
