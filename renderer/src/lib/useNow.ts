import { useCallback, useSyncExternalStore } from 'react';

/**
 * One shared ticking clock per interval; its timer runs only while someone listens.
 *
 * While nobody listens, a read refreshes the time unless it is fresh (within `FRESH_MS`, longer
 * than a render takes, so the reads of one render agree), and subscribing keeps the value the
 * render just read: a toast appearing on an empty stack renders once, not again when the clock
 * starts.
 */
const FRESH_MS = 100;

class Ticker {
  private now = 0;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly intervalMs: number) {}

  read = (): number => {
    if (!this.timer && Math.abs(Date.now() - this.now) >= FRESH_MS) this.now = Date.now();
    return this.now;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.timer) {
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

/** The current time (epoch ms), refreshed every `intervalMs` (default: a second) while `active`. */
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
