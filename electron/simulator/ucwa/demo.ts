/**
 * Demo mode's ringer: a sample invitation after a delay, then periodically, cycling through
 * the kinds; skipped while no application listens; rung out (Missed) if nobody acts.
 */
import type { DemoOptions, InvitationKind, RingHandle } from './types.js';

export interface DemoTarget {
  /** True when some application can be rung right now. */
  canRing(): boolean;
  ring(kind: InvitationKind): RingHandle;
  isRinging(handle: RingHandle): boolean;
  ringOut(handle: RingHandle): void;
}

export class DemoRinger {
  private readonly timers = new Set<NodeJS.Timeout>();
  private turn = 0;

  constructor(
    private readonly target: DemoTarget,
    private readonly opts: Required<DemoOptions>,
  ) {}

  start(): void {
    this.after(this.opts.firstAfterMs, () => this.tick());
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private tick(): void {
    if (this.target.canRing()) {
      const kinds = this.opts.kinds;
      const handle = this.target.ring(kinds[this.turn++ % kinds.length]!);
      if (this.opts.ringForMs > 0) {
        this.after(this.opts.ringForMs, () => {
          if (this.target.isRinging(handle)) this.target.ringOut(handle);
        });
      }
    }
    if (this.opts.everyMs > 0) this.after(this.opts.everyMs, () => this.tick());
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
