/**
 * Everything the engine needs from the outside world. It never reaches for these itself:
 * Electron passes net.fetch and safeStorage, headless passes Node's fetch and env vars,
 * tests pass the real simulator's loopback fetch and a controllable clock.
 */

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers never keep a process alive on their own: quitting is explicit.
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

/** Small persistent key/value store (endpoint ids and the like). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Secrets (passwords, client secrets): only through here, never in plain files or logs. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
}
