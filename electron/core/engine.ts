/**
 * The engine: one invitation book across all accounts, the lifecycle of every invitation,
 * and the policies above the protocols (Do Not Disturb, decline all, history).
 *
 * It knows providers only through the `Provider` interface and the outside world only
 * through what its constructor receives, so it runs the same in Electron, headless and tests.
 */
import type { Clock, Logger, TimerHandle } from './deps.js';
import type { HistoryEntry, HistoryStore } from './history.js';
import {
  RINGING,
  transition,
  type DeclineError,
  type ForwardTarget,
  type Invitation,
  type InvitationState,
  type LifecycleEvent,
  type Outcome,
  type ProviderKind,
} from './invitation.js';
import { FORWARD_URI, MAX_REPLY_LENGTH } from './config.js';
import { DndTimer } from './dndTimer.js';
import type {
  AccountError,
  AccountState,
  CapabilityResult,
  DeclineResult,
  ForwardingChoice,
  ForwardingState,
  Provider,
  ProviderSink,
  WakeReason,
} from './provider.js';
import { invitationSchema } from './schemas.js';

export interface AccountStatus {
  accountId: string;
  provider: ProviderKind;
  state: AccountState;
  error: AccountError | null;
  /** When the account last heard from its server (epoch ms), or null before the first answer. */
  lastHeardAt: number | null;
}

/** `account` events for a mere lastHeardAt update (while connected) come at most this often per account. */
export const HEARD_EVENT_EVERY_MS = 30_000;

export interface RingingView {
  invitation: Invitation;
  phase: 'ringing' | 'declining' | 'forwarding';
  error: DeclineError | null;
}

export type EngineEvent =
  | { type: 'account'; accountId: string; state: AccountState; error?: AccountError; lastHeardAt: number | null }
  | { type: 'invitation'; invitation: Invitation }
  /** `reply`: this decline is a reply's (its text goes to the caller next), so every window's Retry can re-send it. */
  | { type: 'declining'; id: string; reason: string; reply?: string }
  | { type: 'declineFailed'; id: string; error: DeclineError }
  /** A Graph call being forwarded (redirected); not `forwarding`, which is UCWA's setting. */
  | { type: 'forwardingCall'; id: string; target: ForwardTarget }
  | { type: 'forwardFailed'; id: string; error: DeclineError }
  | { type: 'ended'; id: string; outcome: Outcome; invitation: Invitation; message?: string }
  /** `until` (ms since the epoch): timed Do Not Disturb ends by itself then. */
  | { type: 'dnd'; on: boolean; until?: number }
  | { type: 'replySent'; id: string }
  | { type: 'replyFailed'; id: string; error: AccountError }
  | ({ type: 'forwarding'; accountId: string } & ForwardingState)
  | { type: 'forwardingFailed'; accountId: string; error: AccountError }
  | { type: 'presenceFailed'; accountId: string; on: boolean; error: AccountError };

export type ForwardingView = { accountId: string } & ForwardingState;

export interface EngineSnapshot {
  accounts: AccountStatus[];
  ringing: RingingView[];
  history: HistoryEntry[];
  dnd: boolean;
  /** When timed Do Not Disturb ends (ms since the epoch); null: until turned off. */
  dndUntil?: number | null;
  /** Call forwarding of the accounts that report it, as their servers last confirmed. */
  forwarding?: ForwardingView[];
}

export type ReplyCommandResult =
  /** Declined, and the reply went out (`sent`) or could not (`failed`, the decline stands). */
  | { status: 'sent' }
  | { status: 'replyFailed'; error: AccountError }
  /** The decline failed or was not sent: no message went out. */
  | Exclude<DeclineCommandResult, { status: 'sent' }>;

export type DeclineCommandResult =
  /** The request went out and the server accepted it. */
  | { status: 'sent' }
  /** The request went out and failed; the invitation rings on with the error (retry allowed). */
  | { status: 'failed'; error: DeclineError }
  /** Nothing was sent: a decline for this invitation is already under way or done. */
  | { status: 'ignored' }
  /** Nothing was sent: the invitation's decision deadline has passed; it ended. */
  | { status: 'expired'; error: DeclineError };

export class EngineError extends Error {
  constructor(
    readonly code:
      | 'UnknownInvitation'
      | 'InvalidReason'
      | 'UnknownAccount'
      | 'DuplicateAccount'
      | 'InvalidAccount'
      | 'NotDemo'
      | 'NotSupported'
      | 'InvalidReply'
      | 'InvalidUntil'
      | 'InvalidTarget',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** How long quitting waits for presence to be reset (DND was mirrored into it). */
export const PRESENCE_RESET_ON_STOP_MS = 3_000;

export interface EngineOptions {
  clock: Clock;
  logger: Logger;
  history?: HistoryStore;
  /** How many ended invitations history keeps. */
  historyLimit?: number;
  /** After a decline was accepted, how long to wait for the server's end before ending it locally. */
  declineConfirmMs?: number;
  /** How long past an invitation's deadline it may still wait for the server's end. */
  expiryGraceMs?: number;
}

interface BookEntry {
  invitation: Invitation;
  state: InvitationState;
  /** Rang while Do Not Disturb was on: never shown, declined at once. */
  silent: boolean;
  timers: TimerHandle[];
  /** "Reply with a message" text, set while a reply is under way. */
  reply?: string;
  /** Run once when the invitation ends. */
  onEnd?: (() => void)[];
}

/** A request about one ringing invitation (decline, forward), as `Engine.act` runs it. */
interface CallAction {
  /** In the user's words: "Decline", "Forward". */
  verb: string;
  start: LifecycleEvent;
  /** Tells the UI the request is under way. */
  announce(): void;
  send(provider: Provider): Promise<DeclineResult>;
  sent: LifecycleEvent;
  failed(error: DeclineError): LifecycleEvent;
  failedEvent(error: DeclineError): EngineEvent;
  /** How it ends when the server accepted it but never said so. */
  outcome: Outcome;
}

interface AccountEntry {
  provider: Provider;
  status: AccountStatus;
  /** lastHeardAt as of the last `account` event (heard-only events are throttled). */
  announcedHeardAt: number | null;
  /** The presence DND this engine last got the server to accept (null: never set). */
  presenceDnd: boolean | null;
  /** Presence requests of this account run one after another. */
  presenceChain: Promise<void>;
}

export class Engine {
  private readonly accounts = new Map<string, AccountEntry>();
  private readonly book = new Map<string, BookEntry>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private history: HistoryEntry[] = [];
  private dnd = false;
  private readonly dndTimer: DndTimer;
  private readonly forwarding = new Map<string, ForwardingState>();
  /** The latest history write; stop() waits for it so quitting loses nothing. */
  private historySaved: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly historyLimit: number;
  private readonly declineConfirmMs: number;
  private readonly expiryGraceMs: number;

  constructor(private readonly opts: EngineOptions) {
    this.clock = opts.clock;
    this.log = opts.logger.child('engine');
    this.historyLimit = opts.historyLimit ?? 100;
    this.declineConfirmMs = opts.declineConfirmMs ?? 10_000;
    this.expiryGraceMs = opts.expiryGraceMs ?? 3_000;
    this.dndTimer = new DndTimer(this.clock, () => {
      this.log.info('timed Do Not Disturb ended');
      this.setDnd(false);
    });
  }

  /** Loads persisted history. Call once before adding accounts. */
  async init(): Promise<void> {
    if (this.opts.history) this.history = (await this.opts.history.load()).slice(0, this.historyLimit);
  }

  on(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds an account and starts its provider. */
  async addAccount(provider: Provider): Promise<void> {
    if (this.accounts.has(provider.accountId)) {
      throw new EngineError('DuplicateAccount', `an account with id "${provider.accountId}" already exists`);
    }
    const entry: AccountEntry = {
      provider,
      status: {
        accountId: provider.accountId,
        provider: provider.kind,
        state: 'connecting',
        error: null,
        lastHeardAt: null,
      },
      announcedHeardAt: null,
      presenceDnd: null,
      presenceChain: Promise.resolve(),
    };
    this.accounts.set(provider.accountId, entry);
    this.emit({ type: 'account', accountId: provider.accountId, state: 'connecting', lastHeardAt: null });
    await provider.start(this.sinkFor(entry));
  }

  /** Stops an account's provider and ends what it had ringing. */
  async removeAccount(accountId: string): Promise<void> {
    const entry = this.accounts.get(accountId);
    if (!entry) throw new EngineError('UnknownAccount', `no account with id "${accountId}"`);
    await this.stopAccount(entry);
    this.accounts.delete(accountId);
    this.forwarding.delete(accountId);
  }

  /** Signs every account out (UCWA: DELETE application), ending whatever still rings. */
  async stop(): Promise<void> {
    this.dndTimer.clear();
    await this.resetPresenceOnStop();
    await Promise.all([...this.accounts.values()].map((a) => this.stopAccount(a)));
    await this.historySaved;
  }

  /**
   * The machine resumed from sleep, unlocked, or came back online (Electron: powerMonitor and
   * net.isOnline; plain Node: the clock-jump watchdog). Every provider abandons held requests
   * and reconnects at once.
   */
  wake(reason: WakeReason): void {
    this.log.info('wake', { reason });
    this.dndTimer.check(); // timed DND that ran out while the machine slept ends now
    for (const { provider } of this.accounts.values()) {
      try {
        provider.wake(reason);
      } catch (err) {
        this.log.warn('provider wake threw', { accountId: provider.accountId, err });
      }
    }
  }

  /**
   * The user asked to sign one account in again ("Try signing in again"): its provider wakes
   * with reason `'user'`, which is the only wake that sends a refused password once more.
   */
  retryAccount(accountId: string): void {
    const entry = this.accounts.get(accountId);
    if (!entry) throw new EngineError('UnknownAccount', `no account with id "${accountId}"`);
    this.log.info('the user asked to retry an account', { accountId });
    entry.provider.wake('user');
  }

  snapshot(): EngineSnapshot {
    return {
      accounts: [...this.accounts.values()].map((a) => ({ ...a.status })),
      ringing: [...this.book.values()]
        .filter((e) => !e.silent)
        .map((e) => this.view(e))
        .filter((v): v is RingingView => v !== null),
      history: [...this.history],
      dnd: this.dnd,
      dndUntil: this.dndTimer.until,
      forwarding: [...this.forwarding.entries()].map(([accountId, f]) => ({ accountId, ...f })),
    };
  }

  isDnd(): boolean {
    return this.dnd;
  }

  /**
   * Turns Do Not Disturb on or off. `until` (ms since the epoch, on only) makes it end by
   * itself, judged by the wall clock (so also right after sleep). Accounts that mirror DND
   * into presence are told; their failures are `presenceFailed` events, never a reason to
   * leave DND half on.
   */
  setDnd(on: boolean, until?: number | null): void {
    const end = on && until !== undefined && until !== null ? until : null;
    if (end !== null && (!Number.isFinite(end) || end <= this.clock.now())) {
      throw new EngineError('InvalidUntil', 'until must be a time in the future');
    }
    if (this.dnd === on && this.dndTimer.until === end) return;
    const changed = this.dnd !== on;
    this.dnd = on;
    this.dndTimer.set(end);
    this.emit(end !== null ? { type: 'dnd', on, until: end } : { type: 'dnd', on });
    if (changed) for (const account of this.accounts.values()) this.syncPresence(account);
  }

  dndUntil(): number | null {
    return this.dndTimer.until;
  }

  /**
   * Declines a ringing invitation (its default reason) and then sends `text` to the caller as
   * an instant message. A failed decline sends nothing; a failed message after a good decline
   * is reported (`replyFailed`) and not retried.
   */
  async reply(id: string, text: string): Promise<ReplyCommandResult> {
    const entry = this.book.get(id);
    if (!entry) throw new EngineError('UnknownInvitation', `no ringing invitation with id "${id}"`);
    const inv = entry.invitation;
    const provider = this.accounts.get(inv.accountId)?.provider;
    if (!provider?.reply) {
      throw new EngineError('NotSupported', `a ${inv.provider} invitation cannot be answered with a message`);
    }
    const message = text.trim();
    if (!message) throw new EngineError('InvalidReply', 'the reply text must not be empty');
    if (message.length > MAX_REPLY_LENGTH) {
      throw new EngineError('InvalidReply', `the reply text must be at most ${MAX_REPLY_LENGTH} characters`);
    }
    if (entry.state.phase !== 'ringing') return { status: 'ignored' };
    entry.reply = message;
    const ended = this.whenEnded(entry);
    const declined = await this.decline(id);
    if (declined.status !== 'sent') {
      delete entry.reply;
      return declined;
    }
    const result = await provider.reply(inv, message);
    await ended; // "ended" goes out before the reply's own event
    if (result.ok) {
      this.emit({ type: 'replySent', id });
      return { status: 'sent' };
    }
    const error: AccountError = {
      ...result.error,
      message: `Declined, but the reply could not be sent: ${result.error.message}`,
    };
    this.log.warn('reply failed', { id, code: error.code, status: error.status });
    this.history = this.history.map((h) =>
      h.invitation.id === id && h.reply !== undefined ? { ...h, replyError: error.message } : h,
    );
    this.saveHistory();
    this.emit({ type: 'replyFailed', id, error });
    return { status: 'replyFailed', error };
  }

  /** Changes an account's call forwarding (`off`, `voicemail` or a sip:/tel: URI). */
  async setForwarding(accountId: string, to: ForwardingChoice): Promise<CapabilityResult> {
    const account = this.accounts.get(accountId);
    if (!account) throw new EngineError('UnknownAccount', `no account with id "${accountId}"`);
    if (!account.provider.setForwarding) {
      throw new EngineError('NotSupported', `account "${accountId}" has no call forwarding`);
    }
    if (to !== 'off' && to !== 'voicemail' && !FORWARD_URI.test(to)) {
      throw new EngineError('InvalidTarget', `forward to "off", "voicemail" or a sip:/tel: URI, not "${to}"`);
    }
    const result = await account.provider.setForwarding(to);
    if (!result.ok) this.emit({ type: 'forwardingFailed', accountId, error: result.error });
    return result;
  }

  /** Asks every account that reports call forwarding to read it again (the tray menu opened). */
  refreshForwarding(): void {
    for (const { provider, status } of this.accounts.values()) {
      if (status.state !== 'connected' || !provider.refreshForwarding) continue;
      void provider.refreshForwarding().then((r) => {
        if (!r.ok)
          this.log.warn('could not read call forwarding', { accountId: provider.accountId, code: r.error.code });
      });
    }
  }

  /**
   * Declines one ringing invitation with `reason` (default: the invitation's own default).
   * At most one request per invitation is in flight or accepted; repeats are no-ops.
   */
  async decline(id: string, reason?: string): Promise<DeclineCommandResult> {
    const entry = this.book.get(id);
    if (!entry) throw new EngineError('UnknownInvitation', `no ringing invitation with id "${id}"`);
    const inv = entry.invitation;
    const chosen = reason ?? inv.defaultDeclineReason;
    if (!inv.declineReasons.includes(chosen)) {
      throw new EngineError(
        'InvalidReason',
        `"${chosen}" is not a decline reason for this ${inv.provider} invitation; use one of: ${inv.declineReasons.join(', ')}`,
      );
    }
    return this.act(entry, {
      verb: 'Decline',
      start: { type: 'decline', reason: chosen },
      announce: () => {
        if (entry.silent) return;
        this.emit(
          entry.reply !== undefined
            ? { type: 'declining', id, reason: chosen, reply: entry.reply }
            : { type: 'declining', id, reason: chosen },
        );
      },
      send: (provider) => provider.decline(inv, chosen),
      sent: { type: 'declineSent' },
      failed: (error) => ({ type: 'declineFailed', error }),
      failedEvent: (error) => ({ type: 'declineFailed', id, error }),
      outcome: 'declined',
    });
  }

  /**
   * Forwards one ringing invitation to `target` (Graph: redirect). The same at-most-once rules
   * as decline: a forward or decline already under way makes this a no-op ('ignored'); after
   * the deadline nothing is sent. Providers without the capability (UCWA): NotSupported.
   */
  async forward(id: string, target: ForwardTarget): Promise<DeclineCommandResult> {
    const entry = this.book.get(id);
    if (!entry) throw new EngineError('UnknownInvitation', `no ringing invitation with id "${id}"`);
    const inv = entry.invitation;
    const provider = this.accounts.get(inv.accountId)?.provider;
    if (provider && !provider.forward) {
      throw new EngineError('NotSupported', `${inv.provider} invitations cannot be forwarded; only Graph calls can`);
    }
    return this.act(entry, {
      verb: 'Forward',
      start: { type: 'forward', target },
      announce: () => this.emit({ type: 'forwardingCall', id, target }),
      send: (p) => p.forward!(inv, target),
      sent: { type: 'forwardSent' },
      failed: (error) => ({ type: 'forwardFailed', error }),
      failedEvent: (error) => ({ type: 'forwardFailed', id, error }),
      outcome: 'forwarded',
    });
  }

  /**
   * The one way a request about a ringing invitation goes out (decline, forward): at most one
   * per invitation (a second while one is under way or done is 'ignored'); nothing after its
   * deadline; a server that accepted but never confirms is ended locally after
   * `declineConfirmMs`; a failure that means the invitation is gone ends it, any other leaves
   * it ringing with the error (Retry allowed).
   */
  private async act(entry: BookEntry, a: CallAction): Promise<DeclineCommandResult> {
    const inv = entry.invitation;
    const id = inv.id;
    if (entry.state.phase !== 'ringing') return { status: 'ignored' };
    if (inv.expiresAt !== null && this.clock.now() >= inv.expiresAt) {
      const error: DeclineError = {
        status: null,
        code: 'DeadlinePassed',
        subcode: null,
        message: `The call has already ended: its answer window closed before ${a.verb}, so nothing was sent.`,
      };
      this.emit(a.failedEvent(error));
      this.end(entry, 'timedOut', error.message);
      return { status: 'expired', error };
    }
    if (!this.apply(entry, a.start)) return { status: 'ignored' };
    a.announce();

    const provider = this.accounts.get(inv.accountId)?.provider;
    const result: DeclineResult = provider
      ? await a.send(provider)
      : {
          ok: false,
          error: { status: null, code: 'AccountRemoved', subcode: null, message: 'The account was removed.' },
          endAs: 'gone',
        };

    if (this.book.get(id) !== entry) {
      // It ended while the request was in flight (e.g. the completed event raced the 204).
      return result.ok ? { status: 'sent' } : { status: 'failed', error: result.error };
    }
    const verb = a.verb.toLowerCase();
    if (result.ok) {
      this.apply(entry, a.sent);
      entry.timers.push(
        this.clock.setTimeout(() => {
          if (this.book.get(id) === entry) {
            this.log.warn(`server did not confirm the ${verb}; ending it locally`, { id });
            this.end(entry, a.outcome);
          }
        }, this.declineConfirmMs),
      );
      return { status: 'sent' };
    }
    this.log.warn(`${verb} failed`, { id, error: result.error });
    if (result.endAs) {
      this.emit(a.failedEvent(result.error));
      this.end(entry, result.endAs, result.error.message);
    } else {
      this.apply(entry, a.failed(result.error));
      this.emit(a.failedEvent(result.error));
    }
    return { status: 'failed', error: result.error };
  }

  /** Declines everything that is ringing; `reason` applies where the invitation offers it. */
  async declineAll(reason?: string): Promise<DeclineCommandResult[]> {
    const ringing = [...this.book.values()].filter((e) => e.state.phase === 'ringing');
    return Promise.all(
      ringing.map((e) =>
        this.decline(e.invitation.id, reason && e.invitation.declineReasons.includes(reason) ? reason : undefined),
      ),
    );
  }

  // ------------------------------------------------------------------------------------

  private sinkFor(account: AccountEntry): ProviderSink {
    const accountId = account.provider.accountId;
    return {
      ringing: (invitation) => this.onRinging(accountId, invitation),
      ended: (id, outcome) => {
        const entry = this.book.get(id);
        if (entry && entry.invitation.accountId === accountId) this.end(entry, outcome);
      },
      state: (state, error) => {
        if (this.accounts.get(accountId) !== account) return;
        // The engine announced 'connecting' when it added the account: no repeat.
        if (state === account.status.state && !error && !account.status.error) return;
        account.status = { ...account.status, state, error: error ?? null };
        this.emitAccount(account);
        if (state === 'connected') this.syncPresence(account);
      },
      heard: (at) => {
        if (this.accounts.get(accountId) !== account || !Number.isFinite(at)) return;
        account.status = { ...account.status, lastHeardAt: at };
        // Heard-only events while connected; otherwise the state event that ends the
        // connecting or the outage carries it.
        if (account.status.state !== 'connected') return;
        const last = account.announcedHeardAt;
        if (last === null || at - last >= HEARD_EVENT_EVERY_MS) this.emitAccount(account);
      },
      forwarding: (f) => {
        if (this.accounts.get(accountId) !== account) return;
        const view: ForwardingState =
          f.target !== undefined ? { state: f.state, target: f.target } : { state: f.state };
        this.forwarding.set(accountId, view);
        this.emit({ type: 'forwarding', accountId, ...view });
      },
    };
  }

  /** Brings an account's presence in line with DND (when connected and not already so). */
  private syncPresence(account: AccountEntry): void {
    const provider = account.provider;
    if (!provider.setPresenceDnd) return;
    account.presenceChain = account.presenceChain.then(async () => {
      const want = this.dnd;
      if (this.accounts.get(provider.accountId) !== account || account.status.state !== 'connected') return;
      // Off needs no request until the server was ever told "on".
      if (account.presenceDnd === want || (!want && account.presenceDnd === null)) return;
      const result = await provider.setPresenceDnd!(want);
      if (result.ok) account.presenceDnd = want;
      else {
        this.log.warn('presence not updated', { accountId: provider.accountId, on: want, code: result.error.code });
        this.emit({ type: 'presenceFailed', accountId: provider.accountId, on: want, error: result.error });
      }
    });
  }

  /**
   * Quitting with DND on: presence set to DoNotDisturb would outlive this app on the server
   * (DND is not kept across restarts here), so reset it first — for at most a few seconds.
   */
  private async resetPresenceOnStop(): Promise<void> {
    const reset = async (): Promise<void> => {
      await Promise.all([...this.accounts.values()].map((a) => a.presenceChain)); // a request in flight
      await Promise.all(
        [...this.accounts.values()]
          .filter((a) => a.presenceDnd === true && a.status.state === 'connected' && a.provider.setPresenceDnd)
          .map(async (a) => {
            const r = await a.provider.setPresenceDnd!(false);
            if (r.ok) a.presenceDnd = false;
            else this.log.warn('presence not reset on quit', { accountId: a.provider.accountId, code: r.error.code });
          }),
      );
    };
    let timer: TimerHandle | null = null;
    await Promise.race([
      reset(),
      new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, PRESENCE_RESET_ON_STOP_MS))),
    ]);
    if (timer !== null) this.clock.clearTimeout(timer);
  }

  private whenEnded(entry: BookEntry): Promise<void> {
    if (this.book.get(entry.invitation.id) !== entry) return Promise.resolve();
    return new Promise((resolve) => (entry.onEnd ??= []).push(resolve));
  }

  private saveHistory(): void {
    if (!this.opts.history) return;
    this.historySaved = this.opts.history
      .save(this.history)
      .catch((err: unknown) => this.log.error('could not save history', { err }));
  }

  private onRinging(accountId: string, candidate: Invitation): void {
    const parsed = invitationSchema.safeParse(candidate);
    if (!parsed.success || parsed.data.accountId !== accountId) {
      this.log.warn('dropped an invalid invitation from a provider', {
        accountId,
        problems: parsed.success
          ? ['accountId mismatch']
          : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return;
    }
    const invitation = parsed.data as Invitation;
    if (this.book.has(invitation.id)) return; // a duplicated or replayed event
    const entry: BookEntry = { invitation, state: RINGING, silent: this.dnd, timers: [] };
    this.book.set(invitation.id, entry);
    if (invitation.expiresAt !== null) {
      const wait = Math.max(0, invitation.expiresAt - this.clock.now()) + this.expiryGraceMs;
      entry.timers.push(
        this.clock.setTimeout(() => {
          if (this.book.get(invitation.id) === entry) this.end(entry, 'timedOut');
        }, wait),
      );
    }
    if (entry.silent) {
      this.log.info('Do Not Disturb: declining automatically', { id: invitation.id });
      void this.decline(invitation.id).catch((err: unknown) =>
        this.log.error('automatic decline failed', { id: invitation.id, err }),
      );
      return;
    }
    this.emit({ type: 'invitation', invitation });
  }

  private apply(entry: BookEntry, event: LifecycleEvent): boolean {
    const next = transition(entry.state, event);
    if (!next) return false;
    entry.state = next.state;
    return true;
  }

  private end(entry: BookEntry, reported: Outcome, message?: string): void {
    const state = entry.state;
    // A decline (forward) the server accepted is why it ended, whatever the server's wording.
    const outcome =
      state.phase === 'declining' && state.sent
        ? 'declined'
        : state.phase === 'forwarding' && state.sent
          ? 'forwarded'
          : reported;
    if (!this.apply(entry, { type: 'end', outcome })) return;
    for (const t of entry.timers) this.clock.clearTimeout(t);
    this.book.delete(entry.invitation.id);
    const historyEntry: HistoryEntry = {
      invitation: entry.invitation,
      outcome,
      endedAt: this.clock.now(),
      declineReason: state.phase === 'declining' ? state.reason : null,
      ...(outcome === 'forwarded' && state.phase === 'forwarding' ? { forwardedTo: state.target } : {}),
      ...(entry.reply !== undefined && outcome === 'declined' ? { reply: entry.reply } : {}),
    };
    this.history = [historyEntry, ...this.history].slice(0, this.historyLimit);
    this.saveHistory();
    for (const fn of entry.onEnd ?? []) fn();
    const event: EngineEvent = { type: 'ended', id: entry.invitation.id, outcome, invitation: entry.invitation };
    this.emit(message ? { ...event, message } : event);
  }

  private async stopAccount(account: AccountEntry): Promise<void> {
    for (const entry of [...this.book.values()]) {
      if (entry.invitation.accountId === account.provider.accountId) this.end(entry, 'gone');
    }
    try {
      await account.provider.stop();
    } catch (err) {
      this.log.warn('provider did not stop cleanly', { accountId: account.provider.accountId, err });
    }
    account.status = { ...account.status, state: 'stopped', error: null };
    this.emitAccount(account);
  }

  private emitAccount(account: AccountEntry): void {
    const { accountId, state, error, lastHeardAt } = account.status;
    account.announcedHeardAt = lastHeardAt;
    this.emit(
      error
        ? { type: 'account', accountId, state, error, lastHeardAt }
        : { type: 'account', accountId, state, lastHeardAt },
    );
  }

  private view(entry: BookEntry): RingingView | null {
    const s = entry.state;
    if (s.phase === 'ringing') return { invitation: entry.invitation, phase: 'ringing', error: s.error };
    if (s.phase === 'declining') return { invitation: entry.invitation, phase: 'declining', error: null };
    if (s.phase === 'forwarding') return { invitation: entry.invitation, phase: 'forwarding', error: null };
    return null;
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error('engine listener threw', { type: event.type, err });
      }
    }
  }
}
