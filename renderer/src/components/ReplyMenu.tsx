/**
 * "Reply with a message" on a Skype for Business toast: the quick replies (from settings)
 * and "Custom…". A reply declines the invitation and sends the text to the caller as an IM.
 * The toast window never takes focus, so "Custom…" opens the main window's Ringing now entry
 * with a text field instead of typing here.
 */
import { MenuButton } from './MenuButton.js';

export interface ReplyMenuProps {
  quickReplies: readonly string[];
  disabled: boolean;
  onReply(text: string): void;
  onCustom(): void;
}

export function ReplyMenu({ quickReplies, disabled, onReply, onCustom }: ReplyMenuProps) {
  return (
    <MenuButton
      className="decline-menu reply-menu"
      buttonClassName="btn btn-quiet"
      buttonContent="Reply with a message"
      title="Decline and send the caller an instant message"
      menuLabel="Reply with a message"
      disabled={disabled}
      items={[
        ...quickReplies.map((text, i) => ({ key: `${i}-${text}`, content: text, onChoose: () => onReply(text) })),
        { key: 'custom', content: 'Custom…', separatorBefore: quickReplies.length > 0, onChoose: onCustom },
      ]}
    />
  );
}
