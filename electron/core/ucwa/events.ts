/**
 * A P-GET response body → the continuation link and an ordered list of typed happenings.
 *
 * Shape [PROTOCOL.md §7.2]: `{_links:{self, next|resume|resync}, sender:[{rel, href,
 * events:[{link:{rel,href}, _embedded?, status?, reason?, type}]}]}`. Senders and events are
 * kept strictly in array order (the same sender may occur several times). Parsing is total:
 * anything malformed becomes a `problem` (for the log) and is skipped; nothing throws.
 */
import { reasonOf, type UcwaErrorBody } from './errors.js';
import { embeddedOf, linkOf, resolveHref } from './links.js';

export const INVITATION_RELS = [
  'messagingInvitation',
  'phoneAudioInvitation',
  'onlineMeetingInvitation',
  'audioVideoInvitation',
] as const;
export type InvitationRel = (typeof INVITATION_RELS)[number];

export function isInvitationRel(rel: string): rel is InvitationRel {
  return (INVITATION_RELS as readonly string[]).includes(rel);
}

export type Resource = Record<string, unknown>;

export type Happening =
  | {
      kind: 'invitationStarted';
      rel: InvitationRel;
      /** Absolute href of the invitation (its identity). */
      href: string;
      /** The embedded invitation, or null when the event did not embed it (GET the href). */
      resource: Resource | null;
    }
  | { kind: 'invitationUpdated'; rel: InvitationRel; href: string; resource: Resource | null }
  | {
      kind: 'invitationCompleted';
      rel: InvitationRel;
      href: string;
      /** 'Success' | 'Failure' as sent (null when absent, e.g. a `deleted` event). */
      status: string | null;
      reason: UcwaErrorBody | null;
      resource: Resource | null;
    }
  /** Any other event (conversation added, me updated...); `resource` is its `_embedded` copy, if any. */
  | { kind: 'resource'; type: string; rel: string; href: string; senderRel: string; resource?: Resource | null };

export type ContinuationKind = 'next' | 'resume' | 'resync';

export interface EventBatch {
  self: string | null;
  /** Where the next P-GET goes; null when the body carried no usable continuation link. */
  continuation: { kind: ContinuationKind; href: string } | null;
  happenings: Happening[];
  /** What was malformed and skipped, one short line each (never event contents). */
  problems: string[];
}

/** Upper bound of events taken from one body (a hostile body cannot make us loop forever). */
export const MAX_EVENTS_PER_BATCH = 5000;
const MAX_PROBLEMS = 50;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return [v]; // a single sender/event not wrapped in an array
  return null;
}

/**
 * Parses a P-GET body (already JSON-parsed, or a string). `base` is the UCWA URL the hrefs are
 * relative to. Continuation precedence: resync, then resume, then next (Microsoft's sample
 * checks resync first).
 */
export function parseEventBatch(body: unknown, base: string): EventBatch {
  const problems: string[] = [];
  const problem = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  let doc = body;
  if (typeof body === 'string') {
    try {
      doc = JSON.parse(body);
    } catch {
      return { self: null, continuation: null, happenings: [], problems: ['the body is not JSON'] };
    }
  }
  if (!isObject(doc)) {
    return { self: null, continuation: null, happenings: [], problems: ['the body is not a JSON object'] };
  }
  const resolve = (href: string, what: string): string | null => {
    try {
      return resolveHref(base, href);
    } catch (err) {
      problem(`${what}: ${(err as Error).message}`);
      return null;
    }
  };

  const selfLink = linkOf(doc, 'self');
  const self = selfLink ? resolve(selfLink.href, 'self link') : null;
  let continuation: EventBatch['continuation'] = null;
  for (const kind of ['resync', 'resume', 'next'] as const) {
    const l = linkOf(doc, kind);
    if (!l) continue;
    const href = resolve(l.href, `${kind} link`);
    if (href) {
      continuation = { kind, href };
      break;
    }
  }
  if (!continuation) problem('no usable next/resume/resync link');

  const happenings: Happening[] = [];
  const senders = doc.sender === undefined ? [] : asArray(doc.sender);
  if (!senders) problem('"sender" is not an array');
  let count = 0;
  for (const [si, sender] of (senders ?? []).entries()) {
    if (!isObject(sender)) {
      problem(`sender[${si}] is not an object`);
      continue;
    }
    const senderRel = typeof sender.rel === 'string' ? sender.rel : '';
    const events = sender.events === undefined ? [] : asArray(sender.events);
    if (!events) {
      problem(`sender[${si}].events is not an array`);
      continue;
    }
    for (const [ei, ev] of events.entries()) {
      if (++count > MAX_EVENTS_PER_BATCH) {
        problem(`more than ${MAX_EVENTS_PER_BATCH} events; the rest were skipped`);
        return { self, continuation, happenings, problems };
      }
      const where = `sender[${si}].events[${ei}]`;
      if (!isObject(ev)) {
        problem(`${where} is not an object`);
        continue;
      }
      const link = ev.link;
      if (!isObject(link) || typeof link.rel !== 'string' || typeof link.href !== 'string' || !link.href) {
        problem(`${where} has no link {rel, href}`);
        continue;
      }
      if (typeof ev.type !== 'string') {
        problem(`${where} has no type`);
        continue;
      }
      const type = ev.type.toLowerCase();
      const rel = link.rel;
      const href = resolve(link.href, `${where}.link`);
      if (!href) continue;

      if (!isInvitationRel(rel)) {
        const embedded = embeddedOf(ev, rel);
        happenings.push(
          embedded
            ? { kind: 'resource', type, rel, href, senderRel, resource: embedded }
            : { kind: 'resource', type, rel, href, senderRel },
        );
        continue;
      }
      const resource = embeddedOf(ev, rel);
      if (ev._embedded !== undefined && !resource) problem(`${where}._embedded has no usable ${rel}`);
      switch (type) {
        case 'started':
          happenings.push({ kind: 'invitationStarted', rel, href, resource });
          break;
        case 'updated':
          happenings.push({ kind: 'invitationUpdated', rel, href, resource });
          break;
        case 'completed':
        case 'deleted':
          happenings.push({
            kind: 'invitationCompleted',
            rel,
            href,
            status: typeof ev.status === 'string' ? ev.status : null,
            reason: reasonOf(ev.reason),
            resource,
          });
          break;
        default:
          problem(`${where} has an unknown type for ${rel}`);
      }
    }
  }
  return { self, continuation, happenings, problems };
}
