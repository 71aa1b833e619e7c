/**
 * When timed Do Not Disturb ends. The end is a wall-clock time, not a duration: the timer only
 * wakes the check (at most a minute apart), and the check compares `clock.now()` with the
 * end — so DND that ran out while the machine slept ends at the first check after resume
 * (or at once on `Engine.wake`), however late the OS delivers the timer.
 */
import type { Clock, TimerHandle } from './deps.js';

/** Longest single wait between checks: bounds how late a slept-through end is noticed. */
export const DND_CHECK_MS = 60_000;

export class DndTimer {
  private end: number | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onEnd: () => void,
  ) {}

  /** The end (ms since the epoch), or null when DND is off or untimed. */
  get until(): number | null {
    return this.end;
  }

  /** Sets (or with null, clears) the end and re-arms the check. */
  set(end: number | null): void {
    this.end = end;
    this.arm();
  }

  clear(): void {
    this.set(null);
  }

  /** Ends DND now if its end has passed (the OS resumed, the clock jumped). */
  check(): void {
    if (this.end === null) return;
    if (this.clock.now() >= this.end) {
      this.set(null);
      this.onEnd();
    } else this.arm();
  }

  private arm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.end === null) return;
    const wait = Math.min(DND_CHECK_MS, Math.max(0, this.end - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.check();
    }, wait);
  }
}
