import { describe, expect, it } from 'vitest';
import type { AccountSummary } from '../../electron/contract.js';
import { buildSaveInput, formFromAccount, parseForwardTargets } from '../../renderer/src/lib/accountForm.js';

const stored: AccountSummary = {
  id: 'teams',
  provider: 'graph',
  tenantId: 't',
  clientId: 'c',
  callback: { port: 9443 },
  forwardTargets: [
    { label: 'Reception', phone: '+14255550100' },
    { label: 'Lee Gu, Sales', userId: '5a2c1e7d-3b4f-4e2a-9c1d-8f6b0a3e2d17' },
  ],
  hasSecret: true,
};

describe('forward targets in the account form', () => {
  it('shows one "Label, value" per line and saves them back unchanged', () => {
    const v = formFromAccount(stored);
    expect(v.forwardTargets).toBe('Reception, +14255550100\nLee Gu, Sales, 5a2c1e7d-3b4f-4e2a-9c1d-8f6b0a3e2d17');
    const built = buildSaveInput(v, stored, new Set());
    expect(built.ok && built.input.account).toMatchObject({ forwardTargets: stored.forwardTargets });
  });

  it('drops the field when the text is emptied', () => {
    const built = buildSaveInput({ ...formFromAccount(stored), forwardTargets: '  \n' }, stored, new Set());
    expect(built.ok && 'forwardTargets' in built.input.account).toBe(false);
  });

  it('names the line of a bad number, a missing comma and an empty label', () => {
    const bad = (text: string) => {
      const built = buildSaveInput({ ...formFromAccount(stored), forwardTargets: text }, stored, new Set());
      return built.ok ? null : built.errors.forwardTargets;
    };
    expect(bad('Reception, +14255550100\n\nDesk, +0425')).toMatch(/^line 3 \(phone\): must be an E\.164 phone number/);
    expect(bad('Reception +14255550100')).toBe('line 1: write "Label, +14255550123" or "Label, user id"');
    expect(bad(', +14255550100')).toBe('line 1 (label): must not be empty');
    expect(parseForwardTargets('A, x\r\nB, +14255550100')).toEqual({
      targets: [
        { label: 'A', userId: 'x' },
        { label: 'B', phone: '+14255550100' },
      ],
    });
  });
});
