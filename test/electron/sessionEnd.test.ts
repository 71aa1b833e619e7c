/**
 * Logout, restart and shutdown: one bounded sign-out, never blocking the OS. Unit level here;
 * main-sessionEnd.test.ts checks the composed app.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SESSION_END_BOUND_MS, SessionEnd } from '../../electron/main/sessionEnd.js';
import { ManualClock } from '../support/manualClock.js';
import { recordingLogger } from './helpers.js';

function setup(platform: NodeJS.Platform, signOut: () => Promise<void>) {
  const powerMonitor = new EventEmitter();
  const clock = new ManualClock();
  let done = 0;
  let signOuts = 0;
  const se = new SessionEnd({
    platform,
    powerMonitor,
    logger: recordingLogger(),
    clock,
    signOut: () => {
      signOuts++;
      return signOut();
    },
    onDone: () => done++,
  });
  return { se, powerMonitor, clock, done: () => done, signOuts: () => signOuts };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('session end', () => {
  it("macOS/Linux: powerMonitor 'shutdown' signs out once, then quits", async () => {
    let finish!: () => void;
    const t = setup('darwin', () => new Promise<void>((r) => (finish = r)));
    expect(t.se.ending).toBe(false);
    t.powerMonitor.emit('shutdown');
    t.powerMonitor.emit('shutdown');
    expect(t.se.ending).toBe(true);
    expect(t.signOuts()).toBe(1);
    await flush();
    expect(t.done()).toBe(0);
    finish();
    await flush();
    expect(t.done()).toBe(1);
  });

  it('a sign-out that hangs (dead pool) is abandoned after the bound', async () => {
    const t = setup('linux', () => new Promise<void>(() => undefined));
    t.powerMonitor.emit('shutdown');
    t.clock.advance(SESSION_END_BOUND_MS - 1);
    await flush();
    expect(t.done()).toBe(0);
    t.clock.advance(1);
    await flush();
    expect(t.done()).toBe(1);
  });

  it('Windows: query-session-end starts the sign-out and is never prevented; session-end does not start a second', async () => {
    const t = setup('win32', () => Promise.resolve());
    const win = new EventEmitter();
    t.se.watchWindow(win);
    let prevented = 0;
    const event = { reasons: ['logoff'], preventDefault: () => prevented++ };
    win.emit('query-session-end', event);
    win.emit('session-end', event);
    await flush();
    expect(prevented).toBe(0);
    expect(t.signOuts()).toBe(1);
    expect(t.done()).toBe(1);
  });

  it('a failing sign-out still quits', async () => {
    const t = setup('win32', () => Promise.reject(new Error('ECONNREFUSED')));
    const win = new EventEmitter();
    t.se.watchWindow(win);
    win.emit('session-end', { reasons: ['shutdown'], preventDefault: () => undefined });
    await flush();
    expect(t.done()).toBe(1);
  });

  it('other platforms ignore window session events (they do not exist there)', () => {
    const t = setup('linux', () => Promise.resolve());
    const win = new EventEmitter();
    t.se.watchWindow(win);
    expect(win.listenerCount('query-session-end')).toBe(0);
  });
});
