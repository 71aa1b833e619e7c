/**
 * The IPC surface: one `ipcMain.handle` per channel of the contract. Every call is checked
 * three times before anything runs: the sender must be the top frame of one of our windows
 * showing one of our pages; that window must be allowed the channel (`ipcAccess.ts`: the toast
 * only gets what toasts need); and the payload must pass the channel's schema
 * (`dispatchInvoke`). What fails a check is logged and answered with an error, never executed.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  dispatchInvoke,
  EVENT_CHANNEL,
  invokeSchemas,
  type AppEvent,
  type InvokeChannel,
  type InvokeHandlers,
  type InvokeResponse,
} from '../contract.js';
import type { Logger } from '../core/deps.js';
import { mayCall, type WindowRole } from './ipcAccess.js';

export interface IpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  handlers: InvokeHandlers;
  logger: Logger;
  /** Which of our windows this webContents belongs to (null: not one of ours, or destroyed). */
  roleOf(sender: WebContents): WindowRole | null;
  isAppUrl(url: string): boolean;
}

export type SenderVerdict = { ok: true; role: WindowRole } | { ok: false; why: string };

/** Is this invoke from the top frame of one of our windows, showing one of our pages? */
export function checkSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  roleOf: (sender: WebContents) => WindowRole | null,
  isAppUrl: (url: string) => boolean,
): SenderVerdict {
  const frame = event.senderFrame;
  if (!frame) return { ok: false, why: 'the sending frame is gone' };
  if (frame.parent !== null) return { ok: false, why: 'sent from a subframe' };
  if (!isAppUrl(frame.url)) return { ok: false, why: `sent from a page that is not the app's: ${frame.url}` };
  const role = roleOf(event.sender);
  if (!role) return { ok: false, why: 'sent from a window the app did not create' };
  return { ok: true, role };
}

/** Registers every channel; returns a function that removes the handlers again. */
export function registerIpc(opts: IpcOptions): () => void {
  const log = opts.logger;
  const channels = Object.keys(invokeSchemas) as InvokeChannel[];
  for (const channel of channels) {
    opts.ipcMain.handle(channel, async (event, payload: unknown): Promise<InvokeResponse<InvokeChannel>> => {
      const verdict = checkSender(event, opts.roleOf, opts.isAppUrl);
      if (!verdict.ok) {
        log.warn('rejected IPC from an untrusted sender', { channel, why: verdict.why });
        return { ok: false, error: { code: 'Forbidden', message: `${channel}: ${verdict.why}` } };
      }
      if (!mayCall(verdict.role, channel)) {
        log.warn('rejected IPC the window is not allowed', { channel, window: verdict.role });
        return {
          ok: false,
          error: { code: 'Forbidden', message: `${channel}: the ${verdict.role} window may not call this` },
        };
      }
      const res = await dispatchInvoke(opts.handlers, channel, payload);
      if (!res.ok && res.error.code === 'InvalidPayload') {
        log.warn('rejected an invalid IPC payload', { channel, problem: res.error.message });
      } else if (!res.ok) {
        log.info('IPC call failed', { channel, code: res.error.code, problem: res.error.message });
      }
      return res;
    });
  }
  return () => {
    for (const channel of channels) opts.ipcMain.removeHandler(channel);
  };
}

/** Pushes an AppEvent to every live window on EVENT_CHANNEL. */
export function broadcast(targets: WebContents[], event: AppEvent, logger: Logger): void {
  for (const wc of targets) {
    if (wc.isDestroyed()) continue;
    try {
      wc.send(EVENT_CHANNEL, event);
    } catch (err) {
      logger.warn('could not push an event to a window', { type: event.type, err });
    }
  }
}
