/**
 * The one IPC contract between the main process and the renderers.
 *
 * Every channel's name, payload schema and result type lives here; preload builds
 * `window.softphone` from it, main validates every payload with it before a handler runs, and
 * the renderer imports only these types. Nothing else crosses the process boundary.
 */
import { z } from 'zod';
import {
  accountSchema,
  CALL_DECLINE_REASONS,
  DEFAULT_QUICK_REPLIES,
  FORWARD_URI,
  MAX_REPLY_LENGTH,
  GRAPH_REJECT_REASONS,
  settingsSchema,
  type AccountConfig,
  type Settings,
} from './core/config.js';
import type {
  DeclineCommandResult,
  EngineEvent,
  EngineSnapshot,
  ForwardingView,
  ReplyCommandResult,
} from './core/engine.js';
import type { HistoryEntry } from './core/history.js';
import type { DeclineError, ForwardTarget, Invitation, Outcome } from './core/invitation.js';
import type { AccountError, AccountState, CapabilityResult } from './core/provider.js';
import { forwardTargetSchema } from './core/schemas.js';
import {
  acceleratorProblem,
  DEFAULT_SHORTCUTS,
  SHORTCUT_ACTIONS,
  type ShortcutAction,
  type ShortcutStatus,
} from './core/shortcuts.js';

export type {
  AccountConfig,
  AccountError,
  AccountState,
  CapabilityResult,
  DeclineCommandResult,
  ForwardingView,
  ReplyCommandResult,
  DeclineError,
  EngineEvent,
  ForwardTarget,
  HistoryEntry,
  Invitation,
  Outcome,
  Settings,
};
export { acceleratorProblem, DEFAULT_SHORTCUTS, SHORTCUT_ACTIONS, type ShortcutAction, type ShortcutStatus };
export { CALL_DECLINE_REASONS, DEFAULT_QUICK_REPLIES, GRAPH_REJECT_REASONS, MAX_REPLY_LENGTH };
export { DND_CHOICE_LABELS, DND_CHOICES, dndEndFor, formatDndRemaining, type DndChoice } from './core/dndTimer.js';

/** An account as the UI sees it: its config without any secret, plus whether one is stored. */
export type AccountSummary = AccountConfig & { hasSecret: boolean };

export type SimulateKind = 'messaging' | 'phoneAudio' | 'onlineMeeting' | 'audioVideo' | 'graphCall';

export interface AppSnapshot extends EngineSnapshot {
  settings: Settings;
  accountConfigs: AccountSummary[];
  /** True when no account is configured and the embedded simulator is serving (demo mode). */
  demo: boolean;
  /** Problems the user should know about (e.g. a corrupt settings file that was set aside). */
  notices: Notice[];
  /** Global shortcuts as registered with the OS (absent or empty where the shell has none). */
  shortcuts?: ShortcutStatus[];
}

export interface Notice {
  id: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** What main pushes to renderers on CHANNELS.event. */
export type AppEvent =
  | EngineEvent
  | { type: 'settings'; settings: Settings }
  | { type: 'accounts'; accountConfigs: AccountSummary[]; demo: boolean }
  | { type: 'notice'; notice: Notice }
  /** The global shortcuts were (re)registered: which hold, which another application has. */
  | { type: 'shortcuts'; shortcuts: ShortcutStatus[] }
  /** The "ignore the newest" shortcut: the toast hides its newest ringing invitation. */
  | { type: 'ignoreNewest' }
  /** A toast asked the main window to compose a custom reply to this invitation. */
  | { type: 'composeReply'; id: string };

/* ----------------------------------------------------------------------------------------
 * Channels and payload schemas (renderer → main: ipcRenderer.invoke / ipcMain.handle)
 * -------------------------------------------------------------------------------------- */

const invitationId = z.string().min(1).max(2100);
const reason = z.string().min(1).max(64);

/** The secret entered in the account form: a UCWA password or a Graph client secret. */
const secret = z.string().min(1).max(4096);

export const saveAccountSchema = z
  .object({
    account: accountSchema,
    /** Omitted when editing an account whose stored secret stays as it is. */
    secret: secret.optional(),
  })
  .strict();
export type SaveAccountInput = z.infer<typeof saveAccountSchema>;

export const invokeSchemas = {
  'softphone:snapshot': z.undefined(),
  'softphone:decline': z.object({ id: invitationId, reason: reason.optional() }).strict(),
  'softphone:declineAll': z.object({ reason: reason.optional() }).strict(),
  'softphone:forward': z.object({ id: invitationId, target: forwardTargetSchema }).strict(),
  /** `until`: timed DND ends by itself then (ms since the epoch); null/absent: until turned off. */
  'softphone:setDnd': z.object({ on: z.boolean(), until: z.number().int().positive().nullable().optional() }).strict(),
  'softphone:reply': z.object({ id: invitationId, text: z.string().trim().min(1).max(MAX_REPLY_LENGTH) }).strict(),
  'softphone:setForwarding': z
    .object({
      accountId: z.string().min(1).max(64),
      to: z.union([
        z.literal('off'),
        z.literal('voicemail'),
        z.string().max(80).regex(FORWARD_URI, 'must be "off", "voicemail" or a sip:/tel: URI'),
      ]),
    })
    .strict(),
  'softphone:refreshForwarding': z.undefined(),
  /** "Reply with a message → Custom…": show the main window composing a reply to `id`. */
  'softphone:composeReply': z.object({ id: invitationId }).strict(),
  'softphone:saveAccount': saveAccountSchema,
  'softphone:removeAccount': z.object({ accountId: z.string().min(1).max(64) }).strict(),
  // "Try signing in again" on an account in error (issue 7): sends a refused password once more.
  'softphone:retryAccount': z.object({ accountId: z.string().min(1).max(64) }).strict(),
  'softphone:saveSettings': settingsSchema.partial().strict(),
  'softphone:simulate': z
    .object({ kind: z.enum(['messaging', 'phoneAudio', 'onlineMeeting', 'audioVideo', 'graphCall']) })
    .strict(),
  'softphone:showMainWindow': z.undefined(),
  'softphone:toastSize': z
    .object({ width: z.number().int().min(0).max(2000), height: z.number().int().min(0).max(4000) })
    .strict(),
} as const;

export type InvokeChannel = keyof typeof invokeSchemas;
export type InvokePayload<C extends InvokeChannel> = z.infer<(typeof invokeSchemas)[C]>;

export interface InvokeResults {
  'softphone:snapshot': AppSnapshot;
  'softphone:decline': DeclineCommandResult;
  'softphone:declineAll': DeclineCommandResult[];
  'softphone:forward': DeclineCommandResult;
  'softphone:setDnd': void;
  'softphone:reply': ReplyCommandResult;
  'softphone:setForwarding': CapabilityResult;
  'softphone:refreshForwarding': void;
  'softphone:composeReply': void;
  'softphone:saveAccount': AccountSummary;
  'softphone:removeAccount': void;
  'softphone:retryAccount': void;
  'softphone:saveSettings': Settings;
  'softphone:simulate': void;
  'softphone:showMainWindow': void;
  'softphone:toastSize': void;
}

/** Main → renderer push channel carrying AppEvent. */
export const EVENT_CHANNEL = 'softphone:event';

/** Errors cross IPC as a result, never as a thrown Error whose message Electron rewrites. */
export type InvokeResponse<C extends InvokeChannel> =
  { ok: true; value: InvokeResults[C] } | { ok: false; error: { code: string; message: string } };

/* ----------------------------------------------------------------------------------------
 * The bridge the renderer sees as `window.softphone`.
 * -------------------------------------------------------------------------------------- */

export interface SoftphoneBridge {
  snapshot(): Promise<AppSnapshot>;
  decline(id: string, reason?: string): Promise<DeclineCommandResult>;
  declineAll(reason?: string): Promise<DeclineCommandResult[]>;
  /** Graph calls: forward (redirect) to one of the account's targets. */
  forward(id: string, target: ForwardTarget): Promise<DeclineCommandResult>;
  /** `until` (ms since the epoch): timed Do Not Disturb. */
  setDnd(on: boolean, until?: number | null): Promise<void>;
  /** Declines and sends `text` to the caller as an IM (UCWA only). */
  reply(id: string, text: string): Promise<ReplyCommandResult>;
  /** Call forwarding of a UCWA account: `off`, `voicemail` or a sip:/tel: URI. */
  setForwarding(accountId: string, to: string): Promise<CapabilityResult>;
  /** Re-reads every account's call forwarding (state comes back as `forwarding` events). */
  refreshForwarding(): Promise<void>;
  /** Shows the main window with a text field to reply to `id` (the toast cannot take focus). */
  composeReply(id: string): Promise<void>;
  saveAccount(input: SaveAccountInput): Promise<AccountSummary>;
  removeAccount(accountId: string): Promise<void>;
  /** Signs the account in again now, even after the server refused its password. */
  retryAccount(accountId: string): Promise<void>;
  saveSettings(patch: Partial<Settings>): Promise<Settings>;
  simulate(kind: SimulateKind): Promise<void>;
  showMainWindow(): Promise<void>;
  reportToastSize(size: { width: number; height: number }): Promise<void>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
}

/** How a bridge reaches main: ipcRenderer in preload, a Playwright binding in browser tests. */
export interface BridgeTransport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<unknown>;
  subscribe(listener: (event: AppEvent) => void): () => void;
}

export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** Builds `window.softphone` over a transport; the same code runs in preload and in e2e. */
export function createBridge(transport: BridgeTransport): SoftphoneBridge {
  const call = async <C extends InvokeChannel>(channel: C, payload: InvokePayload<C>) => {
    const res = (await transport.invoke(channel, payload)) as InvokeResponse<C>;
    if (!res || typeof res !== 'object' || !('ok' in res)) {
      throw new BridgeError('BadResponse', `unexpected response on ${channel}`);
    }
    if (!res.ok) throw new BridgeError(res.error.code, res.error.message);
    return res.value;
  };
  return {
    snapshot: () => call('softphone:snapshot', undefined),
    decline: (id, reason) => call('softphone:decline', reason ? { id, reason } : { id }),
    declineAll: (reason) => call('softphone:declineAll', reason ? { reason } : {}),
    forward: (id, target) => call('softphone:forward', { id, target }),
    setDnd: (on, until) => call('softphone:setDnd', until ? { on, until } : { on }),
    reply: (id, text) => call('softphone:reply', { id, text }),
    setForwarding: (accountId, to) => call('softphone:setForwarding', { accountId, to }),
    refreshForwarding: () => call('softphone:refreshForwarding', undefined),
    composeReply: (id) => call('softphone:composeReply', { id }),
    saveAccount: (input) => call('softphone:saveAccount', input),
    removeAccount: (accountId) => call('softphone:removeAccount', { accountId }),
    retryAccount: (accountId) => call('softphone:retryAccount', { accountId }),
    saveSettings: (patch) => call('softphone:saveSettings', patch),
    simulate: (kind) => call('softphone:simulate', { kind }),
    showMainWindow: () => call('softphone:showMainWindow', undefined),
    reportToastSize: (size) => call('softphone:toastSize', size),
    onEvent: (listener) => transport.subscribe(listener),
  };
}

/** The validated-dispatch half used by main (and by the browser e2e host). */
export type InvokeHandlers = {
  [C in InvokeChannel]: (payload: InvokePayload<C>) => Promise<InvokeResults[C]> | InvokeResults[C];
};

/**
 * Validates `payload` against the channel's schema and runs the handler. Bad payloads are
 * rejected with a message naming the field and never reach a handler.
 */
export async function dispatchInvoke(
  handlers: InvokeHandlers,
  channel: string,
  payload: unknown,
): Promise<InvokeResponse<InvokeChannel>> {
  if (!Object.hasOwn(invokeSchemas, channel)) {
    return { ok: false, error: { code: 'UnknownChannel', message: `unknown channel "${channel}"` } };
  }
  const c = channel as InvokeChannel;
  const parsed = invokeSchemas[c].safeParse(payload);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
    return { ok: false, error: { code: 'InvalidPayload', message: `${c}: ${detail}` } };
  }
  try {
    const handler = handlers[c] as (p: unknown) => unknown;
    const value = await handler(parsed.data);
    return { ok: true, value } as InvokeResponse<InvokeChannel>;
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return {
      ok: false,
      error: {
        code: typeof e.code === 'string' ? e.code : 'Failed',
        message: typeof e.message === 'string' ? e.message : String(err),
      },
    };
  }
}
