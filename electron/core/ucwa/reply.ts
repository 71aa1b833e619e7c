/**
 * "Reply with a message": after a decline, an instant message to the caller
 * [SendAnIM.md, startMessaging2_ref.md]. `POST <communication.startMessaging>` with `to` (the
 * caller's SIP URI), an `operationId`, `importance` Normal and the text as the first message
 * (`_links.message.href` = a `data:text/plain` URI). 201 = sent. Then the outgoing
 * messagingInvitation is followed on the event channel: `completed` with Failure (declined,
 * not answered in time) ends it; the messaging modality `Connected` (the caller accepted) →
 * `POST <stopMessaging>`, so the caller's next message rings here as a new invitation.
 * Nothing is sent twice.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../deps.js';
import type { CapabilityResult } from '../provider.js';
import {
  failureOf,
  inputBody,
  notConnected,
  postAction,
  type FeatureContext,
  type FeatureLinkCache,
} from './capabilities.js';
import type { Happening, Resource } from './events.js';
import { linkOf, resolveHref } from './links.js';

/** How long an outgoing reply is followed before it is forgotten (the server gives up after ~30 s). */
export const REPLY_FOLLOW_MS = 90_000;

/** The text as a `data:` URI, URL-encoded like Microsoft's trace (`Hi+Tosh%0d%0a`) would, but with %20. */
export function textDataUri(text: string): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}

interface Pending {
  operationId: string;
  invitation: string | null;
  messaging: string | null;
  stopHref: string | null;
  stopped: boolean;
  timer: TimerHandle;
}

export class ReplyTracker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ctx: FeatureContext,
    private readonly links: FeatureLinkCache,
    private readonly clock: Clock,
  ) {}

  /** Replies being followed (for tests and logs). */
  get following(): number {
    return this.pending.size;
  }

  async send(to: string, text: string): Promise<CapabilityResult> {
    const what = 'The reply was not sent';
    let href: string | null;
    try {
      href = (await this.links.get('startMessaging'))?.startMessaging ?? null;
    } catch (err) {
      return { ok: false, error: failureOf(err, what) };
    }
    if (!this.ctx.appSelf()) return { ok: false, error: notConnected(what) };
    if (!href)
      return {
        ok: false,
        error: {
          status: null,
          code: 'NoStartMessaging',
          subcode: null,
          message: `${what}: the server offers no way to start an IM.`,
        },
      };
    const operationId = randomUUID().replace(/-/g, '');
    const body = inputBody(
      this.ctx.payloadFormat,
      { importance: 'Normal', operationId, to },
      { message: textDataUri(text) },
    );
    const p: Pending = {
      operationId,
      invitation: null,
      messaging: null,
      stopHref: null,
      stopped: false,
      timer: this.clock.setTimeout(() => this.finish(p, 'no answer'), REPLY_FOLLOW_MS),
    };
    this.pending.set(operationId, p);
    const result = await postAction(this.ctx, href, what, body);
    if (!result.ok) {
      this.finish(p, 'refused');
      return result;
    }
    if (this.pending.get(operationId) === p && result.location) p.invitation ??= result.location;
    this.ctx.log.info('reply sent', { operationId });
    return { ok: true };
  }

  /** Takes the events of outgoing replies; true when `h` was one of them (nothing else to do). */
  observe(h: Happening): boolean {
    if (this.pending.size === 0) return false;
    if (h.kind === 'resource') {
      if (h.rel !== 'messaging') return false;
      const p = [...this.pending.values()].find((x) => x.messaging === h.href);
      if (!p) return false;
      this.learn(p, h.resource ?? null, h.href);
      if (h.resource && String(h.resource.state) === 'Connected') this.stop(p);
      return true;
    }
    if (h.rel !== 'messagingInvitation') return false;
    const opId = h.resource && typeof h.resource.operationId === 'string' ? h.resource.operationId : null;
    const p =
      (opId ? this.pending.get(opId) : undefined) ?? [...this.pending.values()].find((x) => x.invitation === h.href);
    if (!p) return false;
    p.invitation ??= h.href;
    if (h.resource) this.learn(p, h.resource, h.href);
    if (h.kind === 'invitationCompleted') {
      if (h.status === 'Success') {
        if (p.stopHref) this.stop(p);
        // else: wait for messaging Connected (it carries stopMessaging), or the follow timer
      } else this.finish(p, `not accepted (${h.reason?.subcode ?? h.reason?.code ?? h.status ?? 'ended'})`);
    }
    return true;
  }

  /** The session is gone: forget every reply (their links are dead). */
  reset(): void {
    for (const p of [...this.pending.values()]) this.finish(p, 'session ended');
  }

  private learn(p: Pending, resource: Resource | null, base: string): void {
    if (!resource) return;
    const abs = (rel: string): string | null => {
      const l = linkOf(resource, rel);
      if (!l) return null;
      try {
        return resolveHref(base, l.href);
      } catch {
        return null;
      }
    };
    if (String(resource.rel ?? '') === 'messaging' || p.messaging === base)
      p.stopHref = abs('stopMessaging') ?? p.stopHref;
    else p.messaging = abs('messaging') ?? p.messaging;
  }

  private stop(p: Pending): void {
    if (p.stopped || !p.stopHref) return;
    p.stopped = true;
    const href = p.stopHref;
    void postAction(this.ctx, href, 'stopMessaging failed').then((r) => {
      if (r.ok) this.ctx.log.info('reply conversation stopped', { operationId: p.operationId });
      else this.ctx.log.warn('could not stop the reply conversation', { code: r.error.code, status: r.error.status });
    });
    this.finish(p, 'accepted and stopped');
  }

  private finish(p: Pending, why: string): void {
    if (this.pending.get(p.operationId) !== p) return;
    this.clock.clearTimeout(p.timer);
    this.pending.delete(p.operationId);
    this.ctx.log.debug('reply followed to its end', { operationId: p.operationId, why });
  }
}
