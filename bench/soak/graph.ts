import type { SoakReport } from './report.js';

/** The graph part of the chaos soak (being built: issue 8). */
export async function soakGraph(opts: { n: number }): Promise<SoakReport> {
  return { part: 'graph (not built yet)', figures: [{ label: 'requested', value: opts.n }], mustBeZero: {} };
}
