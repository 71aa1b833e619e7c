/**
 * What each part of the chaos soak (`npm run soak`) reports: figures to print, and the counts
 * that must be zero. The runner prints them; the small run inside `npm test` asserts the counts.
 */
export interface SoakFigure {
  label: string;
  value: string | number;
  /** The target, in words ("0", "p99 ≤ 2 s", "≤ 10 MiB"). */
  target?: string;
}

export interface SoakReport {
  part: string;
  figures: SoakFigure[];
  /** Counts that must be 0 (lost, rung twice, …), by label. */
  mustBeZero: Record<string, number>;
}

export function printReport(r: SoakReport, out: (line: string) => void = console.log): void {
  out(`\n## ${r.part}`);
  const width = Math.max(...r.figures.map((f) => f.label.length), 10);
  for (const f of r.figures) {
    out(`  ${f.label.padEnd(width)}  ${String(f.value).padStart(12)}${f.target ? `   [${f.target}]` : ''}`);
  }
  const bad = Object.entries(r.mustBeZero).filter(([, n]) => n !== 0);
  out(bad.length === 0 ? '  every count is 0' : `  NOT ZERO: ${bad.map(([k, n]) => `${k}=${n}`).join(', ')}`);
}
