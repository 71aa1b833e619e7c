/**
 * The headless wire protocol: one JSON object per line.
 * stdout carries events (ready, account, invitation, ended, declineFailed, forwardFailed, dnd,
 * error); stdin carries commands (decline, declineAll, forward, dnd, quit). It is a stable, documented
 * interface (README "Headless mode"): add fields, never rename them.
 */
import { z } from 'zod';
import type { EngineEvent } from '../core/engine.js';
import { forwardTargetSchema } from '../core/schemas.js';

export const commandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('decline'), id: z.string().min(1), reason: z.string().min(1).optional() }).strict(),
  z.object({ cmd: z.literal('declineAll'), reason: z.string().min(1).optional() }).strict(),
  z.object({ cmd: z.literal('forward'), id: z.string().min(1), target: forwardTargetSchema }).strict(),
  z.object({ cmd: z.literal('dnd'), on: z.boolean() }).strict(),
  z.object({ cmd: z.literal('quit') }).strict(),
]);
export type Command = z.infer<typeof commandSchema>;

export type HeadlessEvent =
  | { type: 'ready'; demo: boolean; accounts: string[] }
  | { type: 'error'; code: string; message: string; cmd?: string }
  | Exclude<EngineEvent, { type: 'ended' } | { type: 'declining' } | { type: 'forwarding' }>
  | { type: 'ended'; id: string; outcome: string; message?: string };

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
    case 'forwarding':
      return null;
    case 'ended':
      return e.message
        ? { type: 'ended', id: e.id, outcome: e.outcome, message: e.message }
        : { type: 'ended', id: e.id, outcome: e.outcome };
    default:
      return e;
  }
}
