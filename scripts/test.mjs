#!/usr/bin/env node
// `npm test`: typecheck, lint, then every vitest project, then one closing line
// "N passed, N failed, N skipped". A test file or suite that fails before its tests run (an
// import that throws, a `beforeAll` that cannot launch Chromium) counts as failed there, and its
// tests are said not to have run rather than counted as skipped (scripts/vitest-tally.mjs).
// ELECTRON_MIRROR points at a dead loopback port so that an accidental Electron download fails
// fast here instead of reaching out.
//
//   node scripts/test.mjs [--only vitest] [-- <extra vitest arguments>]
// TEST_RESULTS_DIR (default test-results) receives vitest.json and tally.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' };
const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes === -1 ? argv : argv.slice(0, dashes);
const vitestExtra = dashes === -1 ? [] : argv.slice(dashes + 1);
const only = own.includes('--only') ? own[own.indexOf('--only') + 1] : null;
const run = (label, cmd, args, extraEnv = {}) => {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, ...extraEnv } });
  return r.status ?? 1;
};

let failedStep = null;
if (!only) {
  if (run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) !== 0) failedStep ??= 'typecheck';
  if (run('lint', 'npx', ['eslint', '--max-warnings', '0', '.']) !== 0) failedStep ??= 'lint';
  if (run('security', 'node', ['scripts/electronegativity.mjs']) !== 0) failedStep ??= 'electronegativity';
}
const results = process.env.TEST_RESULTS_DIR ?? 'test-results';
mkdirSync(results, { recursive: true });
const report = join(results, 'vitest.json');
const tallyFile = join(results, 'tally.json');
rmSync(tallyFile, { force: true });
const code = run(
  'tests',
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    `--reporter=${fileURLToPath(new URL('vitest-tally.mjs', import.meta.url))}`,
    ...vitestExtra,
  ],
  { TALLY_FILE: tallyFile },
);
if (code !== 0) failedStep ??= 'tests';

let t = null;
if (existsSync(tallyFile)) t = JSON.parse(readFileSync(tallyFile, 'utf8'));
else failedStep ??= 'tests (vitest wrote no report)';

if (t && t.broken.length > 0) {
  console.log(`\n${t.broken.length} test file(s) or suite(s) failed before their tests could run:`);
  for (const b of t.broken) console.log(`  ✗ ${b.where}: ${b.error}`);
}
if (t && t.unhandled > 0) console.log(`\n${t.unhandled} unhandled error(s) during the run (see above)`);
if (failedStep) console.log(`\nnpm test: FAILED at ${failedStep}`);
const line = t
  ? `${t.passed} passed, ${t.failed + t.broken.length + t.unhandled} failed, ${t.skipped} skipped` +
    (t.notRun > 0 ? ` (${t.notRun} did not run: their file or suite failed)` : '')
  : 'no tests counted: vitest wrote no report';
console.log(`\n${line}`);
process.exit(failedStep ? 1 : 0);
