/**
 * A small run of the UCWA chaos soak (`npm run soak` runs 2,000): the real engine and
 * provider here, the simulator in a child process, compound faults. Counts only: every
 * must-be-zero count is zero (no timing assertion; the figures belong to `npm run soak`).
 */
import { describe, expect, it } from 'vitest';
import { soakUcwa } from '../../../bench/soak/ucwa.js';

describe('UCWA chaos soak (small run)', () => {
  it('200 invitations under compound faults and two server outages: nothing lost, rung twice, left ringing, ended twice or declined wrongly', async () => {
    const report = await soakUcwa({ n: 200, seed: 11, outageEvery: 100, outageMs: () => 1_500 });
    const zeros = Object.fromEntries(Object.keys(report.mustBeZero).map((k) => [k, 0]));
    expect(report.mustBeZero, JSON.stringify(report.figures, null, 1)).toEqual(zeros);
    expect(Object.keys(report.mustBeZero)).toHaveLength(7);
    expect(report.figures.find((f) => f.label === 'with compound faults')!.value).toBeGreaterThan(0);
    expect(report.figures.some((f) => f.label === 'outages (2): server back → call rings p50')).toBe(true);
  }, 240_000);
});
