// scripts/test.mjs's closing line, run for real against a stand-alone vitest config
// (test/fixtures/test-tally) whose files fail before their tests run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const config = 'test/fixtures/test-tally/vitest.config.ts';

/** Runs `node scripts/test.mjs --only vitest -- <args>` outside this vitest run's own env. */
function testScript(args: string[]): Promise<{ code: number | null; out: string; results: string }> {
  const results = mkdtempSync(join(tmpdir(), 'softphone-tally-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  env.TEST_RESULTS_DIR = results;
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/test.mjs', '--only', 'vitest', '--', '--config', config, ...args], {
      cwd: root,
      env,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, results }));
  });
}

const closingLine = (out: string) => out.trimEnd().split('\n').at(-1);

describe('npm test closing line', () => {
  it('counts a file whose beforeAll throws, and a file whose import throws, as failed; their tests did not run, and are not called skipped', async () => {
    const r = await testScript([]);
    expect(r.code).toBe(1);
    // fine: 2 passed, 2 skipped (flag + ctx.skip); launch: 2 never ran, 1 skipped by its flag.
    expect(closingLine(r.out)).toBe('3 passed, 3 failed, 3 skipped (3 did not run: their file or suite failed)');
    expect(r.out).toContain('test/fixtures/test-tally/launch.fixture.ts: browserType.launch: Chromium is missing');
    expect(r.out).toContain('test/fixtures/test-tally/import.fixture.ts: cannot load this module');
    expect(r.out).toContain('npm test: FAILED at tests');
    // vitest's own JSON report agrees that both files failed.
    const json = JSON.parse(readFileSync(join(r.results, 'vitest.json'), 'utf8')) as {
      testResults: { name: string; status: string }[];
    };
    const failedFiles = json.testResults.filter((f) => f.status === 'failed').map((f) => f.name.split('/').at(-1));
    expect(failedFiles.sort()).toEqual(['import.fixture.ts', 'launch.fixture.ts', 'suite.fixture.ts']);
  });

  it('a suite whose beforeAll throws inside an otherwise passing file counts as one failure', async () => {
    const r = await testScript(['suite']);
    expect(r.code).toBe(1);
    expect(closingLine(r.out)).toBe('1 passed, 1 failed, 0 skipped (1 did not run: their file or suite failed)');
    expect(r.out).toContain('suite.fixture.ts › broken suite: database is unreachable');
  });

  it('a green run exits 0 and says so', async () => {
    const r = await testScript(['fine']);
    expect(r.code).toBe(0);
    expect(closingLine(r.out)).toBe('2 passed, 0 failed, 2 skipped');
    expect(r.out).not.toContain('FAILED');
  });
});
