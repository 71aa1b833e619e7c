/**
 * A small run of the Graph chaos soak (bench/soak/graph.ts) as a correctness test: the
 * simulator in a child process, duplicates, forgeries, other tenants, reject failures, a token
 * outage and a key rotation. Only the counts are asserted (the figures belong to `npm run soak`).
 */
import { describe, expect, it } from 'vitest';
import { soakGraph } from '../../../bench/soak/graph.js';

describe('Graph chaos soak (small run)', () => {
  it('rings every call exactly once, no forgery or other tenant, no late or extra reject', async () => {
    const report = await soakGraph({ n: 40, ringEveryMs: 20, outageMs: 1_500 });
    expect(report.mustBeZero).toEqual(Object.fromEntries(Object.keys(report.mustBeZero).map((k) => [k, 0])));
    const figure = (label: string) => report.figures.find((f) => f.label === label)?.value;
    expect(figure('accepted by the receiver (202)')).toBe(40);
    expect(figure('rung (exactly once each)')).toBe(40);
  }, 90_000);
});
