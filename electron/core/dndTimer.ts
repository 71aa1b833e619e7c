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

/** The timed Do Not Disturb choices offered in the tray and the main window. */
export const DND_CHOICES = ['30min', '1h', 'tomorrow8', 'off'] as const;
export type DndChoice = (typeof DND_CHOICES)[number];

export const DND_CHOICE_LABELS: Record<DndChoice, string> = {
  '30min': 'For 30 minutes',
  '1h': 'For 1 hour',
  tomorrow8: 'Until tomorrow 08:00',
  off: 'Until turned off',
};

/**
 * When a choice ends (ms since the epoch), from `now`; null for "until turned off".
 * "Tomorrow 08:00" is local time (the runtime's time zone), DST-safe via the Date fields.
 */
export function dndEndFor(choice: DndChoice, now: number): number | null {
  switch (choice) {
    case '30min':
      return now + 30 * 60_000;
    case '1h':
      return now + 60 * 60_000;
    case 'tomorrow8': {
      const d = new Date(now);
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, 8, 0, 0, 0).getTime();
    }
    case 'off':
      return null;
  }
}

/** "1 h 5 min left" / "12 min left" / "less than a minute left". */
export function formatDndRemaining(until: number, now: number): string {
  const min = Math.ceil((until - now) / 60_000);
  if (min <= 1) return 'less than a minute left';
  const h = Math.floor(min / 60);
  const m = min % 60;
  return h > 0 ? `${h} h${m ? ` ${m} min` : ''} left` : `${m} min left`;
}
