/**
 * Whether the tray should say "not connected": true once any account has been reconnecting
 * or in error for longer than OFFLINE_AFTER_MS, false again when every account is back.
 * Plain logic on the engine's account states and a clock reading; TrayController feeds it.
 */
import type { AccountState } from '../core/provider.js';

export const OFFLINE_AFTER_MS = 30_000;

const DOWN: readonly AccountState[] = ['reconnecting', 'error'];

export class ConnectionHealth {
  /** accountId → since when it has been down (epoch ms). */
  private readonly downSince = new Map<string, number>();

  constructor(private readonly afterMs = OFFLINE_AFTER_MS) {}

  /** Takes the current account states at `now`. */
  observe(accounts: readonly { accountId: string; state: AccountState }[], now: number): void {
    const seen = new Set<string>();
    for (const a of accounts) {
      seen.add(a.accountId);
      if (!DOWN.includes(a.state)) this.downSince.delete(a.accountId);
      else if (!this.downSince.has(a.accountId)) this.downSince.set(a.accountId, now);
    }
    for (const id of [...this.downSince.keys()]) if (!seen.has(id)) this.downSince.delete(id);
  }

  /** True when an account has been down for longer than the threshold. */
  offline(now: number): boolean {
    for (const since of this.downSince.values()) if (now - since > this.afterMs) return true;
    return false;
  }

  /** How long until `offline` may turn true without a new observation (null: nothing pending). */
  nextChangeIn(now: number): number | null {
    let next: number | null = null;
    for (const since of this.downSince.values()) {
      const left = since + this.afterMs - now;
      if (left >= 0 && (next === null || left < next)) next = left;
    }
    return next === null ? null : next + 1;
  }
}
