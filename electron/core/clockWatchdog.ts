/**
 * The clock-jump watchdog: how plain Node (headless) notices that the machine slept or the
 * process was stopped. A timer runs every `intervalMs`; when the wall clock says much more
 * time passed between two ticks than the interval (more than `toleranceMs` extra), the
 * machine was asleep (or the process frozen) in between, and `onJump` is called — which
 * wires to `engine.wake('clockJump')`. Electron uses powerMonitor instead (electron/main/wake.ts).
 */
import type { Clock, Logger, TimerHandle } from './deps.js';

export interface ClockJumpWatchdogOptions {
  /** Timers and the wall clock (injected: tests steer it). */
  clock: Clock;
  /** Tick period, ms (default 5 s). */
  intervalMs?: number;
  /** Extra gap beyond the interval that counts as a jump, ms (default 5 s). */
  toleranceMs?: number;
  /** The gap exceeded interval + tolerance; `gapMs` is the wall-clock time between the two ticks. */
  onJump(gapMs: number): void;
  logger?: Logger;
}

export class ClockJumpWatchdog {
  private timer: TimerHandle | null = null;
  private last = 0;
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(private readonly o: ClockJumpWatchdogOptions) {
    this.intervalMs = positive('intervalMs', o.intervalMs ?? 5_000);
    this.toleranceMs = positive('toleranceMs', o.toleranceMs ?? 5_000);
  }

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer !== null) return;
    this.last = this.o.clock.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => this.tick(), this.intervalMs);
  }

  private tick(): void {
    const now = this.o.clock.now();
    const gap = now - this.last;
    this.last = now;
    this.schedule();
    if (gap > this.intervalMs + this.toleranceMs) {
      this.o.logger?.info('the clock jumped: the machine slept or the process was stopped', { gapMs: gap });
      try {
        this.o.onJump(gap);
      } catch (err) {
        this.o.logger?.error('clock-jump handler threw', { err });
      }
    }
  }
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`ClockJumpWatchdog: ${name} must be a positive number, got ${v}`);
  return v;
}
