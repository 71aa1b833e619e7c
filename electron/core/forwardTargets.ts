/**
 * Forward targets between config and engine: the account's saved `forwardTargets` give a
 * target its label (the headless command and the IPC payload may carry only the id/number).
 */
import type { AccountConfig, ForwardTargetConfig } from './config.js';
import type { ForwardTarget } from './invitation.js';

/** The config entry as the engine's target (exactly one of userId / phone, with its label). */
export function toForwardTarget(t: ForwardTargetConfig): ForwardTarget {
  return t.userId !== undefined ? { label: t.label, userId: t.userId } : { label: t.label, phone: t.phone ?? '' };
}

/** `target` with the label of the matching saved target when it carries none. */
export function labelTarget(saved: readonly ForwardTargetConfig[] | undefined, target: ForwardTarget): ForwardTarget {
  if (target.label !== undefined) return target;
  const match = saved?.find((t) =>
    'userId' in target ? t.userId === target.userId : t.phone !== undefined && t.phone === target.phone,
  );
  return match ? { ...target, label: match.label } : target;
}

/** Labels `target` from the forwardTargets of the account that owns `invitationAccountId`. */
export function withTargetLabel(
  accounts: readonly AccountConfig[],
  invitationAccountId: string | undefined,
  target: ForwardTarget,
): ForwardTarget {
  const account = accounts.find((a) => a.id === invitationAccountId);
  return labelTarget(account?.provider === 'graph' ? account.forwardTargets : undefined, target);
}
