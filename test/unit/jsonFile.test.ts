import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../electron/core/log.js';
import { jsonFile } from '../../electron/core/storage/jsonFile.js';

const schema = z.object({ n: z.number() }).strict();

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-json-'));
  const corrupt: { movedTo: string; problem: string }[] = [];
  const file = jsonFile(join(dir, 'doc.json'), {
    logger: silentLogger,
    now: () => 42,
    onCorrupt: (c) => corrupt.push(c),
  });
  return { dir, file, corrupt };
}

describe('jsonFile', () => {
  it('reads null when the file does not exist yet', async () => {
    const { file } = setup();
    await expect(file.read(schema)).resolves.toBeNull();
  });

  it('writes atomically: the last of concurrent writes wins and no temp file is left behind', async () => {
    const { dir, file } = setup();
    await Promise.all(Array.from({ length: 20 }, (_, n) => file.write({ n })));
    expect(JSON.parse(readFileSync(file.path, 'utf8'))).toEqual({ n: 19 });
    expect(readdirSync(dir).sort()).toEqual(['doc.json', 'doc.json.bak']); // the last good copy, no temp file
    await expect(file.read(schema)).resolves.toEqual({ n: 19 });
  });

  it('sets a file that is not JSON aside, reports it, and reads as absent', async () => {
    const { dir, file, corrupt } = setup();
    writeFileSync(file.path, '{"n": 1,');
    await expect(file.read(schema)).resolves.toBeNull();
    expect(corrupt).toEqual([
      { path: file.path, movedTo: `${file.path}.corrupt-42`, problem: expect.stringMatching(/not valid JSON/) },
    ]);
    expect(readdirSync(dir)).toEqual(['doc.json.corrupt-42']);
    expect(readFileSync(join(dir, 'doc.json.corrupt-42'), 'utf8')).toBe('{"n": 1,');
  });

  it('sets a file that does not match its schema aside, naming the field', async () => {
    const { file, corrupt } = setup();
    writeFileSync(file.path, '{"n": "one"}');
    await expect(file.read(schema)).resolves.toBeNull();
    expect(corrupt[0]!.problem).toMatch(/^n: /);
  });
});
