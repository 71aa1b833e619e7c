import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../electron/core/ucwa/eventChannel.js';
import { pgetTimeoutSec } from '../../../electron/core/ucwa/provider.js';

describe('reconnect backoff', () => {
  it('doubles from the base, jitters within the upper half, and is capped', () => {
    const o = { baseMs: 1000, capMs: 8000 };
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, () => 0, o))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, () => 0.999999, o))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffDelay(1, () => 5, o)).toBe(1000);
    expect(backoffDelay(1, () => Number.NaN, o)).toBeGreaterThanOrEqual(0);
  });
});

describe('P-GET timeout parameter', () => {
  it('defaults to 180 s and stays inside what UCWA accepts (180..1800 s)', () => {
    expect(pgetTimeoutSec(undefined)).toBe(180);
    expect(pgetTimeoutSec(900)).toBe(900);
    expect(pgetTimeoutSec(5)).toBe(180);
    expect(pgetTimeoutSec(99_999)).toBe(1800);
    expect(pgetTimeoutSec(Number.NaN)).toBe(180);
  });
});
