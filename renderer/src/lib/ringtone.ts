/**
 * The ringtone, synthesised with Web Audio: a double ring (two short two-tone bursts, then a
 * pause), repeated while something rings. No binary asset.
 *
 * Audio is a nicety, never a failure: where AudioContext is missing, cannot be created, or
 * stays suspended (autoplay policy), the ringtone is silent and nothing throws.
 */

/** The slice of AudioContext the ringtone uses (a test can pass a recording fake). */
export interface AudioContextLike {
  readonly currentTime: number;
  readonly state: string;
  readonly destination: AudioNode;
  resume(): Promise<void>;
  close(): Promise<void>;
  createOscillator(): OscillatorNode;
  createGain(): GainNode;
}

export type AudioContextFactory = () => AudioContextLike | null;

const FREQUENCIES = [400, 450];
/** Burst start offsets and length within one period, seconds. */
const BURSTS = [0, 0.6];
const BURST_S = 0.4;
const PERIOD_MS = 3_000;
const VOLUME = 0.12;

export const defaultAudioContext: AudioContextFactory = () => {
  const g = globalThis as {
    AudioContext?: new () => AudioContextLike;
    webkitAudioContext?: new () => AudioContextLike;
  };
  const Ctor = g.AudioContext ?? g.webkitAudioContext;
  if (!Ctor) return null;
  try {
    return new Ctor();
  } catch {
    return null;
  }
};

export class Ringtone {
  private ctx: AudioContextLike | null = null;
  private unavailable = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private voices: OscillatorNode[] = [];
  private readonly unlock = () => this.resume();

  constructor(private readonly factory: AudioContextFactory = defaultAudioContext) {}

  get playing(): boolean {
    return this.timer !== null;
  }

  /** Starts or stops ringing; repeated calls with the same value do nothing. */
  setActive(on: boolean): void {
    if (on) this.start();
    else this.silence();
  }

  dispose(): void {
    this.silence();
    const ctx = this.ctx;
    this.ctx = null;
    if (ctx) void ctx.close().catch(() => undefined);
  }

  private start(): void {
    if (this.timer) return;
    const ctx = this.context();
    if (!ctx) return;
    this.resume();
    this.ring();
    this.timer = setInterval(() => this.ring(), PERIOD_MS);
  }

  private silence(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const v of this.voices) {
      try {
        v.stop();
      } catch {
        // already stopped
      }
    }
    this.voices = [];
    if (typeof window !== 'undefined') {
      window.removeEventListener('pointerdown', this.unlock);
      window.removeEventListener('keydown', this.unlock);
    }
  }

  private context(): AudioContextLike | null {
    if (this.ctx || this.unavailable) return this.ctx;
    try {
      this.ctx = this.factory();
    } catch {
      this.ctx = null;
    }
    if (!this.ctx) this.unavailable = true;
    return this.ctx;
  }

  /** Asks a suspended context to run; where autoplay needs a gesture, tries again on one. */
  private resume(): void {
    const ctx = this.ctx;
    if (!ctx || ctx.state === 'running') return;
    try {
      void ctx.resume().catch(() => undefined);
    } catch {
      // resume() can throw synchronously on a closed context
    }
    if (typeof window !== 'undefined' && this.timer === null) {
      window.addEventListener('pointerdown', this.unlock, { once: true });
      window.addEventListener('keydown', this.unlock, { once: true });
    }
  }

  private ring(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (ctx.state !== 'running') {
      this.resume();
      return;
    }
    try {
      const t0 = ctx.currentTime + 0.02;
      this.voices = []; // the previous period's bursts have finished
      for (const offset of BURSTS) {
        const gain = ctx.createGain();
        gain.gain.setValueAtTime(0, t0 + offset);
        gain.gain.linearRampToValueAtTime(VOLUME, t0 + offset + 0.02);
        gain.gain.setValueAtTime(VOLUME, t0 + offset + BURST_S - 0.03);
        gain.gain.linearRampToValueAtTime(0, t0 + offset + BURST_S);
        gain.connect(ctx.destination);
        for (const f of FREQUENCIES) {
          const osc = ctx.createOscillator();
          osc.type = 'sine';
          osc.frequency.value = f;
          osc.connect(gain);
          osc.start(t0 + offset);
          osc.stop(t0 + offset + BURST_S);
          this.voices.push(osc);
        }
      }
    } catch {
      // A context that cannot schedule sound leaves the ringtone silent.
    }
  }
}
