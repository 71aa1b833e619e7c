/**
 * The headless wire protocol: one JSON object per line.
 * stdout carries events (ready, account, invitation, ended, declineFailed, forwardFailed, dnd,
 * replySent, replyFailed, forwarding, forwardingFailed, presenceFailed, error); stdin carries
 * commands (decline, declineAll, forward, dnd, reply, forwarding, retry, quit). It is a stable, documented
 * interface (README "Headless mode"): add fields, never rename them.
 */
import { z } from 'zod';
import { FORWARD_URI, MAX_REPLY_LENGTH } from '../core/config.js';
import type { EngineEvent } from '../core/engine.js';
import { forwardTargetSchema } from '../core/schemas.js';

export const commandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('decline'), id: z.string().min(1), reason: z.string().min(1).optional() }).strict(),
  z.object({ cmd: z.literal('declineAll'), reason: z.string().min(1).optional() }).strict(),
  z.object({ cmd: z.literal('forward'), id: z.string().min(1), target: forwardTargetSchema }).strict(),
  z
    .object({
      cmd: z.literal('dnd'),
      on: z.boolean(),
      /** Timed DND: ends by itself at this ISO 8601 time (with a zone offset or Z). */
      until: z.iso
        .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-29T17:00:00Z' })
        .optional(),
    })
    .strict(),
  z.object({ cmd: z.literal('reply'), id: z.string().min(1), text: z.string().min(1).max(MAX_REPLY_LENGTH) }).strict(),
  z
    .object({
      cmd: z.literal('forwarding'),
      accountId: z.string().min(1),
      to: z.union([
        z.literal('off'),
        z.literal('voicemail'),
        z.string().regex(FORWARD_URI, 'must be "off", "voicemail" or a sip:/tel: URI'),
      ]),
    })
    .strict(),
  /** Sign an account in again now, even after its password was refused (issue 7). */
  z.object({ cmd: z.literal('retry'), accountId: z.string().min(1) }).strict(),
  z.object({ cmd: z.literal('quit') }).strict(),
]);
export type Command = z.infer<typeof commandSchema>;

export type HeadlessEvent =
  | { type: 'ready'; demo: boolean; accounts: string[] }
  | { type: 'error'; code: string; message: string; cmd?: string }
  | Exclude<EngineEvent, { type: 'ended' } | { type: 'declining' } | { type: 'forwardingCall' } | { type: 'dnd' }>
  | { type: 'ended'; id: string; outcome: string; message?: string }
  /** `until` as ISO 8601 (UTC). */
  | { type: 'dnd'; on: boolean; until?: string };

/** Parses one stdin line; a bad line gives an error event naming what is wrong. */
export function parseCommand(line: string): { ok: true; command: Command } | { ok: false; error: HeadlessEvent } {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (err) {
    return {
      ok: false,
      error: { type: 'error', code: 'BadJson', message: `not a JSON object: ${(err as Error).message}` },
    };
  }
  const parsed = commandSchema.safeParse(data);
  if (parsed.success) return { ok: true, command: parsed.data };
  const cmd =
    typeof data === 'object' && data !== null && 'cmd' in data ? String((data as { cmd: unknown }).cmd) : undefined;
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'cmd'}: ${i.message}`).join('; ');
  return {
    ok: false,
    error: cmd ? { type: 'error', code: 'BadCommand', cmd, message } : { type: 'error', code: 'BadCommand', message },
  };
}

/** Engine event → the line headless prints (null: not part of the headless protocol). */
export function toHeadlessEvent(e: EngineEvent): HeadlessEvent | null {
  switch (e.type) {
    case 'declining':
    case 'forwardingCall':
      return null;
    case 'dnd':
      return e.until !== undefined
        ? { type: 'dnd', on: e.on, until: new Date(e.until).toISOString() }
        : { type: 'dnd', on: e.on };
    case 'ended':
      return e.message
        ? { type: 'ended', id: e.id, outcome: e.outcome, message: e.message }
        : { type: 'ended', id: e.id, outcome: e.outcome };
    default:
      return e;
  }
}
