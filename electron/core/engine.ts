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
  type Invitation,
  type InvitationState,
  type LifecycleEvent,
  type Outcome,
  type ProviderKind,
} from './invitation.js';
import type { AccountError, AccountState, Provider, ProviderSink, WakeReason } from './provider.js';
import { invitationSchema } from './schemas.js';

export interface AccountStatus {
  accountId: string;
  provider: ProviderKind;
  state: AccountState;
  error: AccountError | null;
  /**
   * When the account last heard from its server (epoch ms), or null before the first answer.
   * The engine always sets it (optional only so older producers of this shape still fit).
   */
  lastHeardAt?: number | null;
}

/** `account` events for a mere lastHeardAt update come at most this often per account. */
export const HEARD_EVENT_EVERY_MS = 30_000;

export interface RingingView {
  invitation: Invitation;
  phase: 'ringing' | 'declining';
  error: DeclineError | null;
}

export type EngineEvent =
  | { type: 'account'; accountId: string; state: AccountState; error?: AccountError; lastHeardAt?: number | null }
  | { type: 'invitation'; invitation: Invitation }
  | { type: 'declining'; id: string; reason: string }
  | { type: 'declineFailed'; id: string; error: DeclineError }
  | { type: 'ended'; id: string; outcome: Outcome; invitation: Invitation; message?: string }
  | { type: 'dnd'; on: boolean };

export interface EngineSnapshot {
  accounts: AccountStatus[];
  ringing: RingingView[];
  history: HistoryEntry[];
  dnd: boolean;
}

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
      'UnknownInvitation' | 'InvalidReason' | 'UnknownAccount' | 'DuplicateAccount' | 'InvalidAccount' | 'NotDemo',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

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
}

interface AccountEntry {
  provider: Provider;
  status: AccountStatus;
  /** lastHeardAt as of the last `account` event (heard-only events are throttled). */
  announcedHeardAt: number | null;
}

export class Engine {
  private readonly accounts = new Map<string, AccountEntry>();
  private readonly book = new Map<string, BookEntry>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private history: HistoryEntry[] = [];
  private dnd = false;
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
  }

  /** Signs every account out (UCWA: DELETE application), ending whatever still rings. */
  async stop(): Promise<void> {
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
    for (const { provider } of this.accounts.values()) {
      try {
        provider.wake(reason);
      } catch (err) {
        this.log.warn('provider wake threw', { accountId: provider.accountId, err });
      }
    }
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
    };
  }

  isDnd(): boolean {
    return this.dnd;
  }

  setDnd(on: boolean): void {
    if (this.dnd === on) return;
    this.dnd = on;
    this.emit({ type: 'dnd', on });
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
    if (entry.state.phase !== 'ringing') return { status: 'ignored' };

    if (inv.expiresAt !== null && this.clock.now() >= inv.expiresAt) {
      const error: DeclineError = {
        status: null,
        code: 'DeadlinePassed',
        subcode: null,
        message: 'The call has already ended: its answer window closed before Decline, so nothing was sent.',
      };
      this.emit({ type: 'declineFailed', id, error });
      this.end(entry, 'timedOut', error.message);
      return { status: 'expired', error };
    }

    if (!this.apply(entry, { type: 'decline', reason: chosen })) return { status: 'ignored' };
    if (!entry.silent) this.emit({ type: 'declining', id, reason: chosen });

    const account = this.accounts.get(inv.accountId);
    const result = account
      ? await account.provider.decline(inv, chosen)
      : ({
          ok: false,
          error: { status: null, code: 'AccountRemoved', subcode: null, message: 'The account was removed.' },
          endAs: 'gone',
        } as const);

    if (this.book.get(id) !== entry) {
      // It ended while the request was in flight (e.g. the completed event raced the 204).
      return result.ok ? { status: 'sent' } : { status: 'failed', error: result.error };
    }
    if (result.ok) {
      this.apply(entry, { type: 'declineSent' });
      entry.timers.push(
        this.clock.setTimeout(() => {
          if (this.book.get(id) === entry) {
            this.log.warn('server did not confirm the decline; ending it locally', { id });
            this.end(entry, 'declined');
          }
        }, this.declineConfirmMs),
      );
      return { status: 'sent' };
    }
    this.log.warn('decline failed', { id, error: result.error });
    if (result.endAs) {
      this.emit({ type: 'declineFailed', id, error: result.error });
      this.end(entry, result.endAs, result.error.message);
    } else {
      this.apply(entry, { type: 'declineFailed', error: result.error });
      this.emit({ type: 'declineFailed', id, error: result.error });
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
      },
      heard: (at) => {
        if (this.accounts.get(accountId) !== account || !Number.isFinite(at)) return;
        account.status = { ...account.status, lastHeardAt: at };
        const last = account.announcedHeardAt;
        if (last === null || at - last >= HEARD_EVENT_EVERY_MS) this.emitAccount(account);
      },
    };
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
    // A decline the server accepted is why it ended, whatever the server's wording.
    const outcome = state.phase === 'declining' && state.sent ? 'declined' : reported;
    if (!this.apply(entry, { type: 'end', outcome })) return;
    for (const t of entry.timers) this.clock.clearTimeout(t);
    this.book.delete(entry.invitation.id);
    const historyEntry: HistoryEntry = {
      invitation: entry.invitation,
      outcome,
      endedAt: this.clock.now(),
      declineReason: state.phase === 'declining' ? state.reason : null,
    };
    this.history = [historyEntry, ...this.history].slice(0, this.historyLimit);
    if (this.opts.history) {
      this.historySaved = this.opts.history
        .save(this.history)
        .catch((err: unknown) => this.log.error('could not save history', { err }));
    }
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
    const { accountId, state, error } = account.status;
    const lastHeardAt = account.status.lastHeardAt ?? null;
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
