/**
 * The menu button beside Decline: every other reason this invitation can be declined with
 * (person-facing reasons first, then the technical ones below a separator).
 */
import type { Invitation } from '../../../electron/contract.js';
import { isTechnicalReason, reasonLabel } from '../lib/labels.js';
import { MenuButton } from './MenuButton.js';

export interface DeclineMenuProps {
  invitation: Invitation;
  disabled: boolean;
  onChoose(reason: string): void;
}

/** The reasons the menu offers: everything but the default, person-facing ones first. */
export function menuReasons(inv: Pick<Invitation, 'provider' | 'declineReasons' | 'defaultDeclineReason'>): string[] {
  const others = inv.declineReasons.filter((r) => r !== inv.defaultDeclineReason);
  const plain = others.filter((r) => !isTechnicalReason(inv.provider, r));
  const technical = others.filter((r) => isTechnicalReason(inv.provider, r));
  return [...plain, ...technical];
}

export function DeclineMenu({ invitation, disabled, onChoose }: DeclineMenuProps) {
  const reasons = menuReasons(invitation);
  const firstTechnical = reasons.findIndex((r) => isTechnicalReason(invitation.provider, r));
  return (
    <MenuButton
      className="decline-menu"
      buttonClassName="btn btn-menu"
      buttonContent={<span aria-hidden="true">▾</span>}
      buttonLabel="More ways to decline"
      title="More ways to decline"
      menuLabel="Decline with a reason"
      disabled={disabled}
      items={reasons.map((r, i) => ({
        key: r,
        content: reasonLabel(invitation.provider, r),
        separatorBefore: i === firstTechnical && i > 0,
        onChoose: () => onChoose(r),
      }))}
    />
  );
}
