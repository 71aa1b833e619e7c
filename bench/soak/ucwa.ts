import type { SoakReport } from './report.js';

/** The ucwa part of the chaos soak (being built: issue 7). */
export async function soakUcwa(opts: { n: number }): Promise<SoakReport> {
  return { part: 'ucwa (not built yet)', figures: [{ label: 'requested', value: opts.n }], mustBeZero: {} };
}
