/**
 * A button that opens a menu in the flow of the toast (not floating, so the toast window grows
 * with it) — the one mechanism behind the decline-reason, reply and forward menus.
 * Keyboard: Enter/Space/ArrowDown/ArrowUp on the button opens it and focuses the first item;
 * arrows, Home and End move; Escape closes and returns focus to the button (without ignoring
 * the toast); Tab closes. A pointer press outside closes it.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface MenuItem {
  key: string;
  content: ReactNode;
  /** Draws a separator above this item. */
  separatorBefore?: boolean;
  onChoose(): void;
}

export interface MenuButtonProps {
  /** Class of the wrapper (layout). */
  className: string;
  buttonClassName: string;
  buttonContent: ReactNode;
  /** The button's accessible name, where its content does not say it. */
  buttonLabel?: string;
  title: string;
  /** The menu's accessible name. */
  menuLabel: string;
  disabled: boolean;
  items: readonly MenuItem[];
}

export function MenuButton(props: MenuButtonProps) {
  const { items, disabled } = props;
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

  if (items.length === 0) return null;

  const onMenuKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const list = [...(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
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
    <div className={props.className} ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        className={props.buttonClassName}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={props.buttonLabel}
        title={props.title}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKeyDown}
      >
        {props.buttonContent}
      </button>
      {open && (
        <ul
          id={menuId}
          role="menu"
          aria-label={props.menuLabel}
          className="menu"
          ref={menuRef}
          onKeyDown={onMenuKeyDown}
        >
          {items.map((item) => (
            <li role="none" key={item.key} className={item.separatorBefore ? 'menu-separator' : undefined}>
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="menu-item"
                onClick={() => {
                  setOpen(false);
                  item.onChoose();
                }}
              >
                {item.content}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
