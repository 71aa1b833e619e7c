/**
 * `npm run soak`: the chaos soak. Each part drives the real engine and providers against the
 * simulator running in another process, with compound faults, and prints what it counted.
 * SOAK_N sets the UCWA invitation count (default 2,000), SOAK_GRAPH_N the Graph call count
 * (default 1,000); SOAK_PART=ucwa|graph runs one part. Exit 1 when a must-be-zero count is not.
 */
import { printReport, type SoakReport } from './report.js';
import { soakUcwa } from './ucwa.js';
import { soakGraph } from './graph.js';

const part = process.env.SOAK_PART;
const reports: SoakReport[] = [];
if (!part || part === 'ucwa') reports.push(await soakUcwa({ n: Number(process.env.SOAK_N ?? 2000) }));
if (!part || part === 'graph') reports.push(await soakGraph({ n: Number(process.env.SOAK_GRAPH_N ?? 1000) }));
for (const r of reports) printReport(r);
const failed = reports.some((r) => Object.values(r.mustBeZero).some((n) => n !== 0));
process.exit(failed ? 1 : 0);
