import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../electron/core/log.js';
import { installProcessGuards, type GuardedProcess } from '../../electron/core/processGuards.js';

describe('process guards', () => {
  const setup = () => {
    const lines: string[] = [];
    const proc = new EventEmitter();
    const remove = installProcessGuards(
      proc as unknown as GuardedProcess,
      createLogger((l) => lines.push(l)),
    );
    return { lines, proc, remove };
  };

  it('logs an unhandled rejection with its stack through the logger', () => {
    const { lines, proc } = setup();
    const err = new Error('boom in a background task');
    proc.emit('unhandledRejection', err, Promise.resolve());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/error.*\[softphone:process\] unhandled promise rejection/);
    expect(lines[0]).toContain('boom in a background task');
    expect(lines[0]).toContain('processGuards.test.ts');
  });

  it('logs an uncaught exception, and a rejection with a non-Error reason', () => {
    const { lines, proc } = setup();
    proc.emit('uncaughtException', new TypeError('bad thing'));
    proc.emit('unhandledRejection', 'just a string');
    expect(lines[0]).toMatch(/uncaught exception.*TypeError.*bad thing/);
    expect(lines[1]).toMatch(/"name":"string","message":"just a string"/);
  });

  it('removes its handlers', () => {
    const { proc, remove } = setup();
    expect(proc.listenerCount('unhandledRejection')).toBe(1);
    remove();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
    expect(proc.listenerCount('uncaughtException')).toBe(0);
  });
});
