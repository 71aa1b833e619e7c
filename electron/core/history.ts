import { z } from 'zod';
import type { ForwardTarget, Invitation, Outcome } from './invitation.js';
import { forwardTargetSchema, invitationSchema, outcomeSchema } from './schemas.js';
import type { JsonFile } from './storage/jsonFile.js';

/** One invitation that stopped ringing, newest first in history. */
export interface HistoryEntry {
  invitation: Invitation;
  outcome: Outcome;
  endedAt: number;
  /** The reason the user declined with, when the user (or DND) declined. */
  declineReason: string | null;
  /** Where the call went when its outcome is `forwarded`. */
  forwardedTo?: ForwardTarget;
  /** "Reply with a message": the text sent to the caller after the decline. */
  reply?: string;
  /** Set when the reply could not be sent (the decline itself succeeded). */
  replyError?: string;
}

export const historyEntrySchema = z
  .object({
    invitation: invitationSchema,
    outcome: outcomeSchema,
    endedAt: z.number(),
    declineReason: z.string().nullable(),
    forwardedTo: forwardTargetSchema.optional(),
    reply: z.string().optional(),
    replyError: z.string().optional(),
  })
  .strict();

export interface HistoryStore {
  load(): Promise<HistoryEntry[]>;
  save(entries: HistoryEntry[]): Promise<void>;
}

const historyFileSchema = z.object({ version: z.literal(1), entries: z.array(historyEntrySchema) });

/** History kept in a JSON file (atomic writes; a corrupt file is set aside, see JsonFile). */
export function fileHistoryStore(file: JsonFile): HistoryStore {
  return {
    async load() {
      const data = await file.read(historyFileSchema);
      return (data?.entries ?? []) as HistoryEntry[];
    },
    save: (entries) => file.write({ version: 1, entries }),
  };
}
