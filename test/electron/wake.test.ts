import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { WakeReason } from '../../electron/core/provider.js';
import { wireWake } from '../../electron/main/wake.js';
import { net, powerMonitor, resetFakes } from './fakeElectron.js';

beforeEach(() => resetFakes());

function wired() {
  const reasons: WakeReason[] = [];
  let tick: (() => void) | null = null;
  let cleared = false;
  const unwire = wireWake({
    powerMonitor,
    net,
    wake: (r) => reasons.push(r),
    setInterval: (fn) => ((tick = fn), 1),
    clearInterval: () => (cleared = true),
  });
  return { reasons, poll: () => tick!(), unwire, cleared: () => cleared };
}

describe('wake sources (electron/main/wake.ts)', () => {
  it('wakes the engine on powerMonitor resume and unlock-screen', () => {
    const w = wired();
    powerMonitor.emit('resume');
    powerMonitor.emit('unlock-screen');
    expect(w.reasons).toEqual(['resume', 'unlock']);
  });

  it('wakes once when net.isOnline() flips from offline to online, not while it stays either way', () => {
    const w = wired();
    w.poll();
    net.online = false;
    w.poll();
    w.poll();
    expect(w.reasons).toEqual([]);
    net.online = true;
    w.poll();
    w.poll();
    expect(w.reasons).toEqual(['online']);
  });

  it('unwires everything on quit', () => {
    const w = wired();
    w.unwire();
    powerMonitor.emit('resume');
    expect(w.reasons).toEqual([]);
    expect(powerMonitor.listenerCount('resume')).toBe(0);
    expect(w.cleared()).toBe(true);
  });
});
