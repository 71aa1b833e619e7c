import { describe, expect, it } from 'vitest';
import {
  OUTCOMES,
  RINGING,
  transition,
  type DeclineError,
  type ForwardTarget,
  type InvitationState,
  type LifecycleEvent,
} from '../../electron/core/invitation.js';

const target: ForwardTarget = { label: 'Reception', phone: '+14255550100' };
const error: DeclineError = { status: 409, code: 'Conflict', subcode: 'AlreadyExists', message: 'x' };

const states: Record<string, InvitationState> = {
  ringing: RINGING,
  'ringing+error': { phase: 'ringing', error },
  declining: { phase: 'declining', reason: 'Global', sent: false },
  'declining(sent)': { phase: 'declining', reason: 'Global', sent: true },
  forwarding: { phase: 'forwarding', target, sent: false },
  'forwarding(sent)': { phase: 'forwarding', target, sent: true },
  ...Object.fromEntries(OUTCOMES.map((o) => [`ended(${o})`, { phase: 'ended', outcome: o } as InvitationState])),
};

const events: Record<string, LifecycleEvent> = {
  decline: { type: 'decline', reason: 'Local' },
  declineSent: { type: 'declineSent' },
  declineFailed: { type: 'declineFailed', error },
  forward: { type: 'forward', target },
  forwardSent: { type: 'forwardSent' },
  forwardFailed: { type: 'forwardFailed', error },
  ...Object.fromEntries(OUTCOMES.map((o) => [`end(${o})`, { type: 'end', outcome: o } as LifecycleEvent])),
};

/** The whole table: state × event → next state label (or '-' for a no-op) and effect. */
function expected(state: string, event: string): [string, 'sendDecline' | 'sendForward' | null] {
  if (state.startsWith('ended')) return ['-', null];
  if (event.startsWith('end(')) return [`ended(${event.slice(4, -1)})`, null];
  if (state.startsWith('ringing')) {
    if (event === 'decline') return ['declining', 'sendDecline'];
    if (event === 'forward') return ['forwarding', 'sendForward'];
    return ['-', null];
  }
  if (state === 'declining') {
    if (event === 'declineSent') return ['declining(sent)', null];
    if (event === 'declineFailed') return ['ringing+error', null];
    return ['-', null];
  }
  if (state === 'forwarding') {
    if (event === 'forwardSent') return ['forwarding(sent)', null];
    if (event === 'forwardFailed') return ['ringing+error', null];
    return ['-', null];
  }
  // declining(sent), forwarding(sent): the server accepted; only its end moves it on.
  return ['-', null];
}

function label(s: InvitationState): string {
  if (s.phase === 'ringing') return s.error ? 'ringing+error' : 'ringing';
  if (s.phase === 'declining') return s.sent ? 'declining(sent)' : 'declining';
  if (s.phase === 'forwarding') return s.sent ? 'forwarding(sent)' : 'forwarding';
  return `ended(${s.outcome})`;
}

describe('invitation lifecycle', () => {
  for (const [sName, state] of Object.entries(states)) {
    for (const [eName, event] of Object.entries(events)) {
      const [next, effect] = expected(sName, eName);
      it(`${sName} --${eName}--> ${next === '-' ? 'no-op' : next}`, () => {
        const t = transition(state, event);
        if (next === '-') {
          expect(t).toBeNull();
        } else {
          expect(t).not.toBeNull();
          expect(label(t!.state)).toBe(next);
          expect(t!.effect).toBe(effect);
        }
      });
    }
  }

  it('keeps the chosen reason while declining', () => {
    const t = transition(RINGING, { type: 'decline', reason: 'Local' });
    expect(t?.state).toEqual({ phase: 'declining', reason: 'Local', sent: false });
  });

  it('a retry after a failure sends again exactly once', () => {
    let s: InvitationState = RINGING;
    s = transition(s, { type: 'decline', reason: 'Global' })!.state;
    s = transition(s, { type: 'declineFailed', error })!.state;
    const retry = transition(s, { type: 'decline', reason: 'Global' });
    expect(retry?.effect).toBe('sendDecline');
    expect(transition(retry!.state, { type: 'decline', reason: 'Global' })).toBeNull();
  });

  it('keeps the target while forwarding, and a failed forward can be retried or declined', () => {
    let s: InvitationState = transition(RINGING, { type: 'forward', target })!.state;
    expect(s).toEqual({ phase: 'forwarding', target, sent: false });
    expect(transition(s, { type: 'decline', reason: 'Global' })).toBeNull();
    s = transition(s, { type: 'forwardFailed', error })!.state;
    expect(transition(s, { type: 'forward', target })?.effect).toBe('sendForward');
    expect(transition(s, { type: 'decline', reason: 'Global' })?.effect).toBe('sendDecline');
  });
});
