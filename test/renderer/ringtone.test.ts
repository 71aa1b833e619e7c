import { describe, expect, it } from 'vitest';
import { Ringtone, type AudioContextLike } from '../../renderer/src/lib/ringtone.js';

/** A stand-in for the browser's AudioContext that records what was scheduled. */
function recordingContext(state: 'running' | 'suspended') {
  const started: number[] = [];
  const ctx = {
    state,
    currentTime: 0,
    destination: {} as AudioNode,
    resumed: 0,
    closed: false,
    resume() {
      this.resumed += 1;
      return Promise.resolve();
    },
    close() {
      this.closed = true;
      return Promise.resolve();
    },
    createGain() {
      const param = { setValueAtTime() {}, linearRampToValueAtTime() {} };
      return { gain: param, connect() {} } as unknown as GainNode;
    },
    createOscillator() {
      return {
        type: 'sine',
        frequency: { value: 0 },
        connect() {},
        start(t: number) {
          started.push(t);
        },
        stop() {},
      } as unknown as OscillatorNode;
    },
  };
  return { ctx: ctx as AudioContextLike & typeof ctx, started };
}

describe('ringtone', () => {
  it('is silent and does not throw where there is no AudioContext (jsdom)', () => {
    const r = new Ringtone();
    expect(() => r.setActive(true)).not.toThrow();
    expect(r.playing).toBe(false);
    expect(() => r.dispose()).not.toThrow();
  });

  it('is silent and does not throw when creating the context throws', () => {
    const r = new Ringtone(() => {
      throw new Error('NotAllowedError');
    });
    expect(() => r.setActive(true)).not.toThrow();
    expect(r.playing).toBe(false);
  });

  it('schedules a two-tone double ring on a running context and stops on request', () => {
    const { ctx, started } = recordingContext('running');
    const r = new Ringtone(() => ctx);
    r.setActive(true);
    expect(r.playing).toBe(true);
    expect(started).toHaveLength(4); // two bursts × two frequencies
    r.setActive(true); // no second pattern on top
    expect(started).toHaveLength(4);
    r.setActive(false);
    expect(r.playing).toBe(false);
    r.dispose();
    expect(ctx.closed).toBe(true);
  });

  it('asks a suspended context to resume and schedules nothing until it runs', () => {
    const { ctx, started } = recordingContext('suspended');
    const r = new Ringtone(() => ctx);
    r.setActive(true);
    expect(ctx.resumed).toBeGreaterThan(0);
    expect(started).toHaveLength(0);
    r.dispose();
  });
});
