/**
 * Least privilege over IPC: which of our windows may call which channel. The toast window
 * gets what a stack of ringing toasts needs and nothing more, so a toast renderer that were
 * ever compromised (say, through a hostile caller name) cannot save an account, point it at
 * another server, or change settings. Every channel not listed here is the main window's only:
 * a channel added to the contract later is main-window-only until someone grants it here.
 */
import type { InvokeChannel } from '../contract.js';

export type WindowRole = 'main' | 'toast';

/** What the toast window may call. */
export const TOAST_CHANNELS: ReadonlySet<InvokeChannel> = new Set<InvokeChannel>([
  'softphone:snapshot',
  'softphone:decline',
  'softphone:declineAll',
  // The toast's "Reply with a message": a quick reply, or "Custom…" handing over to the main window.
  'softphone:reply',
  'softphone:composeReply',
  // The Graph toast's "Forward to…" menu.
  'softphone:forward',
  'softphone:toastSize',
  'softphone:showMainWindow',
]);

/** What only the toast window may call (the main window has no toast to size). */
export const TOAST_ONLY_CHANNELS: ReadonlySet<InvokeChannel> = new Set<InvokeChannel>(['softphone:toastSize']);

export function mayCall(role: WindowRole, channel: InvokeChannel): boolean {
  if (role === 'toast') return TOAST_CHANNELS.has(channel);
  return !TOAST_ONLY_CHANNELS.has(channel);
}
