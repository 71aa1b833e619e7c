/**
 * Words the UI shows for the engine's values: invitation kinds, decline reasons, outcomes,
 * account states. One place, so the toast, the history and the settings agree.
 */
import type { AccountState, ForwardTarget, Invitation, Outcome } from '../../../electron/contract.js';

/** "IM", "Call", "Meeting", "Video call", or "Teams call" for every Graph invitation. */
export function kindLabel(inv: Pick<Invitation, 'provider' | 'modality'>): string {
  if (inv.provider === 'graph') return 'Teams call';
  switch (inv.modality) {
    case 'messaging':
      return 'IM';
    case 'audio':
    case 'call':
      return 'Call';
    case 'video':
      return 'Video call';
    case 'meeting':
      return 'Meeting';
  }
}

/** What the toast's heading says before the caller's name: "Incoming call from". */
export function kindPhrase(inv: Pick<Invitation, 'provider' | 'modality'>): string {
  if (inv.provider === 'graph') return 'Incoming Teams call from';
  switch (inv.modality) {
    case 'messaging':
      return 'Instant message from';
    case 'audio':
    case 'call':
      return 'Incoming call from';
    case 'video':
      return 'Incoming video call from';
    case 'meeting':
      return 'Meeting invitation from';
  }
}

/** A directory object id (user, application): a GUID, with or without braces. */
const OBJECT_ID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * The caller's address as a person reads it under their name, or '' when it adds nothing:
 * a Graph caller's directory object id (a bare GUID) means nothing to a person, a phone
 * caller's `tel:` is dropped, and an address equal to the name is not repeated.
 */
export function callerAddress(inv: Pick<Invitation, 'provider' | 'from'>): string {
  const name = inv.from.name.trim();
  let address = inv.from.uri.trim();
  if (inv.provider === 'graph') {
    if (OBJECT_ID.test(address)) return '';
    address = address.replace(/^tel:/i, '');
  }
  return address === name ? '' : address;
}

const UCWA_REASON_LABELS: Record<string, string> = {
  Global: 'Decline everywhere',
  Local: 'Decline on this device only',
  Unknown: 'Decline without a reason',
  MediaAllocationFailure: 'Media allocation failure',
  EncryptionMismatch: 'Encryption mismatch',
  IPv6NotSupported: 'IPv6 not supported',
  MediaConnectivityFailure: 'Media connectivity failure',
  CodecMismatch: 'Codec mismatch',
  UnsupportedMedia: 'Unsupported media',
  InvalidMediaOffer: 'Invalid media offer',
  InsufficientBandwidth: 'Insufficient bandwidth',
  InsufficientBandwidthRerouteOverPstn: 'Insufficient bandwidth (reroute over PSTN)',
};

const GRAPH_REASON_LABELS: Record<string, string> = {
  none: 'Decline',
  busy: 'Busy',
  forbidden: 'Forbidden',
};

/** A readable label for a decline reason of the given provider; unknown values are spelled out. */
export function reasonLabel(provider: 'ucwa' | 'graph', reason: string): string {
  const table = provider === 'ucwa' ? UCWA_REASON_LABELS : GRAPH_REASON_LABELS;
  if (Object.hasOwn(table, reason)) return table[reason] as string;
  const words = reason.replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : reason;
}

/** UCWA reasons that are protocol-level technicalities rather than a person's choice. */
export function isTechnicalReason(provider: 'ucwa' | 'graph', reason: string): boolean {
  return provider === 'ucwa' && reason !== 'Global' && reason !== 'Local';
}

export const OUTCOME_LABELS: Record<Outcome, string> = {
  declined: 'Declined',
  cancelled: 'Cancelled by the caller',
  answeredElsewhere: 'Answered elsewhere',
  missed: 'Missed',
  timedOut: 'Timed out',
  failed: 'Failed',
  gone: 'Gone',
  forwarded: 'Forwarded',
};

/** A forward target as a person reads it: its label, else the number or user id. */
export function forwardTargetText(target: ForwardTarget): string {
  return target.label ?? ('userId' in target ? target.userId : target.phone);
}

export const ACCOUNT_STATE_LABELS: Record<AccountState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  error: 'Error',
  stopped: 'Stopped',
};

/** "0:07", "1:05", "1:02:03" — how long something has been going on. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Whole seconds left until `deadline`, rounded up, never negative. */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}
