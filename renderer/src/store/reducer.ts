/**
 * The renderer's state and the pure functions that change it.
 *
 * Everything here is plain data in, plain data out: no React, no bridge, no clock (the time
 * comes in with the action). The zustand store (store.ts) feeds it the bridge's snapshot and
 * pushed events, plus the few things that are only local: invitations the user chose to
 * ignore, notices they dismissed, and the short farewell shown when a toast ends with a message.
 */
import {
  type AccountError,
  type AccountState,
  type AccountSummary,
  type AppEvent,
  type AppSnapshot,
  type DeclineError,
  type ForwardTarget,
  type HistoryEntry,
  type Invitation,
  type Notice,
  type Settings,
  type ShortcutStatus,
} from '../../../electron/contract.js';

export type ToastPhase = 'ringing' | 'declining' | 'forwarding' | 'ended';

export interface ToastEntry {
  invitation: Invitation;
  phase: ToastPhase;
  /** Why the last decline failed; the toast shows it with Retry. */
  error: DeclineError | null;
  /** The reason of the last decline attempt (null = the invitation's default): what Retry sends. */
  reason: string | null;
  /** The target of the forward under way or last tried (set: Retry forwards, the error says "Forward failed"). */
  forwardTo?: ForwardTarget;
  /** When it ended with a message for the user, that message (shown briefly instead of the toast). */
  endedMessage: string | null;
  /** Arrival order: higher is newer. */
  seq: number;
  /** "Reply with a message": the text being sent with this decline. */
  replyText?: string;
  /** A reply whose decline failed: its text, so Retry sends the reply again (decline + IM), not a plain decline. */
  failedReply?: string;
}

export interface AccountRow {
  accountId: string;
  /** Unknown when an account event arrives before the account's config. */
  provider: 'ucwa' | 'graph' | null;
  state: AccountState;
  error: AccountError | null;
  /** When the account last heard from its server (epoch ms); null before the first answer. */
  lastHeardAt: number | null;
}

export interface SoftphoneState {
  status: 'loading' | 'ready' | 'failed';
  loadError: string | null;
  /** Ringing, declining and farewell entries, in arrival order. */
  toasts: ToastEntry[];
  /** Invitations hidden with Ignore: nothing was sent, they ring out on the server. */
  ignored: string[];
  accounts: AccountRow[];
  accountConfigs: AccountSummary[];
  history: HistoryEntry[];
  dnd: boolean;
  /** Timed Do Not Disturb ends then (ms since the epoch); null: until turned off. */
  dndUntil: number | null;
  /** The invitation whose reply the main window is composing ("Custom…" from a toast). */
  composeFor: string | null;
  demo: boolean;
  settings: Settings;
  /** Global shortcuts as the shell registered them (a taken one is shown in settings). */
  shortcuts: ShortcutStatus[];
  notices: Notice[];
  dismissedNotices: string[];
  seq: number;
}

export const HISTORY_LIMIT = 100;

export const INITIAL_STATE: SoftphoneState = {
  status: 'loading',
  loadError: null,
  toasts: [],
  ignored: [],
  accounts: [],
  accountConfigs: [],
  history: [],
  dnd: false,
  dndUntil: null,
  composeFor: null,
  demo: false,
  settings: {
    ucwaDeclineReason: 'Global',
    graphDeclineReason: 'none',
    ringtone: true,
    startAtLogin: false,
    // Until the snapshot brings the real settings. No values come from the contract here: it
    // builds zod schemas when loaded, and the toast page must stay free of zod (bundle size, CSP).
    quickReplies: [],
    shortcuts: {
      declineNewest: 'CommandOrControl+Alt+D',
      ignoreNewest: 'CommandOrControl+Alt+I',
      declineAll: 'CommandOrControl+Alt+Shift+D',
      showMainWindow: 'CommandOrControl+Alt+S',
    },
  },
  shortcuts: [],
  notices: [],
  dismissedNotices: [],
  seq: 0,
};

export type Action =
  | { type: 'snapshot'; snapshot: AppSnapshot }
  | { type: 'loadFailed'; message: string }
  | { type: 'event'; event: AppEvent; now: number }
  /** Events pushed within one frame, applied in one pass (store.ts batches them). */
  | { type: 'events'; events: AppEvent[]; now: number }
  /** Decline all: every listed toast that rings moves to declining (one pass, not one per id). */
  | { type: 'declinesRequested'; ids: string[] }
  | { type: 'ignore'; id: string }
  | { type: 'declineRequested'; id: string; reason: string | null }
  | { type: 'forwardRequested'; id: string; target: ForwardTarget }
  /** A decline that carries a reply (the text goes into history as "replied: …"). */
  | { type: 'replyRequested'; id: string; text: string }
  /** The bridge call itself failed (no DeclineError event will come from the engine). */
  | { type: 'declineRejected'; id: string; error: DeclineError }
  | { type: 'farewellExpired'; id: string }
  | { type: 'notice'; notice: Notice }
  | { type: 'dismissNotice'; id: string }
  | { type: 'accountSaved'; account: AccountSummary }
  | { type: 'accountRemoved'; accountId: string };

export function reduce(state: SoftphoneState, action: Action): SoftphoneState {
  switch (action.type) {
    case 'snapshot':
      return applySnapshot(state, action.snapshot);
    case 'loadFailed':
      return { ...state, status: 'failed', loadError: action.message };
    case 'event':
      return applyEvents(state, [action.event], action.now);
    case 'events':
      return applyEvents(state, action.events, action.now);
    case 'declinesRequested': {
      const ids = new Set(action.ids);
      let changed = false;
      const toasts = state.toasts.map((t) => {
        if (t.phase !== 'ringing' || !ids.has(t.invitation.id)) return t;
        changed = true;
        return { ...withoutReply(withoutForward(t)), phase: 'declining' as const, error: null, reason: null };
      });
      return changed ? { ...state, toasts } : state;
    }
    case 'ignore':
      if (state.ignored.includes(action.id) || !findToast(state, action.id)) return state;
      return { ...state, ignored: [...state.ignored, action.id] };
    case 'declineRequested':
      return updateToast(state, action.id, (t) =>
        t.phase === 'ringing'
          ? { ...withoutReply(withoutForward(t)), phase: 'declining', error: null, reason: action.reason }
          : t,
      );
    case 'forwardRequested':
      return updateToast(state, action.id, (t) =>
        t.phase === 'ringing' ? { ...withoutReply(t), phase: 'forwarding', error: null, forwardTo: action.target } : t,
      );
    case 'replyRequested':
      return updateToast(state, action.id, (t) =>
        t.phase === 'ringing'
          ? {
              ...withoutReply(withoutForward(t)),
              phase: 'declining',
              error: null,
              reason: null,
              replyText: action.text,
            }
          : t,
      );
    case 'declineRejected':
      return updateToast(state, action.id, (t) => (t.phase === 'ended' ? t : declineFailed(t, action.error)));
    case 'farewellExpired':
      return removeToast(state, action.id, (t) => t.phase === 'ended');
    case 'notice':
      return addNotice(state, action.notice);
    case 'dismissNotice':
      if (state.dismissedNotices.includes(action.id)) return state;
      return { ...state, dismissedNotices: [...state.dismissedNotices, action.id] };
    case 'accountSaved':
      return { ...state, accountConfigs: upsertBy(state.accountConfigs, action.account, (a) => a.id) };
    case 'accountRemoved':
      return {
        ...state,
        accountConfigs: state.accountConfigs.filter((a) => a.id !== action.accountId),
        accounts: state.accounts.filter((a) => a.accountId !== action.accountId),
      };
  }
}

/* ---------------------------------------------------------------------------------------- */

function applySnapshot(state: SoftphoneState, snap: AppSnapshot): SoftphoneState {
  let seq = state.seq;
  const ringingIds = new Set(snap.ringing.map((r) => r.invitation.id));
  const toasts: ToastEntry[] = snap.ringing.map((r) => {
    const known = findToast(state, r.invitation.id);
    return {
      invitation: r.invitation,
      phase: r.phase,
      error: r.error,
      reason: known?.reason ?? null,
      ...(known?.forwardTo ? { forwardTo: known.forwardTo } : {}),
      ...(known?.replyText !== undefined ? { replyText: known.replyText } : {}),
      ...(known?.failedReply !== undefined ? { failedReply: known.failedReply } : {}),
      endedMessage: null,
      seq: known?.seq ?? ++seq,
    };
  });
  // Farewells still on screen stay until their timer removes them.
  for (const t of state.toasts) if (t.phase === 'ended' && !ringingIds.has(t.invitation.id)) toasts.push(t);
  toasts.sort((a, b) => a.seq - b.seq);
  const live = new Set(toasts.map((t) => t.invitation.id));
  const configs = new Map(snap.accountConfigs.map((a) => [a.id, a.provider] as const));
  let next: SoftphoneState = {
    ...state,
    status: 'ready',
    loadError: null,
    toasts,
    ignored: state.ignored.filter((id) => live.has(id)),
    accounts: snap.accounts.map((a) => ({
      accountId: a.accountId,
      provider: a.provider ?? configs.get(a.accountId) ?? null,
      state: a.state,
      error: a.error,
      lastHeardAt: a.lastHeardAt,
    })),
    accountConfigs: snap.accountConfigs,
    history: snap.history.slice(0, HISTORY_LIMIT),
    dnd: snap.dnd,
    dndUntil: snap.dnd ? (snap.dndUntil ?? null) : null,
    demo: snap.demo,
    settings: snap.settings,
    shortcuts: snap.shortcuts ?? [],
    notices: [],
    seq,
  };
  for (const n of [...state.notices, ...snap.notices]) next = addNotice(next, n);
  return next;
}

/**
 * Applies pushed events in order. The toast events (invitation, declining, declineFailed,
 * forwardingCall, forwardFailed, ended) of a run work on one mutable draft — toasts by id, ignored ids, new history records — so a
 * burst of k events over n toasts costs O(n + k), not O(n·k); other events apply one by one.
 */
function applyEvents(state: SoftphoneState, events: readonly AppEvent[], now: number): SoftphoneState {
  let s = state;
  let draft: ToastDraft | null = null;
  for (const event of events) {
    switch (event.type) {
      case 'invitation':
      case 'declining':
      case 'declineFailed':
      case 'forwardingCall':
      case 'forwardFailed':
      case 'ended':
        draft ??= openDraft(s);
        applyToastEvent(draft, event, now);
        break;
      default:
        if (draft) s = closeDraft(draft);
        draft = null;
        s = applyOtherEvent(s, event);
    }
  }
  return draft ? closeDraft(draft) : s;
}

interface ToastDraft {
  base: SoftphoneState;
  /** In arrival order (a Map keeps insertion order; updates keep their place). */
  toasts: Map<string, ToastEntry>;
  ignored: Set<string>;
  historyIds: Set<string>;
  /** New history records, oldest first. */
  added: HistoryEntry[];
  seq: number;
  changed: boolean;
}

function openDraft(base: SoftphoneState): ToastDraft {
  return {
    base,
    toasts: new Map(base.toasts.map((t) => [t.invitation.id, t])),
    ignored: new Set(base.ignored),
    historyIds: new Set(base.history.map((h) => h.invitation.id)),
    added: [],
    seq: base.seq,
    changed: false,
  };
}

function closeDraft(d: ToastDraft): SoftphoneState {
  if (!d.changed) return d.base;
  const history =
    d.added.length === 0 ? d.base.history : [...d.added.reverse(), ...d.base.history].slice(0, HISTORY_LIMIT);
  // The reply being composed in the main window goes with its invitation.
  const composing = d.base.composeFor === null ? undefined : d.toasts.get(d.base.composeFor);
  const composeFor = composing && composing.phase !== 'ended' ? d.base.composeFor : null;
  return {
    ...d.base,
    seq: d.seq,
    composeFor,
    toasts: [...d.toasts.values()],
    ignored: d.ignored.size === d.base.ignored.length ? d.base.ignored : [...d.ignored],
    history,
  };
}

type ToastEvent = Extract<
  AppEvent,
  { type: 'invitation' | 'declining' | 'declineFailed' | 'forwardingCall' | 'forwardFailed' | 'ended' }
>;

function applyToastEvent(d: ToastDraft, event: ToastEvent, now: number): void {
  const update = (id: string, fn: (t: ToastEntry) => ToastEntry) => {
    const t = d.toasts.get(id);
    if (!t) return;
    const u = fn(t);
    if (u === t) return;
    d.toasts.set(id, u);
    d.changed = true;
  };
  switch (event.type) {
    case 'invitation': {
      const id = event.invitation.id;
      if (d.toasts.has(id) || d.historyIds.has(id)) return; // a replay: already shown, or over
      d.seq += 1;
      d.toasts.set(id, {
        invitation: event.invitation,
        phase: 'ringing',
        error: null,
        reason: null,
        endedMessage: null,
        seq: d.seq,
      });
      d.changed = true;
      return;
    }
    case 'declining':
      // A reply's decline says so (also to the window that did not send it); any other
      // decline is a plain one, whatever was replied before.
      return update(event.id, (t) =>
        t.phase === 'ended'
          ? t
          : {
              ...withoutReply(withoutForward(t)),
              phase: 'declining',
              error: null,
              reason: event.reason,
              ...(event.reply !== undefined ? { replyText: event.reply } : {}),
            },
      );
    case 'forwardingCall':
      return update(event.id, (t) =>
        t.phase === 'ended' ? t : { ...t, phase: 'forwarding', error: null, forwardTo: event.target },
      );
    case 'forwardFailed':
      return update(event.id, (t) => (t.phase === 'ended' ? t : { ...t, phase: 'ringing', error: event.error }));
    case 'declineFailed':
      return update(event.id, (t) => (t.phase === 'ended' ? t : declineFailed(t, event.error)));
    case 'ended': {
      const entry = d.toasts.get(event.id);
      const wasIgnored = d.ignored.delete(event.id);
      if (wasIgnored) d.changed = true;
      if (entry && entry.phase !== 'ended') {
        if (event.message && !wasIgnored) {
          d.toasts.set(event.id, { ...entry, phase: 'ended', endedMessage: event.message ?? null });
        } else {
          d.toasts.delete(event.id);
        }
        d.changed = true;
      }
      if (!d.historyIds.has(event.id)) {
        const declineReason =
          entry?.phase === 'declining'
            ? (entry.reason ?? event.invitation.defaultDeclineReason)
            : event.outcome === 'declined'
              ? event.invitation.defaultDeclineReason
              : null;
        const record: HistoryEntry = {
          invitation: event.invitation,
          outcome: event.outcome,
          endedAt: now,
          declineReason,
        };
        if (entry?.replyText !== undefined && event.outcome === 'declined') record.reply = entry.replyText;
        if (event.outcome === 'forwarded' && entry?.forwardTo) record.forwardedTo = entry.forwardTo;
        d.added.push(record);
        d.historyIds.add(event.id);
        d.changed = true;
      }
      return;
    }
  }
}

function applyOtherEvent(state: SoftphoneState, event: Exclude<AppEvent, ToastEvent>): SoftphoneState {
  switch (event.type) {
    case 'account': {
      const existing = state.accounts.find((a) => a.accountId === event.accountId);
      const provider =
        existing?.provider ?? state.accountConfigs.find((c) => c.id === event.accountId)?.provider ?? null;
      const row: AccountRow = {
        accountId: event.accountId,
        provider,
        state: event.state,
        error: event.error ?? null,
        lastHeardAt: event.lastHeardAt,
      };
      return { ...state, accounts: upsertBy(state.accounts, row, (a) => a.accountId) };
    }
    case 'dnd': {
      const dndUntil = event.on ? (event.until ?? null) : null;
      return state.dnd === event.on && state.dndUntil === dndUntil ? state : { ...state, dnd: event.on, dndUntil };
    }
    case 'composeReply':
      return findToast(state, event.id) ? { ...state, composeFor: event.id } : state;
    case 'replyFailed':
      return {
        ...state,
        history: state.history.map((h) =>
          h.invitation.id === event.id && h.reply !== undefined ? { ...h, replyError: event.error.message } : h,
        ),
      };
    case 'replySent':
    case 'forwarding':
    case 'forwardingFailed':
    case 'presenceFailed':
      return state; // shown by the tray, or as notices from main
    case 'settings':
      return { ...state, settings: event.settings };
    case 'accounts': {
      const ids = new Set(event.accountConfigs.map((a) => a.id));
      return {
        ...state,
        accountConfigs: event.accountConfigs,
        demo: event.demo,
        // Removed accounts leave the status list once stopped; demo accounts have no config.
        accounts: state.accounts.filter((a) => ids.has(a.accountId) || a.state !== 'stopped'),
      };
    }
    case 'notice':
      return addNotice(state, event.notice);
    case 'shortcuts':
      return { ...state, shortcuts: event.shortcuts };
    case 'ignoreNewest': {
      const newest = ringingToasts(state)[0];
      return newest ? { ...state, ignored: [...state.ignored, newest.invitation.id] } : state;
    }
  }
}

/* ---------------------------------------------------------------------------------------- */

export function findToast(state: SoftphoneState, id: string): ToastEntry | undefined {
  return state.toasts.find((t) => t.invitation.id === id);
}

function updateToast(state: SoftphoneState, id: string, fn: (t: ToastEntry) => ToastEntry): SoftphoneState {
  let changed = false;
  const toasts = state.toasts.map((t) => {
    if (t.invitation.id !== id) return t;
    const u = fn(t);
    if (u !== t) changed = true;
    return u;
  });
  return changed ? { ...state, toasts } : state;
}

function removeToast(state: SoftphoneState, id: string, when: (t: ToastEntry) => boolean = () => true): SoftphoneState {
  const toasts = state.toasts.filter((t) => t.invitation.id !== id || !when(t));
  return toasts.length === state.toasts.length ? state : { ...state, toasts };
}

function withoutReply(t: ToastEntry): ToastEntry {
  if (t.replyText === undefined && t.failedReply === undefined) return t;
  const { replyText: _r, failedReply: _f, ...rest } = t;
  return rest;
}

/**
 * A decline (or a reply's decline) failed: the toast rings again with the error. A reply
 * sent nothing, so it is no longer "being sent" (history must not say "replied" should a
 * plain decline follow) but its text is kept for Retry.
 */
function declineFailed(t: ToastEntry, error: DeclineError): ToastEntry {
  const text = t.replyText ?? t.failedReply;
  const rest = withoutReply(t);
  return text !== undefined
    ? { ...rest, phase: 'ringing', error, failedReply: text }
    : { ...rest, phase: 'ringing', error };
}

function withoutForward(t: ToastEntry): ToastEntry {
  if (!t.forwardTo) return t;
  const { forwardTo: _f, ...rest } = t;
  return rest;
}

function addNotice(state: SoftphoneState, notice: Notice): SoftphoneState {
  if (state.notices.some((n) => n.id === notice.id)) return state;
  return { ...state, notices: [...state.notices, notice] };
}

function upsertBy<T>(list: T[], item: T, key: (t: T) => string): T[] {
  const k = key(item);
  const i = list.findIndex((x) => key(x) === k);
  if (i < 0) return [...list, item];
  const copy = list.slice();
  copy[i] = item;
  return copy;
}

/* ---------------------------------------------------------------------------------------- *
 * Selectors
 * ---------------------------------------------------------------------------------------- */

const visibleCache = new WeakMap<ToastEntry[], { ignored: string[]; visible: ToastEntry[] }>();

/**
 * What the toast window shows: everything not ignored, newest first. `toasts` is kept in
 * arrival order, so this is a reversed filter (no sort), remembered per (toasts, ignored) pair.
 */
export function visibleToasts(state: Pick<SoftphoneState, 'toasts' | 'ignored'>): ToastEntry[] {
  const cached = visibleCache.get(state.toasts);
  if (cached && cached.ignored === state.ignored) return cached.visible;
  const ignored = state.ignored.length > 0 ? new Set(state.ignored) : null;
  const visible: ToastEntry[] = [];
  for (let i = state.toasts.length - 1; i >= 0; i--) {
    const t = state.toasts[i]!;
    if (!ignored?.has(t.invitation.id)) visible.push(t);
  }
  visibleCache.set(state.toasts, { ignored: state.ignored, visible });
  return visible;
}

/** Visible toasts that still ring (not declining, not a farewell). */
export function ringingToasts(state: Pick<SoftphoneState, 'toasts' | 'ignored'>): ToastEntry[] {
  return visibleToasts(state).filter((t) => t.phase === 'ringing');
}

/** The ringtone plays while something visible rings, unless DND is on or the ringtone is off. */
export function shouldRing(state: SoftphoneState): boolean {
  return (
    state.status === 'ready' &&
    !state.dnd &&
    state.settings.ringtone &&
    visibleToasts(state).some((t) => t.phase === 'ringing')
  );
}

export function visibleNotices(state: Pick<SoftphoneState, 'notices' | 'dismissedNotices'>): Notice[] {
  return state.notices.filter((n) => !state.dismissedNotices.includes(n.id));
}

/** The name the UI uses for an account: its display name, address, or id. */
export function accountLabel(state: Pick<SoftphoneState, 'accountConfigs'>, accountId: string): string {
  const c = state.accountConfigs.find((a) => a.id === accountId);
  if (!c) return accountId;
  if (c.displayName) return c.displayName;
  return c.provider === 'ucwa' ? c.sipAddress.replace(/^sip:/i, '') : `Teams app ${c.clientId}`;
}
