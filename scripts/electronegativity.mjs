#!/usr/bin/env node
/**
 * `npm run security`: runs electronegativity over electron/ and fails on any finding that is
 * not explained in security/electronegativity-allowlist.json.
 *
 * - Runs offline: under `unshare -n` where that works (the tool otherwise tries to fetch
 *   translations and Electron release data); it tells the tool the installed Electron version.
 * - The tool exits 0 even with findings, so this reads its SARIF output instead.
 * - Prints every finding. An allowed finding must match an entry's rule, file and a piece of
 *   the flagged source line, and the entry's one-line justification must appear in the
 *   README's security section.
 * Exit codes: 0 all findings explained; 1 unexplained findings (or undocumented
 * justifications); 2 the tool itself failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const allowFile = join(root, 'security', 'electronegativity-allowlist.json');
const docs = ['README.md'].map((p) => join(root, p)).filter((p) => existsSync(p));

function electronVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

const canUnshare = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'electronegativity-'));
const sarifPath = join(tmp, 'electronegativity.sarif');
const version = electronVersion();
const toolArgs = [
  '--no',
  '--',
  'electronegativity',
  '-i',
  'electron',
  '-o',
  sarifPath,
  ...(version ? ['-e', version] : []),
];
const [cmd, args] = canUnshare ? ['unshare', ['-n', 'npx', ...toolArgs]] : ['npx', toolArgs];

console.log(
  `electronegativity over electron/ (Electron ${version ?? 'unknown'}${canUnshare ? ', offline via unshare -n' : ''})`,
);
const run = spawnSync(cmd, args, {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' },
});

let results;
try {
  const sarif = JSON.parse(readFileSync(sarifPath, 'utf8'));
  results = sarif.runs?.[0]?.results ?? [];
} catch (err) {
  console.error(`electronegativity produced no readable SARIF (${err.message}).`);
  console.error((run.stderr || '') + (run.stdout || ''));
  rmSync(tmp, { recursive: true, force: true });
  process.exit(2);
}
rmSync(tmp, { recursive: true, force: true });

const allow = JSON.parse(readFileSync(allowFile, 'utf8')).allowed ?? [];
const docText = docs.map((p) => readFileSync(p, 'utf8').replace(/\s+/g, ' ')).join('\n');
const sourceLine = (file, line) => {
  try {
    return readFileSync(join(root, file), 'utf8').split('\n')[line - 1] ?? '';
  } catch {
    return '';
  }
};

const used = new Set();
let unexplained = 0;
for (const r of results) {
  const loc = r.locations?.[0]?.physicalLocation;
  const uri = loc?.artifactLocation?.uri ?? 'N/A';
  const file = uri === 'N/A' ? uri : relative(root, uri.replace(/^file:\/\//, ''));
  const line = loc?.region?.startLine ?? 0;
  const text = sourceLine(file, line);
  const entry = allow.find(
    (a) => a.rule === r.ruleId && a.file === file && (!a.lineContains || text.includes(a.lineContains)),
  );
  const where = `${file}:${line}`;
  if (entry) {
    used.add(entry);
    console.log(`  allowed      ${r.ruleId} ${where} — ${r.message?.text}\n               why: ${entry.justification}`);
  } else {
    unexplained++;
    console.log(
      `  UNEXPLAINED  ${r.ruleId} ${where} — ${r.message?.text}\n               source: ${text.trim() || '(none)'}`,
    );
  }
}

let undocumented = 0;
for (const a of allow) {
  if (!used.has(a))
    console.log(`  note: allow-list entry ${a.rule} ${a.file} matched nothing (remove it if the finding is gone)`);
  if (!a.justification || !docText.includes(a.justification.replace(/\s+/g, ' '))) {
    undocumented++;
    console.log(
      `  UNDOCUMENTED justification for ${a.rule} ${a.file}: it must appear word for word in the README's security section`,
    );
  }
}

console.log(`${results.length} finding(s): ${results.length - unexplained} explained, ${unexplained} unexplained.`);
process.exit(unexplained > 0 || undocumented > 0 ? 1 : 0);
