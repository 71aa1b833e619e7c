/**
 * Reads Microsoft Graph calling notifications (PROTOCOL.md §5) in both shapes:
 * - today's: `resourceUrl: /communications/calls/{id}`, `resourceData.state`;
 * - the seed's (early beta): `resource: /app/calls/{id}`, `resourceData.callState`.
 * `resourceData` may be one object or an array; state names compare case-insensitively.
 *
 * Pure functions: nothing here throws on bad input. What cannot be understood comes back as
 * an `ignored` event with the reason, for the caller to log.
 */
import type { Invitation, Modality, Party } from '../invitation.js';

export type CallEvent =
  | {
      kind: 'incoming';
      callId: string;
      from: Party;
      modality: Modality;
      /** The call's tenant when the notification says. */
      tenantId: string | null;
    }
  | {
      kind: 'ended';
      callId: string;
      /** What ended it: a `deleted` notification or a terminal state. */
      via: 'deleted' | 'terminated';
    }
  | { kind: 'answered'; callId: string; state: string }
  | { kind: 'ignored'; callId: string | null; why: string };

export const UNKNOWN_CALLER = 'Unknown caller';

/** `/communications/calls/{id}` or `/app/calls/{id}` (optionally absolute or versioned). */
const CALL_RESOURCE =
  /^(?:https?:\/\/[^/]+)?(?:\/(?:v1\.0|beta))?\/(?:communications|app)\/calls\/([^/?#]+)\/?(?:[?#].*)?$/i;

/** States after which a call no longer rings here because something else took it. */
const ANSWERED_STATES = new Set([
  'establishing',
  'established',
  'hold',
  'transferring',
  'transferaccepted',
  'redirecting',
]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** True when `body` is a Graph `commsNotifications` wrapper (`{ value: [...] }`). */
export function isNotificationBatch(body: unknown): body is { value: unknown[] } {
  return isObject(body) && Array.isArray(body.value);
}

/** Every call event in a notification batch, in order. */
export function parseNotifications(body: unknown): CallEvent[] {
  if (!isNotificationBatch(body)) {
    return [{ kind: 'ignored', callId: null, why: 'the body is not a notification batch (no "value" array)' }];
  }
  return body.value.map((n, i) => {
    const ev = parseNotification(n);
    return ev.kind === 'ignored' ? { ...ev, why: `value[${i}]: ${ev.why}` } : ev;
  });
}

export function parseNotification(n: unknown): CallEvent {
  if (!isObject(n)) return { kind: 'ignored', callId: null, why: 'the notification is not an object' };
  const changeType = str(n.changeType)?.toLowerCase();
  if (changeType !== 'created' && changeType !== 'updated' && changeType !== 'deleted') {
    return { kind: 'ignored', callId: null, why: `unknown changeType ${JSON.stringify(n.changeType ?? null)}` };
  }
  const data = callData(n.resourceData);
  const resource = str(n.resourceUrl) ?? str(n.resource);
  let callId: string | null;
  if (resource) {
    const m = CALL_RESOURCE.exec(resource);
    if (!m?.[1]) {
      // participants, operations, ... : not the call itself.
      return { kind: 'ignored', callId: null, why: `resource ${resource} is not a call` };
    }
    callId = safeDecode(m[1]);
  } else {
    callId = data ? str(data.id) : null;
  }
  if (!callId) return { kind: 'ignored', callId: null, why: 'no call id (neither resourceUrl nor resourceData.id)' };

  if (changeType === 'deleted') return { kind: 'ended', callId, via: 'deleted' };
  if (!data) return { kind: 'ignored', callId, why: `${changeType} notification without call data` };

  const state = (str(data.state) ?? str(data.callState) ?? '').toLowerCase();
  if (state === 'terminated') return { kind: 'ended', callId, via: 'terminated' };
  if (ANSWERED_STATES.has(state)) return { kind: 'answered', callId, state };
  if (state !== 'incoming') {
    return { kind: 'ignored', callId, why: `call state ${JSON.stringify(state || null)} needs no action` };
  }
  const direction = str(data.direction)?.toLowerCase();
  if (direction && direction !== 'incoming') {
    return { kind: 'ignored', callId, why: `an ${direction} call is not an invitation` };
  }
  return {
    kind: 'incoming',
    callId,
    from: caller(data.source),
    modality: modality(data.requestedModalities),
    tenantId: str(data.tenantId),
  };
}

/** The call entity in `resourceData` (an object, or the call among an array). */
function callData(resourceData: unknown): Json | null {
  if (isObject(resourceData)) return resourceData;
  if (Array.isArray(resourceData)) {
    const objects = resourceData.filter(isObject);
    return (
      objects.find((o) => str(o['@odata.type'])?.toLowerCase() === '#microsoft.graph.call') ??
      objects.find((o) => 'state' in o || 'callState' in o) ??
      null
    );
  }
  return null;
}

/** Who is calling, from `source.identity` (an identitySet). */
export function caller(source: unknown): Party {
  const identity = isObject(source) && isObject(source.identity) ? source.identity : null;
  if (!identity) return { name: UNKNOWN_CALLER, uri: '' };
  const pick = (key: string): Json | null => (isObject(identity[key]) ? (identity[key] as Json) : null);

  const user = pick('user');
  if (user) return party(user, (id) => id);
  const phone = pick('phone');
  if (phone) {
    const id = str(phone.id);
    return { name: str(phone.displayName) ?? id ?? UNKNOWN_CALLER, uri: id ? `tel:${id}` : '' };
  }
  for (const key of ['guest', 'applicationInstance', 'application', 'onPremises', 'azureCommunicationServicesUser']) {
    const who = pick(key);
    if (who) return party(who, (id) => id);
  }
  // `encrypted` (the app lacks the permission to see the caller) and anything unknown.
  return { name: UNKNOWN_CALLER, uri: '' };
}

function party(identity: Json, uri: (id: string) => string): Party {
  const id = str(identity.id);
  return { name: str(identity.displayName)?.trim() || UNKNOWN_CALLER, uri: id ? uri(id) : '' };
}

/** 'video' when video is requested, otherwise 'call'. */
export function modality(requested: unknown): Modality {
  const list = Array.isArray(requested) ? requested : [];
  return list.some((m) => typeof m === 'string' && m.toLowerCase() === 'video') ? 'video' : 'call';
}

export interface InvitationInput {
  accountId: string;
  callId: string;
  from: Party;
  modality: Modality;
  receivedAt: number;
  /** Kept of the window for delivery and the reject's own trip (default DECISION_MARGIN_MS). */
  marginMs?: number;
  /** The reasons offered, default first. */
  declineReasons: readonly string[];
}

/** Graph's answer window: answer, reject or redirect within 15 s (PROTOCOL.md §1.4). */
export const DECISION_WINDOW_MS = 15_000;
/**
 * The margin kept of that window (PROTOCOL.md §"Handling an incoming call" suggests ≤ 12 s for
 * the UI): the invitation's `expiresAt` — the toast's countdown, and the last moment a reject
 * is started — is receivedAt + 13 s, leaving 2 s for Microsoft's delivery delay and the
 * reject's own trip.
 */
export const DECISION_MARGIN_MS = 2_000;

export function invitationId(accountId: string, callId: string): string {
  return `${accountId}:${callId}`;
}

export function toInvitation(input: InvitationInput): Invitation {
  const [first] = input.declineReasons;
  return {
    id: invitationId(input.accountId, input.callId),
    accountId: input.accountId,
    provider: 'graph',
    modality: input.modality,
    from: { name: input.from.name.slice(0, 512), uri: input.from.uri.slice(0, 2048) },
    subject: '',
    importance: 'normal',
    message: '',
    receivedAt: input.receivedAt,
    expiresAt: input.receivedAt + DECISION_WINDOW_MS - (input.marginMs ?? DECISION_MARGIN_MS),
    declineReasons: [...input.declineReasons],
    defaultDeclineReason: first ?? 'none',
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
