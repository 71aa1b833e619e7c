/**
 * The IPC contract's issue-9 channels reject bad payloads naming the field, and the app turns
 * reply / forwarding / presence failures into notices a person understands.
 */
import { describe, expect, it } from 'vitest';
import { featureNotice } from '../../electron/app/featureNotices.js';
import { dispatchInvoke, type InvokeHandlers } from '../../electron/contract.js';
import type { AccountConfig } from '../../electron/core/config.js';

const calls: unknown[] = [];
const handlers = new Proxy({} as InvokeHandlers, {
  get: (_t, channel) => (payload: unknown) => {
    calls.push([channel, payload]);
    return undefined;
  },
});

describe('contract: reply, forwarding, timed DND', () => {
  it('accepts good payloads', async () => {
    expect(await dispatchInvoke(handlers, 'softphone:reply', { id: 'a:1', text: 'later' })).toMatchObject({ ok: true });
    expect(
      await dispatchInvoke(handlers, 'softphone:setForwarding', { accountId: 'w', to: 'tel:+1425' }),
    ).toMatchObject({
      ok: true,
    });
    expect(await dispatchInvoke(handlers, 'softphone:setDnd', { on: true, until: 1_900_000_000_000 })).toMatchObject({
      ok: true,
    });
  });

  it('rejects an empty reply, a bad forwarding target and a bad until, naming the field', async () => {
    const empty = await dispatchInvoke(handlers, 'softphone:reply', { id: 'a:1', text: '   ' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    expect(JSON.stringify(empty)).toContain('text:');
    const target = await dispatchInvoke(handlers, 'softphone:setForwarding', {
      accountId: 'w',
      to: 'boss@contoso.com',
    });
    expect(JSON.stringify(target)).toContain('to: must be \\"off\\", \\"voicemail\\" or a sip:/tel: URI');
    const until = await dispatchInvoke(handlers, 'softphone:setDnd', { on: true, until: 'tomorrow' });
    expect(JSON.stringify(until)).toContain('until:');
  });
});

describe('featureNotice', () => {
  const accounts = [{ id: 'w', provider: 'ucwa', displayName: 'Work' } as AccountConfig];
  const error = {
    status: 403,
    code: 'Forbidden',
    subcode: null,
    message: 'Call forwarding was not changed: not allowed.',
  };
  it('names the account and keeps the server’s explanation', () => {
    expect(featureNotice({ type: 'forwardingFailed', accountId: 'w', error }, accounts)).toEqual({
      level: 'error',
      message: 'Work: Call forwarding was not changed: not allowed.',
    });
    expect(
      featureNotice(
        { type: 'presenceFailed', accountId: 'w', on: true, error: { ...error, message: 'Presence was not set.' } },
        accounts,
      )?.message,
    ).toBe('Work: Presence was not set. Do Not Disturb is on here all the same.');
    expect(featureNotice({ type: 'replyFailed', id: 'x', error }, accounts)?.level).toBe('warning');
    expect(featureNotice({ type: 'replySent', id: 'x' }, accounts)).toBeNull();
  });
});
