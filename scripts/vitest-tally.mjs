// A vitest reporter that writes the honest tally `npm test` closes with (scripts/test.mjs):
// tests that passed, tests that failed, tests skipped by choice (`skip`, `skipIf`, `todo`,
// `ctx.skip()`), and the files and suites that failed on their own — an import that throws, a
// `beforeAll` that throws (Chromium missing) — with the tests that therefore never ran.
// Usage: vitest run --reporter=./scripts/vitest-tally.mjs (the path comes from TALLY_FILE).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

const firstLine = (errors) => (errors[0]?.message ?? 'failed').split('\n')[0];

/** Counts one finished run; exported for scripts/test.mjs's own test. */
export function tally(testModules, unhandledErrors = []) {
  const t = { passed: 0, failed: 0, skipped: 0, notRun: 0, broken: [], unhandled: unhandledErrors.length };
  const visit = (suite, brokenAbove) => {
    const errors = suite.errors();
    const broken = brokenAbove || errors.length > 0;
    // A module or suite with its own errors failed as a whole (its hooks or its import threw).
    if (errors.length > 0) {
      const file = relative(process.cwd(), suite.module?.moduleId ?? suite.moduleId);
      t.broken.push({
        where: suite.type === 'module' ? file : `${file} › ${suite.fullName}`,
        error: firstLine(errors),
      });
    }
    for (const child of suite.children) {
      if (child.type === 'suite') {
        visit(child, broken);
        continue;
      }
      const r = child.result();
      if (r.state === 'passed') t.passed++;
      else if (r.state === 'failed') t.failed++;
      // Meant to run, but its file or suite failed around it: it never ran, and is no skip.
      else if (broken && child.options.mode === 'run') t.notRun++;
      // Skipped by its own flag (`skip`, `skipIf`, `todo`) or by ctx.skip(): a choice.
      else t.skipped++;
    }
  };
  for (const m of testModules) visit(m, false);
  return t;
}

export default class TallyReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    const out = process.env.TALLY_FILE ?? 'test-results/tally.json';
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(tally(testModules, unhandledErrors), null, 2));
  }
}
