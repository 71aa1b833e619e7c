import type { Clock } from '../../electron/core/deps.js';

interface Timer {
  at: number;
  fn: () => void;
  real: ReturnType<typeof setTimeout> | null;
}

/**
 * Real time that a test can stop and move forward. It runs like the system clock (real
 * timers, unref'd) until `pause()`; then `now()` stands still and timers fire only inside
 * `advance(ms)`, in order; `resume()` lets time run on from there. This is how a test puts the
 * engine past a deadline (Graph's 15 s answer window) without waiting for it, and without a
 * real timer racing the assertion.
 */
export class SteerableClock implements Clock {
  private offset = 0;
  private frozenAt: number | null = null;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  now(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.seq;
    const timer: Timer = { at: this.now() + Math.max(0, ms), fn, real: null };
    this.timers.set(id, timer);
    this.arm(id, timer);
    return id;
  }

  clearTimeout(handle: unknown): void {
    const timer = this.timers.get(handle as number);
    if (!timer) return;
    if (timer.real) clearTimeout(timer.real);
    this.timers.delete(handle as number);
  }

  get paused(): boolean {
    return this.frozenAt !== null;
  }

  /** Stops time: `now()` stands still and no timer fires until `advance` or `resume`. */
  pause(): void {
    if (this.frozenAt !== null) return;
    this.frozenAt = this.now();
    for (const timer of this.timers.values()) {
      if (timer.real) clearTimeout(timer.real);
      timer.real = null;
    }
  }

  /** Moves paused time forward by `ms`, firing the timers that fall due, in order. */
  advance(ms: number): void {
    if (this.frozenAt === null) throw new Error('SteerableClock: pause() before advance()');
    const end = this.frozenAt + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.frozenAt = due[1].at;
      due[1].fn();
    }
    this.frozenAt = end;
  }

  /**
   * A sleep of the machine: the wall clock jumps `ms` ahead, while pending timers (which run
   * on a monotonic clock that stood still) are postponed by the same amount, so the first one
   * fires with a wall-clock gap `ms` larger than its delay. Only while paused.
   */
  jump(ms: number): void {
    if (this.frozenAt === null) throw new Error('SteerableClock: pause() before jump()');
    this.frozenAt += ms;
    for (const timer of this.timers.values()) timer.at += ms;
  }

  /** Lets time run again from where it stands (real timers re-armed). */
  resume(): void {
    if (this.frozenAt === null) return;
    this.offset = this.frozenAt - Date.now();
    this.frozenAt = null;
    for (const [id, timer] of this.timers) this.arm(id, timer);
  }

  private arm(id: number, timer: Timer): void {
    if (this.frozenAt !== null) return;
    const real = setTimeout(
      () => {
        if (this.timers.get(id) !== timer) return;
        this.timers.delete(id);
        timer.fn();
      },
      Math.max(0, timer.at - this.now()),
    );
    real.unref();
    timer.real = real;
  }
}
