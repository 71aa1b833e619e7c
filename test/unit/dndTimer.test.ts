/**
 * Timed Do Not Disturb ends from the wall clock: on time, at the first check after a sleep
 * (a timer the OS delivered late), and at once on wake.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../electron/core/deps.js';
import { DND_CHECK_MS } from '../../electron/core/dndTimer.js';
import { Engine, type EngineEvent } from '../../electron/core/engine.js';
import { createLogger } from '../../electron/core/log.js';
import { ManualClock } from '../support/manualClock.js';

/** A ManualClock whose wall clock can jump without any timer firing (the machine slept). */
class SleepyClock implements Clock {
  readonly manual = new ManualClock();
  skew = 0;
  now(): number {
    return this.manual.now() + this.skew;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    return this.manual.setTimeout(fn, ms);
  }
  clearTimeout(h: unknown): void {
    this.manual.clearTimeout(h);
  }
  sleep(ms: number): void {
    this.skew += ms;
  }
}

function setup() {
  const clock = new SleepyClock();
  const engine = new Engine({ clock, logger: createLogger(() => {}, { level: 'error' }) });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { clock, engine, events };
}

describe('timed Do Not Disturb', () => {
  it('ends exactly at its end, not a moment before', () => {
    const { clock, engine, events } = setup();
    const until = clock.now() + 60 * 60_000;
    engine.setDnd(true, until);
    expect(events).toEqual([{ type: 'dnd', on: true, until }]);
    clock.manual.advance(60 * 60_000 - 1);
    expect(engine.isDnd()).toBe(true);
    clock.manual.advance(1);
    expect(engine.isDnd()).toBe(false);
    expect(engine.snapshot().dndUntil).toBeNull();
    expect(events.at(-1)).toEqual({ type: 'dnd', on: false });
  });

  it('after a sleep past the end, the next check (at most a minute later) ends it', () => {
    const { clock, engine } = setup();
    engine.setDnd(true, clock.now() + 30 * 60_000);
    clock.sleep(2 * 60 * 60_000); // wall clock jumped; no timer fired
    expect(engine.isDnd()).toBe(true);
    clock.manual.advance(DND_CHECK_MS);
    expect(engine.isDnd()).toBe(false);
  });

  it('after a sleep past the end, wake ends it at once', () => {
    const { clock, engine } = setup();
    engine.setDnd(true, clock.now() + 30 * 60_000);
    clock.sleep(31 * 60_000);
    engine.wake('resume');
    expect(engine.isDnd()).toBe(false);
  });

  it('turning DND on without an end (or off) cancels a timed end', () => {
    const { clock, engine, events } = setup();
    engine.setDnd(true, clock.now() + 60_000);
    engine.setDnd(true);
    expect(events.at(-1)).toEqual({ type: 'dnd', on: true });
    clock.manual.advance(10 * 60_000);
    expect(engine.isDnd()).toBe(true);
    expect(clock.manual.pending()).toBe(0);
  });

  it('refuses an end that is not in the future', () => {
    const { clock, engine } = setup();
    expect(() => engine.setDnd(true, clock.now())).toThrow(/until must be a time in the future/);
    expect(engine.isDnd()).toBe(false);
  });
});
