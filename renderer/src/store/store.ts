/**
 * The zustand store: the reducer's state plus the commands the UI sends through the bridge.
 *
 * Fed only by the bridge: it subscribes to pushed events first, then asks for the snapshot,
 * and replays whatever arrived in between (the reducer is idempotent for replays), so nothing
 * pushed during start-up is lost.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AccountSummary,
  AppEvent,
  DeclineError,
  ForwardTarget,
  SaveAccountInput,
  Settings,
  SimulateKind,
  SoftphoneBridge,
} from '../../../electron/contract.js';
import { findToast, INITIAL_STATE, reduce, ringingToasts, type Action, type SoftphoneState } from './reducer.js';

export interface SoftphoneActions {
  dispatch(action: Action): void;
  /** Subscribes to the bridge and loads the snapshot. Resolves once the snapshot is in. */
  start(): Promise<void>;
  /** Unsubscribes and cancels timers. */
  stop(): void;
  /** Declines with `reason`, or with the invitation's default reason when omitted. */
  decline(id: string, reason?: string): Promise<void>;
  /** Forwards a Graph call to one of its account's targets. */
  forward(id: string, target: ForwardTarget): Promise<void>;
  /** Sends the last reason (or forward) tried again. */
  retry(id: string): Promise<void>;
  /** Declines every visible ringing invitation (ignored ones keep ringing out, as asked). */
  declineAll(): Promise<void>;
  /** Hides the toast here; sends nothing. */
  ignore(id: string): void;
  /** `until` (ms since the epoch): timed Do Not Disturb. */
  setDnd(on: boolean, until?: number | null): Promise<void>;
  /** Declines and sends `text` to the caller as an IM (UCWA). */
  reply(id: string, text: string): Promise<void>;
  /** "Custom…" on a toast: the main window composes the reply. */
  composeReply(id: string): Promise<void>;
  saveSettings(patch: Partial<Settings>): Promise<Settings>;
  saveAccount(input: SaveAccountInput): Promise<AccountSummary>;
  removeAccount(accountId: string): Promise<void>;
  /** "Try signing in again": the account sends its password once more, even after a refusal. */
  retryAccount(accountId: string): Promise<void>;
  simulate(kind: SimulateKind): Promise<void>;
  dismissNotice(id: string): void;
}

export type SoftphoneStore = SoftphoneState & SoftphoneActions;

export interface StoreOptions {
  /** Epoch ms; injected so tests can use a fake clock. */
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** How long a toast's end message stays on screen. */
  farewellMs?: number;
  /**
   * Groups pushed events: called with `flush` when the first event of a group arrives; the
   * events that arrive until `flush` runs are applied together, in one state change and one
   * render. Default: none (each event applies as it arrives). The pages pass `perFrame`.
   */
  batchEvents?: (flush: () => void) => void;
}

export const FAREWELL_MS = 4_000;

/**
 * `batchEvents` for a page. A lone event applies at once (in a microtask: a single invitation is
 * rendered before the next frame starts, not during it); the events that follow before the next
 * frame wait for it and apply together just before it is painted — so a burst costs at most two
 * renders a frame, not one per event. A hidden page gets no animation frames (the toast window
 * is hidden while nothing rings and shows once the stack has rendered and reported its size), so
 * there every group applies in a microtask.
 */
export function perFrame(): (flush: () => void) => void {
  let frameOpen = false;
  // Whichever comes first: the next frame, or (should frames stop, as when the page is hidden
  // after the group was queued) a timer.
  const nextFrame = (fn: () => void) => {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      fn();
    };
    requestAnimationFrame(once);
    setTimeout(once, FRAME_FALLBACK_MS);
  };
  return (flush) => {
    const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
    if (hidden || typeof requestAnimationFrame !== 'function') return queueMicrotask(flush);
    if (!frameOpen) {
      frameOpen = true;
      nextFrame(() => (frameOpen = false));
      return queueMicrotask(flush);
    }
    nextFrame(flush);
  };
}

const FRAME_FALLBACK_MS = 100;

function messageOf(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown } | null;
  return {
    code: e && typeof e.code === 'string' ? e.code : 'Failed',
    message: e && typeof e.message === 'string' && e.message ? e.message : String(err),
  };
}

let localNoticeSeq = 0;

export function createSoftphoneStore(bridge: SoftphoneBridge, opts: StoreOptions = {}): StoreApi<SoftphoneStore> {
  const now = opts.now ?? (() => Date.now());
  const setTimer = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearTimer =
    opts.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  const farewellMs = opts.farewellMs ?? FAREWELL_MS;
  const timers = new Set<unknown>();
  let unsubscribe: (() => void) | null = null;

  return createStore<SoftphoneStore>()((set, get) => {
    const dispatch = (action: Action) => set((s) => reduce(s, action));

    const applyEvents = (events: AppEvent[]) => {
      dispatch({ type: 'events', events, now: now() });
      const ended = events.filter((e) => e.type === 'ended');
      if (ended.length === 0) return;
      const farewells = new Set(
        get()
          .toasts.filter((t) => t.phase === 'ended')
          .map((t) => t.invitation.id),
      );
      for (const event of ended) {
        if (!farewells.has(event.id)) continue;
        const timer = setTimer(() => {
          timers.delete(timer);
          dispatch({ type: 'farewellExpired', id: event.id });
        }, farewellMs);
        timers.add(timer);
      }
    };

    // Pushed events wait here for the next flush when they are batched.
    let queued: AppEvent[] = [];
    const flushQueued = () => {
      const events = queued;
      queued = [];
      if (events.length > 0) applyEvents(events);
    };
    const applyEvent = (event: AppEvent) => {
      if (!opts.batchEvents) return applyEvents([event]);
      queued.push(event);
      if (queued.length === 1) opts.batchEvents(flushQueued);
    };

    /** The bridge call of a decline whose toast already shows it as declining. */
    const sendDecline = async (id: string, reason?: string) => {
      try {
        const result = await bridge.decline(id, reason);
        if (result.status === 'failed' || result.status === 'expired') {
          // The engine pushes the same failure as an event; applying it twice is harmless.
          dispatch({ type: 'declineRejected', id, error: result.error });
        }
      } catch (err) {
        const { code, message } = messageOf(err);
        const error: DeclineError = { status: null, code, subcode: null, message };
        dispatch({ type: 'declineRejected', id, error });
      }
    };

    const localNotice = (message: string) =>
      dispatch({ type: 'notice', notice: { id: `local-${++localNoticeSeq}`, level: 'error', message } });

    return {
      ...INITIAL_STATE,
      dispatch,

      async start() {
        if (unsubscribe) return;
        let buffer: AppEvent[] | null = [];
        unsubscribe = bridge.onEvent((event) => {
          if (buffer) buffer.push(event);
          else applyEvent(event);
        });
        try {
          const snapshot = await bridge.snapshot();
          dispatch({ type: 'snapshot', snapshot });
        } catch (err) {
          dispatch({ type: 'loadFailed', message: messageOf(err).message });
        }
        const pending = buffer;
        buffer = null;
        if (pending.length > 0) applyEvents(pending);
      },

      stop() {
        unsubscribe?.();
        unsubscribe = null;
        queued = [];
        for (const t of timers) clearTimer(t);
        timers.clear();
      },

      async decline(id, reason) {
        const entry = findToast(get(), id);
        if (!entry || entry.phase !== 'ringing') return; // a double click, or already gone
        dispatch({ type: 'declineRequested', id, reason: reason ?? null });
        await sendDecline(id, reason);
      },

      async forward(id, target) {
        const entry = findToast(get(), id);
        if (!entry || entry.phase !== 'ringing') return;
        dispatch({ type: 'forwardRequested', id, target });
        try {
          const result = await bridge.forward(id, target);
          if (result.status === 'failed' || result.status === 'expired') {
            dispatch({ type: 'declineRejected', id, error: result.error });
          }
        } catch (err) {
          const { code, message } = messageOf(err);
          dispatch({ type: 'declineRejected', id, error: { status: null, code, subcode: null, message } });
        }
      },

      async retry(id) {
        const entry = findToast(get(), id);
        if (!entry) return;
        if (entry.forwardTo) await get().forward(id, entry.forwardTo);
        else if (entry.failedReply !== undefined)
          await get().reply(id, entry.failedReply); // decline + IM again
        else await get().decline(id, entry.reason ?? undefined);
      },

      async declineAll() {
        const ids = ringingToasts(get()).map((t) => t.invitation.id);
        if (ids.length === 0) return;
        // One state change for all of them (not one per toast), then one bridge call each.
        dispatch({ type: 'declinesRequested', ids });
        await Promise.all(ids.map((id) => sendDecline(id)));
      },

      ignore(id) {
        dispatch({ type: 'ignore', id });
      },

      async reply(id, text) {
        const entry = findToast(get(), id);
        if (!entry || entry.phase !== 'ringing') return;
        dispatch({ type: 'replyRequested', id, text });
        try {
          const result = await bridge.reply(id, text);
          if (result.status === 'failed' || result.status === 'expired') {
            dispatch({ type: 'declineRejected', id, error: result.error });
          }
        } catch (err) {
          const { code, message } = messageOf(err);
          dispatch({ type: 'declineRejected', id, error: { status: null, code, subcode: null, message } });
        }
      },

      async composeReply(id) {
        try {
          await bridge.composeReply(id);
        } catch (err) {
          localNotice(`Could not open the reply: ${messageOf(err).message}`);
        }
      },

      async setDnd(on, until) {
        try {
          await bridge.setDnd(on, until ?? null);
          // The engine confirms with a dnd event; apply it now so the switch does not lag.
          const event = on && until ? ({ type: 'dnd', on, until } as const) : ({ type: 'dnd', on } as const);
          dispatch({ type: 'event', event, now: now() });
        } catch (err) {
          localNotice(`Could not turn Do Not Disturb ${on ? 'on' : 'off'}: ${messageOf(err).message}`);
        }
      },

      async saveSettings(patch) {
        try {
          const settings = await bridge.saveSettings(patch);
          dispatch({ type: 'event', event: { type: 'settings', settings }, now: now() });
          return settings;
        } catch (err) {
          localNotice(`Could not save the settings: ${messageOf(err).message}`);
          throw err;
        }
      },

      async saveAccount(input) {
        const account = await bridge.saveAccount(input);
        dispatch({ type: 'accountSaved', account });
        return account;
      },

      async removeAccount(accountId) {
        try {
          await bridge.removeAccount(accountId);
          dispatch({ type: 'accountRemoved', accountId });
        } catch (err) {
          localNotice(`Could not remove the account "${accountId}": ${messageOf(err).message}`);
        }
      },

      async retryAccount(accountId) {
        try {
          await bridge.retryAccount(accountId); // the outcome comes as `account` events
        } catch (err) {
          localNotice(`Could not sign in to "${accountId}" again: ${messageOf(err).message}`);
        }
      },

      async simulate(kind) {
        try {
          await bridge.simulate(kind);
        } catch (err) {
          localNotice(`Could not simulate an invitation: ${messageOf(err).message}`);
        }
      },

      dismissNotice(id) {
        dispatch({ type: 'dismissNotice', id });
      },
    };
  });
}
