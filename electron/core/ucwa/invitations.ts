/**
 * An embedded UCWA invitation resource → the provider-neutral `Invitation`, plus the action
 * links to cache from this first sighting (later `updated` copies lack them, ReceiveAnIM.md
 * step 10), and the outcome a `completed` event means.
 */
import { createHash } from 'node:crypto';
import { CALL_DECLINE_REASONS, type CallDeclineReason } from '../config.js';
import type { Importance, Invitation, Modality, Outcome } from '../invitation.js';
import { decodeDataUriText, isDataUri } from './dataUri.js';
import type { UcwaErrorBody } from './errors.js';
import type { InvitationRel, Resource } from './events.js';
import { embeddedOf, linkOf, resolveHref } from './links.js';

export const MODALITY_BY_REL: Record<InvitationRel, Modality> = {
  messagingInvitation: 'messaging',
  phoneAudioInvitation: 'audio',
  onlineMeetingInvitation: 'meeting',
  audioVideoInvitation: 'video',
};

/** Links worth keeping from the first sighting of an invitation. */
export const ACTION_RELS = [
  'decline',
  'accept',
  'acceptWithAnswer',
  'acceptWithPhoneAudio',
  'cancel',
  'conversation',
] as const;
export type ActionRel = (typeof ACTION_RELS)[number];
export type ActionLinks = Partial<Record<ActionRel, string>>;

// Limits of invitationSchema (electron/core/schemas.ts).
const MAX = { id: 2048, name: 512, uri: 2048, subject: 4096, message: 16_384 } as const;

/** Stable, opaque, unique across accounts: the account id plus the invitation's absolute href. */
export function invitationId(accountId: string, href: string): string {
  const id = `${accountId}:${href}`;
  if (id.length <= MAX.id) return id;
  return `${accountId}:sha256:${createHash('sha256').update(href).digest('hex')}`;
}

/** The reasons menu: every CallDeclineReason, the default first. */
export function declineReasonsWithDefault(def: CallDeclineReason): CallDeclineReason[] {
  return [def, ...CALL_DECLINE_REASONS.filter((r) => r !== def)];
}

function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = s.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  return `${out}…`;
}

/** One line of display text: control characters become spaces. */
function oneLine(v: unknown, max: number): string {
  if (typeof v !== 'string') return '';
  // eslint-disable-next-line no-control-regex
  return clip(v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(), max);
}

function toImportance(v: unknown): Importance {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  return s === 'urgent' || s === 'emergency' ? s : 'normal';
}

/** The decoded first message: the `message` link's data URI, or a `message` property. */
function messageOf(resource: Resource): string {
  const link = linkOf(resource, 'message');
  let text: string | null = null;
  if (link && isDataUri(link.href)) text = decodeDataUriText(link.href);
  if (text === null && typeof resource.message === 'string') {
    text = isDataUri(resource.message) ? decodeDataUriText(resource.message) : resource.message;
  }
  // eslint-disable-next-line no-control-regex
  return text === null ? '' : clip(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ''), MAX.message);
}

function fromOf(resource: Resource): { name: string; uri: string } {
  const from = embeddedOf(resource, 'from');
  let name = oneLine(from?.name, MAX.name);
  const uri = oneLine(from?.uri, MAX.uri);
  if (!name) name = oneLine(linkOf(resource, 'from')?.title, MAX.name);
  if (!name) name = uri.replace(/^(sip|tel):/i, '') || 'Unknown caller';
  return { name: clip(name, MAX.name), uri };
}

export interface ToInvitationInput {
  accountId: string;
  rel: InvitationRel;
  /** Absolute href of the invitation (its identity). */
  href: string;
  resource: Resource;
  now: number;
  defaultDeclineReason: CallDeclineReason;
}

/** True when the resource is an incoming invitation (only those ring). */
export function isIncoming(resource: Resource): boolean {
  return typeof resource.direction === 'string' && resource.direction.toLowerCase() === 'incoming';
}

/** Maps an invitation resource to an Invitation (call only for incoming ones). */
export function toInvitation(input: ToInvitationInput): Invitation {
  const { resource } = input;
  return {
    id: invitationId(input.accountId, input.href),
    accountId: input.accountId,
    provider: 'ucwa',
    modality: MODALITY_BY_REL[input.rel],
    from: fromOf(resource),
    subject: oneLine(resource.subject, MAX.subject),
    importance: toImportance(resource.importance),
    message: messageOf(resource),
    receivedAt: input.now,
    expiresAt: null,
    declineReasons: declineReasonsWithDefault(input.defaultDeclineReason),
    defaultDeclineReason: input.defaultDeclineReason,
  };
}

/** The action links of an invitation resource, resolved absolute; unsafe ones are left out. */
export function actionLinksOf(resource: Resource, base: string): ActionLinks {
  const out: ActionLinks = {};
  for (const rel of ACTION_RELS) {
    const l = linkOf(resource, rel);
    if (!l) continue;
    try {
      out[rel] = resolveHref(base, l.href);
    } catch {
      /* an unusable link is the same as a missing one */
    }
  }
  return out;
}

/**
 * What a `completed` (or `deleted`) event means for a ringing invitation, whatever its
 * status [PROTOCOL.md §9.1, INF]: the reason's subcode first, then the status.
 */
export function outcomeOf(status: string | null, reason: UcwaErrorBody | null): Outcome {
  switch ((reason?.subcode ?? '').toLowerCase()) {
    case 'declined':
      return 'declined';
    case 'canceled':
    case 'cancelled':
      return 'cancelled';
    case 'connectedelsewhere':
    case 'autoaccepted':
      return 'answeredElsewhere';
    case 'missed':
    case 'timeout':
      return 'missed';
  }
  switch ((status ?? '').toLowerCase()) {
    case 'failure':
      return 'failed';
    case 'success':
      return 'answeredElsewhere';
  }
  return 'gone';
}
