/**
 * Runtime schemas of the engine's records. The engine validates every invitation a provider
 * hands it (nothing reaches a user that is not a valid invitation), and the IPC contract
 * reuses the same schemas for what crosses to the renderer.
 */
import { z } from 'zod';

const text = (max: number) => z.string().max(max);

export const invitationSchema = z
  .object({
    id: z.string().min(1).max(2048),
    accountId: z.string().min(1).max(64),
    provider: z.enum(['ucwa', 'graph']),
    modality: z.enum(['messaging', 'audio', 'video', 'meeting', 'call']),
    from: z.object({ name: text(512), uri: text(2048) }).strict(),
    subject: text(4096),
    importance: z.enum(['normal', 'urgent', 'emergency']),
    message: text(16_384),
    receivedAt: z.number().finite().nonnegative(),
    expiresAt: z.number().finite().nonnegative().nullable(),
    declineReasons: z.array(z.string().min(1).max(64)).min(1),
    defaultDeclineReason: z.string().min(1).max(64),
  })
  .strict()
  .refine((i) => i.declineReasons.includes(i.defaultDeclineReason), {
    message: 'defaultDeclineReason must be one of declineReasons',
    path: ['defaultDeclineReason'],
  });

export const outcomeSchema = z.enum([
  'declined',
  'cancelled',
  'answeredElsewhere',
  'missed',
  'timedOut',
  'failed',
  'gone',
  'forwarded',
]);

/** A forward target as it crosses a boundary (IPC, headless, history): exactly one of userId / phone. */
export const forwardTargetSchema = z.union([
  z.object({ label: z.string().min(1).max(100).optional(), userId: z.string().min(1).max(256) }).strict(),
  z.object({ label: z.string().min(1).max(100).optional(), phone: z.string().regex(/^\+[1-9]\d{6,14}$/) }).strict(),
]);

export const declineErrorSchema = z
  .object({
    status: z.number().int().nullable(),
    code: z.string(),
    subcode: z.string().nullable(),
    message: z.string(),
  })
  .strict();

export const accountStateSchema = z.enum(['connecting', 'connected', 'reconnecting', 'error', 'stopped']);

export const accountErrorSchema = z
  .object({
    status: z.number().int().nullable().optional(),
    code: z.string(),
    subcode: z.string().nullable().optional(),
    message: z.string(),
  })
  .strict();
