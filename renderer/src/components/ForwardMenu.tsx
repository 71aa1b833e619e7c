/**
 * "Forward to…" on a Graph toast: the account's saved forward targets (label, then the number
 * or user id).
 */
import type { AccountSummary, ForwardTarget } from '../../../electron/contract.js';
import { forwardTargetText } from '../lib/labels.js';
import { MenuButton } from './MenuButton.js';

export interface ForwardMenuProps {
  targets: readonly ForwardTarget[];
  disabled: boolean;
  onChoose(target: ForwardTarget): void;
}

/** The forward targets an account offers (Graph accounts only; none elsewhere). */
export function forwardTargetsOf(account: AccountSummary | undefined): ForwardTarget[] {
  if (!account || account.provider !== 'graph') return [];
  return (account.forwardTargets ?? []).map((t) =>
    t.userId !== undefined ? { label: t.label, userId: t.userId } : { label: t.label, phone: t.phone ?? '' },
  );
}

/** The second line of a menu item: the number, or "Teams user". */
function detail(target: ForwardTarget): string {
  return 'phone' in target ? target.phone : 'Teams user';
}

export function ForwardMenu({ targets, disabled, onChoose }: ForwardMenuProps) {
  return (
    <MenuButton
      className="forward-menu"
      buttonClassName="btn btn-quiet"
      buttonContent={
        <>
          Forward to… <span aria-hidden="true">▾</span>
        </>
      }
      title="Forward this call to someone else"
      menuLabel="Forward to"
      disabled={disabled}
      items={targets.map((t) => ({
        key: forwardTargetText(t) + detail(t),
        content: (
          <>
            {forwardTargetText(t)} <span className="menu-detail">{detail(t)}</span>
          </>
        ),
        onChoose: () => onChoose(t),
      }))}
    />
  );
}
