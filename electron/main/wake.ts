/**
 * Tells the engine when held connections may have died: the OS resumed from sleep or the
 * screen was unlocked (powerMonitor), or the network came back (net.isOnline() flipping from
 * false to true, polled — Electron has no main-process 'online' event). Glue only: the
 * Electron objects are passed in, so the fake electron can drive it in tests.
 */
import type { WakeReason } from '../core/provider.js';

export interface PowerMonitorLike {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
  removeListener(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export interface WakeWiring {
  powerMonitor: PowerMonitorLike;
  net: { isOnline(): boolean };
  wake(reason: WakeReason): void;
  /** How often net.isOnline() is polled, ms (default 5 s). */
  onlinePollMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** Wires the wake sources; returns the function that unwires them (on quit). */
export function wireWake(o: WakeWiring): () => void {
  const resume = () => o.wake('resume');
  const unlock = () => o.wake('unlock');
  o.powerMonitor.on('resume', resume);
  o.powerMonitor.on('unlock-screen', unlock);
  const setInt = o.setInterval ?? ((fn, ms) => setInterval(fn, ms).unref());
  const clearInt = o.clearInterval ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>));
  let online = safeOnline(o.net);
  const poll = setInt(() => {
    const now = safeOnline(o.net);
    if (now && !online) o.wake('online');
    online = now;
  }, o.onlinePollMs ?? 5_000);
  return () => {
    o.powerMonitor.removeListener('resume', resume);
    o.powerMonitor.removeListener('unlock-screen', unlock);
    clearInt(poll);
  };
}

function safeOnline(net: { isOnline(): boolean }): boolean {
  try {
    return net.isOnline();
  } catch {
    return true;
  }
}
