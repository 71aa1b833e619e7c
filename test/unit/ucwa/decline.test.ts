import { describe, expect, it } from 'vitest';
import { declineBody } from '../../../electron/core/ucwa/decline.js';
import { backoffDelay } from '../../../electron/core/ucwa/eventChannel.js';

describe('decline request body', () => {
  it('is JSON {"reason": …} by default', () => {
    expect(declineBody('Global', 'json')).toEqual({ contentType: 'application/json', body: '{"reason":"Global"}' });
  });
  it('is the UCWA input document in XML when the account asks for XML', () => {
    expect(declineBody('Local', 'xml')).toEqual({
      contentType: 'application/xml',
      body: '<?xml version="1.0" encoding="utf-8"?><input xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><property name="reason">Local</property></input>',
    });
  });
});

describe('reconnect backoff', () => {
  it('doubles from the base, jitters within the upper half, and is capped', () => {
    const o = { baseMs: 1000, capMs: 8000 };
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, () => 0, o))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, () => 0.999999, o))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffDelay(1, () => 5, o)).toBe(1000);
    expect(backoffDelay(1, () => Number.NaN, o)).toBeGreaterThanOrEqual(0);
  });
});
