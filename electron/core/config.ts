/**
 * Account and settings schemas: one source of truth for the headless config file, the
 * desktop settings and the IPC contract. Errors name the exact field (`accounts[0].sipAddress`).
 */
import { z } from 'zod';
import { DEFAULT_SHORTCUTS, shortcutsSchema } from './shortcuts.js';

/** UCWA CallDeclineReason, all twelve values [decline_ref.md]. */
export const CALL_DECLINE_REASONS = [
  'Global',
  'Local',
  'Unknown',
  'MediaAllocationFailure',
  'EncryptionMismatch',
  'IPv6NotSupported',
  'MediaConnectivityFailure',
  'CodecMismatch',
  'UnsupportedMedia',
  'InvalidMediaOffer',
  'InsufficientBandwidth',
  'InsufficientBandwidthRerouteOverPstn',
] as const;
export type CallDeclineReason = (typeof CALL_DECLINE_REASONS)[number];

/** Graph rejectReason values a user may send (never `unknownFutureValue`). */
export const GRAPH_REJECT_REASONS = ['none', 'busy', 'forbidden'] as const;
export type GraphRejectReason = (typeof GRAPH_REJECT_REASONS)[number];

const id = z
  .string()
  .min(1, 'must not be empty')
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore');

const nonEmpty = z.string().min(1, 'must not be empty');

/** `http://` is accepted for loopback hosts only; everything else must be https. */
export function isAllowedUrl(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  if (u.protocol !== 'http:') return false;
  return isLoopbackHost(u.hostname);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const secureUrl = z.string().refine(isAllowedUrl, 'must be an https:// URL (http:// only for loopback hosts)');

/** A forwarding target: `sip:user@domain` or `tel:+number`. */
export const FORWARD_URI = /^(sip:[^@\s]+@[^@\s]+|tel:\+?[0-9][0-9\-.()]*)$/i;

/** A saved call-forwarding target: a label and a SIP (or tel:) URI (≤ 80 chars, immediateForwardToContact_ref.md). */
export const forwardContactSchema = z
  .object({
    label: z.string().min(1, 'must not be empty').max(64),
    sipUri: z
      .string()
      .max(80, 'must be at most 80 characters')
      .regex(FORWARD_URI, 'must be a sip:user@domain or tel:+number URI'),
  })
  .strict();
export type ForwardContact = z.infer<typeof forwardContactSchema>;

export const ucwaAccountSchema = z
  .object({
    id,
    provider: z.literal('ucwa'),
    displayName: z.string().max(100).optional(),
    sipAddress: z.string().regex(/^(sip:)?[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must look like user@domain'),
    username: nonEmpty,
    password: nonEmpty.optional(),
    passwordEnv: nonEmpty.optional(),
    discoveryUrl: secureUrl.optional(),
    declineReason: z.enum(CALL_DECLINE_REASONS).optional(),
    payloadFormat: z.enum(['json', 'xml']).optional(),
    caFile: nonEmpty.optional(),
    /** Do Not Disturb also sets this account's presence to DoNotDisturb (default true). */
    mirrorDndToPresence: z.boolean().optional(),
    /** Saved call-forwarding targets offered in the tray. */
    forwardContacts: z.array(forwardContactSchema).max(20).optional(),
  })
  .strict();
export type UcwaAccount = z.infer<typeof ucwaAccountSchema>;

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * One "Forward to…" entry of a Graph account: a label and exactly one of `userId` (a Microsoft
 * Entra user's object id) or `phone` (E.164). Errors name the field
 * (`forwardTargets[1].phone: …`).
 */
export const forwardTargetConfigSchema = z
  .object({
    label: z.string().trim().min(1, 'must not be empty').max(100),
    userId: z.string().trim().min(1, 'must not be empty').max(256).optional(),
    phone: z
      .string()
      .regex(E164, 'must be an E.164 phone number: + then country code and number, digits only (e.g. +14255550123)')
      .optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.userId === undefined && t.phone === undefined) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'give either "userId" or "phone"' });
    }
    if (t.userId !== undefined && t.phone !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['phone'], message: 'give either "userId" or "phone", not both' });
    }
  });
export type ForwardTargetConfig = z.infer<typeof forwardTargetConfigSchema>;

export const graphAccountSchema = z
  .object({
    id,
    provider: z.literal('graph'),
    displayName: z.string().max(100).optional(),
    tenantId: nonEmpty,
    /** Further tenants whose calls may ring (a multi-tenant bot); `tenantId` always may. */
    allowedTenants: z.array(nonEmpty).max(100).optional(),
    clientId: nonEmpty,
    clientSecret: nonEmpty.optional(),
    clientSecretEnv: nonEmpty.optional(),
    certificate: z.object({ certFile: nonEmpty, keyFile: nonEmpty }).strict().optional(),
    apiVersion: z.enum(['v1.0', 'beta']).optional(),
    rejectPath: z.enum(['communications', 'app']).optional(),
    callback: z
      .object({
        host: nonEmpty.optional(),
        port: z.number().int().min(0).max(65535),
        path: z.string().regex(/^\//, 'must start with /').optional(),
        /** Open connections at most (default 256). */
        maxConnections: z.number().int().min(1).max(65_535).optional(),
      })
      .strict(),
    openIdConfigUrl: secureUrl.optional(),
    authorityHost: secureUrl.optional(),
    graphBaseUrl: secureUrl.optional(),
    caFile: nonEmpty.optional(),
    declineReason: z.enum(GRAPH_REJECT_REASONS).optional(),
    forwardTargets: z
      .array(forwardTargetConfigSchema)
      .max(20, 'at most 20 forward targets')
      .superRefine((targets, ctx) => {
        const seen = new Set<string>();
        targets.forEach((t, i) => {
          if (seen.has(t.label)) {
            ctx.addIssue({ code: 'custom', path: [i, 'label'], message: `duplicate label "${t.label}"` });
          }
          seen.add(t.label);
        });
      })
      .optional(),
  })
  .strict();
export type GraphAccount = z.infer<typeof graphAccountSchema>;

export const accountSchema = z.discriminatedUnion('provider', [ucwaAccountSchema, graphAccountSchema]);
export type AccountConfig = z.infer<typeof accountSchema>;

/** An account whose secret must be present in the config itself (headless). */
export const accountWithSecretSchema = accountSchema.superRefine((a, ctx) => {
  if (a.provider === 'ucwa' && !a.password && !a.passwordEnv) {
    ctx.addIssue({
      code: 'custom',
      path: ['password'],
      message: 'either "password" or "passwordEnv" is required',
    });
  }
  if (a.provider === 'graph' && !a.clientSecret && !a.clientSecretEnv && !a.certificate) {
    ctx.addIssue({
      code: 'custom',
      path: ['clientSecret'],
      message: 'one of "clientSecret", "clientSecretEnv" or "certificate" is required',
    });
  }
});

export const DEFAULT_QUICK_REPLIES = [
  "In a meeting — I'll call you back.",
  "Can't talk now. Send me an IM?",
  'On my way, 10 minutes.',
] as const;

/** Longest reply text sent as an IM. */
export const MAX_REPLY_LENGTH = 500;

export const settingsSchema = z
  .object({
    /** Default reason for UCWA accounts that set none. */
    ucwaDeclineReason: z.enum(CALL_DECLINE_REASONS).default('Global'),
    /** Default reason for Graph accounts that set none. */
    graphDeclineReason: z.enum(GRAPH_REJECT_REASONS).default('none'),
    ringtone: z.boolean().default(true),
    startAtLogin: z.boolean().default(false),
    /** Global shortcuts (accelerator or null = off); see shortcuts.ts. */
    shortcuts: shortcutsSchema.default(DEFAULT_SHORTCUTS),
    /** "Reply with a message" texts offered on a UCWA toast. */
    quickReplies: z
      .array(z.string().trim().min(1, 'must not be empty').max(500))
      .max(10)
      .default([...DEFAULT_QUICK_REPLIES]),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

function uniqueIds(accounts: { id: string }[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  accounts.forEach((a, i) => {
    if (seen.has(a.id)) {
      ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `duplicate id "${a.id}"` });
    }
    seen.add(a.id);
  });
}

/** The headless config file: `{"accounts":[...]}`. */
export const configFileSchema = z
  .object({
    accounts: z.array(accountWithSecretSchema),
    settings: settingsSchema.partial().optional(),
  })
  .strict()
  .superRefine((c, ctx) => uniqueIds(c.accounts, ctx));
export type ConfigFile = z.infer<typeof configFileSchema>;

/** `accounts[0].sipAddress: must look like user@domain` — one line per problem. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path
        .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
        .join('');
      return `${path || '(root)'}: ${i.message}`;
    })
    .join('\n');
}

/** Reasons offered by a provider, default first. */
export function reasonsFor(provider: 'ucwa' | 'graph'): readonly string[] {
  return provider === 'ucwa' ? CALL_DECLINE_REASONS : GRAPH_REJECT_REASONS;
}
