/**
 * "Reply with a message" on a Skype for Business toast: the quick replies (from settings)
 * and "Custom…". A reply declines the invitation and sends the text to the caller as an IM.
 * The toast window never takes focus, so "Custom…" opens the main window's Ringing now entry
 * with a text field instead of typing here. Keyboard: as the decline menu (arrows, Escape
 * closes and returns to the button, Tab closes). Opens in the flow of the toast.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

export interface ReplyMenuProps {
  quickReplies: readonly string[];
  disabled: boolean;
  onReply(text: string): void;
  onCustom(): void;
}

export function ReplyMenu({ quickReplies, disabled, onReply, onCustom }: ReplyMenuProps) {
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
        e.stopPropagation(); // closes the menu; does not ignore the toast
        setOpen(false);
        buttonRef.current?.focus();
        break;
      case 'Tab':
        setOpen(false);
        break;
    }
  };

  const choose = (fn: () => void) => () => {
    setOpen(false);
    fn();
  };

  return (
    <div className="decline-menu reply-menu" ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-quiet"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title="Decline and send the caller an instant message"
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        Reply with a message
      </button>
      {open && (
        <ul
          id={menuId}
          role="menu"
          aria-label="Reply with a message"
          className="menu"
          ref={menuRef}
          onKeyDown={onMenuKeyDown}
        >
          {quickReplies.map((text, i) => (
            <li role="none" key={`${i}-${text}`}>
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="menu-item"
                onClick={choose(() => onReply(text))}
              >
                {text}
              </button>
            </li>
          ))}
          <li role="none" className={quickReplies.length > 0 ? 'menu-separator' : undefined}>
            <button type="button" role="menuitem" tabIndex={-1} className="menu-item" onClick={choose(onCustom)}>
              Custom…
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}
