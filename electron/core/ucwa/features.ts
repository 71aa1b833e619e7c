/**
 * The issue-9 capabilities of one UCWA account, composed for UcwaProvider: presence mirroring
 * DND (presence.ts), "reply with a message" (reply.ts) and call forwarding (forwarding.ts).
 * The provider delegates to it and routes it the event-channel happenings it owns.
 */
import type { UcwaAccount } from '../config.js';
import type { Clock } from '../deps.js';
import type { Invitation } from '../invitation.js';
import type { CapabilityResult, ForwardingChoice, ForwardingState } from '../provider.js';
import { FeatureLinkCache, type FeatureContext } from './capabilities.js';
import type { Happening } from './events.js';
import { ForwardingClient } from './forwarding.js';
import { setPresenceDnd } from './presence.js';
import { ReplyTracker } from './reply.js';

export class UcwaFeatures {
  private readonly links: FeatureLinkCache;
  private readonly replies: ReplyTracker;
  private readonly forwarding: ForwardingClient;

  constructor(
    private readonly account: UcwaAccount,
    private readonly ctx: FeatureContext,
    clock: Clock,
    report: (state: ForwardingState) => void,
  ) {
    this.links = new FeatureLinkCache(ctx);
    this.replies = new ReplyTracker(ctx, this.links, clock);
    this.forwarding = new ForwardingClient(ctx, this.links, report);
  }

  /** Signed in (again): read the forwarding state. */
  onConnected(): void {
    void this.forwarding.refresh().then((r) => {
      if (!r.ok) this.ctx.log.info('call forwarding not available', { code: r.error.code });
    });
  }

  /** The session's links are gone. */
  reset(): void {
    this.links.reset();
    this.replies.reset();
    this.forwarding.reset();
  }

  /** True when the happening belonged to a feature (the provider has nothing more to do). */
  observe(h: Happening): boolean {
    return this.replies.observe(h) || this.forwarding.observe(h);
  }

  reply(invitation: Invitation, text: string): Promise<CapabilityResult> {
    const to = invitation.from.uri;
    if (!to || !/^sip:[^@\s]+@[^@\s]+$/i.test(to)) {
      return Promise.resolve({
        ok: false,
        error: {
          status: null,
          code: 'NoSipAddress',
          subcode: null,
          message: 'The reply was not sent: the caller has no SIP address to send an IM to.',
        },
      });
    }
    return this.replies.send(to, text);
  }

  setPresenceDnd(on: boolean): Promise<CapabilityResult> {
    if (this.account.mirrorDndToPresence === false) return Promise.resolve({ ok: true });
    return setPresenceDnd(this.ctx, this.links, on);
  }

  setForwarding(to: ForwardingChoice): Promise<CapabilityResult> {
    return this.forwarding.set(to);
  }

  refreshForwarding(): Promise<CapabilityResult> {
    return this.forwarding.refresh();
  }
}
