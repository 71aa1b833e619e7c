import { useCallback, useSyncExternalStore } from 'react';

/** One shared ticking clock per interval; it runs only while someone listens. */
class Ticker {
  now = Date.now();
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly intervalMs: number) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.timer) {
      this.now = Date.now();
      this.timer = setInterval(() => {
        this.now = Date.now();
        for (const l of [...this.listeners]) l();
      }, this.intervalMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  };
}

const tickers = new Map<number, Ticker>();
const noop = () => () => undefined;

/** The current time (epoch ms), refreshed every `intervalMs` while `active`. */
export function useNow(active: boolean, intervalMs = 500): number {
  let ticker = tickers.get(intervalMs);
  if (!ticker) {
    ticker = new Ticker(intervalMs);
    tickers.set(intervalMs, ticker);
  }
  const t = ticker;
  const subscribe = useCallback((listener: () => void) => (active ? t.subscribe(listener) : noop()), [active, t]);
  return useSyncExternalStore(subscribe, () => t.now);
}
