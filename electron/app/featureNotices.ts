/**
 * Which issue-9 engine events the user must be told about as a notice: a reply that could
 * not be sent after its decline, a refused call-forwarding change, presence that did not
 * follow Do Not Disturb. (Successes show in history, the tray and the main window instead.)
 */
import type { AccountConfig } from '../core/config.js';
import type { EngineEvent } from '../core/engine.js';

export function featureNotice(
  e: EngineEvent,
  accounts: readonly AccountConfig[],
): { level: 'warning' | 'error'; message: string } | null {
  const name = (id: string) => accounts.find((a) => a.id === id)?.displayName ?? id;
  switch (e.type) {
    case 'replyFailed':
      return { level: 'warning', message: e.error.message };
    case 'forwardingFailed':
      return { level: 'error', message: `${name(e.accountId)}: ${e.error.message}` };
    case 'presenceFailed':
      return {
        level: 'warning',
        message: `${name(e.accountId)}: ${e.error.message} Do Not Disturb is ${e.on ? 'on' : 'off'} here all the same.`,
      };
    default:
      return null;
  }
}
