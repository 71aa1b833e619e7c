/**
 * "Forward to…" on a Graph toast: the account's saved forward targets (label, then the number
 * or user id). Keyboard: Enter/Space/ArrowDown opens and focuses the first target; arrows,
 * Home and End move; Escape closes and returns focus to the button (without ignoring the
 * toast); Tab closes. Like the decline menu it opens in the flow of the toast, so the toast
 * window grows with it.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { AccountSummary, ForwardTarget } from '../../../electron/contract.js';
import { forwardTargetText } from '../lib/labels.js';

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
  const [expanded, setOpen] = useState(false);
  const open = expanded && !disabled;
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const onPointerDown = (e: PointerEvent) => {
      if (wrapRef.current && !wrapRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  if (targets.length === 0) return null;

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
    <div className="forward-menu" ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-quiet"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title="Forward this call to someone else"
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKeyDown}
      >
        Forward to… <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul id={menuId} role="menu" aria-label="Forward to" className="menu" ref={menuRef} onKeyDown={onMenuKeyDown}>
          {targets.map((t) => (
            <li role="none" key={forwardTargetText(t) + detail(t)}>
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="menu-item"
                onClick={() => {
                  setOpen(false);
                  onChoose(t);
                }}
              >
                {forwardTargetText(t)} <span className="menu-detail">{detail(t)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
