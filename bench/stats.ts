/** Percentiles and formatting for benchmark figures. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export function line(label: string, s: Summary, targetMs: number): string {
  const ok = s.p99 < targetMs ? 'meets' : 'MISSES';
  return `${label.padEnd(48)} p50 ${s.p50.toFixed(2).padStart(7)} ms   p99 ${s.p99.toFixed(2).padStart(7)} ms   max ${s.max.toFixed(2).padStart(7)} ms   n=${s.n}   [p99 < ${targetMs} ms: ${ok}, ratio ${(s.p99 / targetMs).toFixed(2)}]`;
}
