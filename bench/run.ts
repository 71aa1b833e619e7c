/**
 * `npm run bench`: figures and ratios against the simulator on loopback. Targets are printed
 * beside the figures; nothing here fails a build (shared, noisy machines).
 */
import { benchGraph } from './graph.js';
import { benchParse } from './parse.js';
import { line } from './stats.js';
import { benchUcwa } from './ucwa.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 300);
const warmup = Math.min(30, Math.ceil(rounds / 10));

console.log(
  `softphone bench — ${rounds} rounds after ${warmup} warm-up, node ${process.version}, ${new Date().toISOString()}\n`,
);

const ucwa = await benchUcwa(rounds, warmup);
console.log(line('UCWA P-GET released → invitation event', ucwa.invitation, 10));
console.log(line('UCWA decline command → POST at the simulator', ucwa.decline, 10));

const graph = await benchGraph(Math.ceil(rounds / 2), warmup);
console.log(line('Graph notification sent → invitation event', graph.notification, 10));
console.log(line('Graph decline command → reject at the simulator', graph.reject, 10));

const parse = benchParse(2000);
console.log(
  `${'UCWA event-channel parse (JSON.parse + events)'.padEnd(48)} ${(parse.ourParseNs / 1000).toFixed(1)} µs vs JSON.parse ${(parse.jsonParseNs / 1000).toFixed(1)} µs per ${parse.bytes} B   [ratio ${parse.ratio.toFixed(2)}x, target ≤ 2x: ${parse.ratio <= 2 ? 'meets' : 'MISSES'}]`,
);

const mem = process.memoryUsage();
console.log(
  `\nmemory: rss ${(mem.rss / 2 ** 20).toFixed(1)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(1)} MiB; heap growth per rung+declined invitation ${ucwa.heapPerInvitationBytes.toFixed(0)} B (engine + provider + the in-process simulator, whose request log keeps up to 10,000 requests; history keeps the last 100)`,
);
