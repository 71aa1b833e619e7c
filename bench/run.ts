/**
 * `npm run bench`: figures and ratios against the simulator on loopback. Targets are printed
 * beside the figures; nothing here fails a build (shared, noisy machines).
 */
import { rmSync } from 'node:fs';
import { benchGraph } from './graph.js';
import buildForBrowser, { BRIDGE_OUT } from '../test/e2e/globalSetup.js';
import { packageWithStandInElectron } from '../test/support/standInPackage.js';
import { benchParse } from './parse.js';
import { benchRenderer } from './renderer.js';
import { line, type Summary } from './stats.js';
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

/* Renderer: the built pages in Chromium, with the real store and components. */
const meets = (ok: boolean) => (ok ? 'meets' : 'MISSES');
const ms = (n: number) => `${n.toFixed(2)} ms`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const upTo = (label: string, s: Summary, target: number, shown: 'p50+p99' | 'p99') =>
  `${label.padEnd(48)} ${shown === 'p50+p99' ? `p50 ${ms(s.p50)}, ` : ''}p99 ${ms(s.p99)}, max ${ms(s.max)}, n=${s.n}   [p99 ≤ ${target} ms: ${meets(s.p99 <= target)}]`;

console.log('\nrenderer (built toast page in Chromium, real store and components; main is an in-page stand-in)');
await buildForBrowser();
const r = await benchRenderer({ rounds, bridgeScript: BRIDGE_OUT });
console.log(upTo('invitation pushed → toast painted', r.painted, 16.7, 'p50+p99'));
console.log(upTo('Decline clicked → bridge decline call', r.click, 8, 'p99'));
console.log(
  `${'burst of 500 invitations'.padEnd(48)} settled in ${ms(r.burst.settleMs)}, longest frame ${ms(r.burst.longestFrameMs)}   [≤ 50 ms: ${meets(r.burst.longestFrameMs <= 50)}]`,
);
console.log(
  `${'Decline all over 500'.padEnd(48)} settled in ${ms(r.declineAll.settleMs)}, longest frame ${ms(r.declineAll.longestFrameMs)}   [≤ 50 ms: ${meets(r.declineAll.longestFrameMs <= 50)}]`,
);
console.log(
  `${`JS heap growth after ${r.invitationsForHeap} rang and ended`.padEnd(48)} ${kib(r.heapGrowthBytes)}   [≤ 512 KiB: ${meets(r.heapGrowthBytes <= 512 * 1024)}]`,
);
console.log(
  `${'JavaScript per page (minified build)'.padEnd(48)} toast.html ${kib(r.jsBytes['toast.html'] ?? NaN)} [≤ 250 KiB: ${meets((r.jsBytes['toast.html'] ?? Infinity) <= 250 * 1024)}], index.html ${kib(r.jsBytes['index.html'] ?? NaN)}`,
);

/* The package (electron-builder --linux dir with a stand-in Electron distribution). */
const pkg = await packageWithStandInElectron();
rmSync(pkg.workDir, { recursive: true, force: true });
console.log(
  `\npackage: resources/app.asar ${(pkg.asarBytes / 2 ** 20).toFixed(2)} MiB, ${pkg.files.length} entries (${pkg.productionDeps.length} production packages)`,
);
