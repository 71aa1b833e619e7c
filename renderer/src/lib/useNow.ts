import { useCallback, useSyncExternalStore } from 'react';

/**
 * One shared clock per interval, reading whole intervals (a 1000 ms clock reads whole seconds)
 * and ticking on their boundaries; its timer runs only while someone listens.
 *
 * While nobody listens, a read is the current whole interval, so the value a first render reads
 * is the value the subscription then keeps: a toast appearing on an empty stack renders once.
 */
class Ticker {
  private now = 0;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly intervalMs: number) {}

  private whole(t: number): number {
    return t - (t % this.intervalMs);
  }

  read = (): number => {
    if (!this.timer) this.now = this.whole(Date.now());
    return this.now;
  };

  private schedule(): void {
    const t = Date.now();
    this.timer = setTimeout(
      () => {
        this.now = this.whole(Date.now());
        this.schedule();
        for (const l of [...this.listeners]) l();
      },
      this.intervalMs - (t % this.intervalMs),
    );
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.timer) {
      this.now = this.whole(Date.now());
      this.schedule();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  };
}

const tickers = new Map<number, Ticker>();
const noop = () => () => undefined;

/** The current time (epoch ms) in whole `intervalMs`, refreshed on each boundary while `active`. */
export function useNow(active: boolean, intervalMs = 1000): number {
  let ticker = tickers.get(intervalMs);
  if (!ticker) {
    ticker = new Ticker(intervalMs);
    tickers.set(intervalMs, ticker);
  }
  const t = ticker;
  const subscribe = useCallback((listener: () => void) => (active ? t.subscribe(listener) : noop()), [active, t]);
  return useSyncExternalStore(subscribe, t.read);
}
