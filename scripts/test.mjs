#!/usr/bin/env node
// `npm test`: typecheck, lint, then every vitest project, then one closing line
// "N passed, N failed, N skipped". ELECTRON_MIRROR points at a dead loopback port so that an
// accidental Electron download fails fast here instead of reaching out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';

const env = { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' };
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const run = (label, cmd, args) => {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  return r.status ?? 1;
};

let failedStep = null;
if (!only) {
  if (run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) !== 0) failedStep ??= 'typecheck';
  if (run('lint', 'npx', ['eslint', '--max-warnings', '0', '.']) !== 0) failedStep ??= 'lint';
  if (run('security', 'node', ['scripts/electronegativity.mjs']) !== 0) failedStep ??= 'electronegativity';
}
mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
const code = run('tests', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);
if (code !== 0) failedStep ??= 'tests';

let passed = 0,
  failed = 0,
  skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
if (failedStep) console.log(`\nnpm test: FAILED at ${failedStep}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedStep ? 1 : 0);
