/**
 * The menu button beside Decline: every other reason this invitation can be declined with.
 * Keyboard: Enter/Space/ArrowDown opens and focuses the first item; arrows move; Escape
 * closes and returns focus to the button (without ignoring the toast); Tab closes.
 * The menu opens in the flow of the toast (not floating), so the toast window grows with it.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { Invitation } from '../../../electron/contract.js';
import { isTechnicalReason, reasonLabel } from '../lib/labels.js';

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
  const [expanded, setOpen] = useState(false);
  const open = expanded && !disabled;
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const reasons = menuReasons(invitation);
  const firstTechnical = reasons.findIndex((r) => isTechnicalReason(invitation.provider, r));

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const onPointerDown = (e: PointerEvent) => {
      if (wrapRef.current && !wrapRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  if (reasons.length === 0) return null;

  const items = () => [...(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];

  const onMenuKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const focus = (i: number) => list[(i + list.length) % list.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focus(at + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focus(at - 1);
        break;
      case 'Home':
        e.preventDefault();
        focus(0);
        break;
      case 'End':
        e.preventDefault();
        focus(list.length - 1);
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation(); // Escape closes the menu; it does not ignore the toast
        setOpen(false);
        buttonRef.current?.focus();
        break;
      case 'Tab':
        setOpen(false);
        break;
    }
  };

  const onButtonKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
    }
  };

  return (
    <div className="decline-menu" ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label="More ways to decline"
        title="More ways to decline"
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKeyDown}
      >
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul
          id={menuId}
          role="menu"
          aria-label="Decline with a reason"
          className="menu"
          ref={menuRef}
          onKeyDown={onMenuKeyDown}
        >
          {reasons.map((r, i) => (
            <li role="none" key={r} className={i === firstTechnical && i > 0 ? 'menu-separator' : undefined}>
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="menu-item"
                onClick={() => {
                  setOpen(false);
                  onChoose(r);
                }}
              >
                {reasonLabel(invitation.provider, r)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
