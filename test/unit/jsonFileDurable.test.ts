/**
 * Settings, accounts and history survive a power cut: the new file is on the disk before it
 * replaces the old one, the directory entry after, and the last good copy stays until then.
 * The file-system steps are recorded around Node's real calls on real files.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../electron/core/log.js';
import { jsonFile, nodeDurableIo, type DurableIo } from '../../electron/core/storage/jsonFile.js';

const schema = z.object({ n: z.number() }).strict();

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-durable-'));
  const steps: string[] = [];
  const name = (p: string) => (p === dir ? '<dir>' : basename(p).replace(/\.\d+\.\d+\.tmp$/, '.tmp'));
  const io: DurableIo = {
    writeFlushed: async (p, text) => {
      await nodeDurableIo.writeFlushed(p, text);
      steps.push(`write+fsync ${name(p)}`);
    },
    rename: async (a, b) => {
      await nodeDurableIo.rename(a, b);
      steps.push(`rename ${name(a)} -> ${name(b)}`);
    },
    keepCopy: async (a, b) => {
      await nodeDurableIo.keepCopy(a, b);
      steps.push(`keep ${name(a)} as ${name(b)}`);
    },
    flushDir: async (p) => {
      await nodeDurableIo.flushDir(p);
      steps.push(`fsync ${name(p)}`);
    },
  };
  const corrupt: string[] = [];
  const file = jsonFile(join(dir, 'settings.json'), {
    logger: silentLogger,
    now: () => 7,
    io,
    onCorrupt: (c) => corrupt.push(c.problem),
  });
  return { dir, file, steps, corrupt };
}

describe('durable JSON files', () => {
  it('flushes the new file before the rename and the directory after it', async () => {
    const { file, steps } = setup();
    await file.write({ n: 1 });
    expect(steps).toEqual([
      'write+fsync settings.json.tmp',
      'rename settings.json.tmp -> settings.json',
      'fsync <dir>',
    ]);
  });

  it('keeps the last good version as .bak before replacing it', async () => {
    const { dir, file, steps } = setup();
    await file.write({ n: 1 });
    steps.length = 0;
    await file.write({ n: 2 });
    expect(steps).toEqual([
      'write+fsync settings.json.tmp',
      'keep settings.json as settings.json.bak',
      'rename settings.json.tmp -> settings.json',
      'fsync <dir>',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json.bak'), 'utf8'))).toEqual({ n: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({ n: 2 });
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
  });

  it('after a power cut left the file empty, the last good copy is read and nothing is reported lost', async () => {
    const { dir, file, corrupt } = setup();
    await file.write({ n: 1 });
    await file.write({ n: 2 });
    writeFileSync(join(dir, 'settings.json'), ''); // what a journaling FS leaves of an un-flushed rename
    await expect(file.read(schema)).resolves.toEqual({ n: 1 });
    expect(corrupt).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['settings.json.bak', 'settings.json.corrupt-7']);
    // The next write starts from there; the empty file does not become the "good copy".
    await file.write({ n: 3 });
    await expect(file.read(schema)).resolves.toEqual({ n: 3 });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json.bak'), 'utf8'))).toEqual({ n: 1 });
  });

  it('with no good copy left an empty file is reported as such', async () => {
    const { dir, file, corrupt } = setup();
    writeFileSync(join(dir, 'settings.json'), '');
    await expect(file.read(schema)).resolves.toBeNull();
    expect(corrupt).toEqual([expect.stringMatching(/empty/)]);
  });
});
