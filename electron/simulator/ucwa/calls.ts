/**
 * Incoming calls: one logical call forked into one invitation leg per available application
 * (endpoint), and the event sequences each step produces, after ReceiveAnIM.md:
 *   ring     → [communication] invitation `started` (with action links) + conversation `added`,
 *              [conversation] localParticipant `added`; once that batch is sent the next one
 *              brings the remote participant `added` and the invitation `updated` (no action links)
 *   end      → [conversation] modality `updated` Disconnected, [communication] invitation
 *              `completed` (status + reason) + conversation `deleted`
 *   accept   → invitation `completed` Success, conversation `updated` Connected
 * Decline with reason `Local` ends only that leg; any other reason ends the whole call.
 */
import type { ChannelEvent } from './channel.js';
import type { IdSource } from './ids.js';
import { sampleCaller } from './samples.js';
import {
  KIND_MODALITY,
  KIND_PATH,
  conversationJson,
  invitationJson,
  participantHref,
  participantJson,
  paths,
  type Call,
  type Leg,
  type Linker,
  type SimApp,
} from './resources.js';
import type { CompleteOptions, InvitationKind, RingHandle, RingLeg, RingOptions } from './types.js';

export interface Outcome {
  status: 'Success' | 'Failure';
  code?: string;
  subcode?: string;
  message?: string;
}

export class CallBook {
  private readonly calls = new Map<string, { call: Call; handle: RingHandle }>();
  private sampleIndex = 0;

  constructor(
    private readonly ids: IdSource,
    private readonly linkFor: (app: SimApp) => Linker,
  ) {}

  /** Ringing calls (bounded: completed calls are forgotten). */
  get ringing(): number {
    return this.calls.size;
  }

  ring(apps: SimApp[], kind: InvitationKind, opts: RingOptions): RingHandle {
    const sample = sampleCaller(this.sampleIndex++, kind);
    const fromName = opts.fromName ?? sample.name;
    const call: Call = {
      id: this.ids.hex('call', 24),
      kind,
      rel: `${kind}Invitation`,
      fromName,
      fromUri: normaliseSip(
        opts.fromUri ?? (opts.fromName ? `${fromName.toLowerCase().replace(/[^a-z]+/g, '.')}@contoso.com` : sample.uri),
      ),
      subject: opts.subject ?? (opts.fromName ? '' : sample.subject),
      importance: opts.importance ?? 'Normal',
      message:
        opts.message ??
        (kind === 'messaging' || kind === 'onlineMeeting'
          ? opts.fromName
            ? 'Hi there\r\n'
            : sample.message
          : undefined),
      base64: Boolean(opts.base64Message),
      embed: opts.embed !== false,
      threadId: Buffer.from(this.ids.hex('thread', 40), 'hex').toString('base64'),
      legs: [],
    };
    const handleLegs: RingLeg[] = [];
    for (const app of apps) {
      const leg: Leg = { id: this.ids.hex('inv'), app, call, convId: this.ids.hex('conv', 16), state: 'ringing' };
      call.legs.push(leg);
      app.legs.set(leg.id, leg);
      handleLegs.push(this.handleLeg(leg));
      app.channel.enqueue(this.ringEvents(leg, Boolean(opts.updatedBeforeStarted)));
    }
    const first = handleLegs[0]!;
    const handle: RingHandle = {
      id: call.id,
      kind,
      rel: call.rel,
      fromName: call.fromName,
      fromUri: call.fromUri,
      href: first.href,
      declineHref: first.declineHref,
      legs: handleLegs,
    };
    this.calls.set(call.id, { call, handle });
    return handle;
  }

  find(id: string): Call | undefined {
    return this.calls.get(id)?.call;
  }

  /** End every ringing leg of a call. */
  endCall(call: Call, outcome: Outcome): void {
    for (const leg of call.legs) if (leg.state === 'ringing') this.endLeg(leg, outcome);
  }

  /** Decline as the docs describe: `Local` ends this leg only, anything else the whole call. */
  decline(leg: Leg, reason: string | undefined): void {
    const declined = (message: string): Outcome => ({
      status: 'Failure',
      code: 'LocalFailure',
      subcode: 'Declined',
      message,
    });
    if (reason === 'Local') this.endLeg(leg, declined('The invitation was declined on this endpoint.'));
    else {
      this.endLeg(leg, declined('The invitation was declined.'));
      this.endCall(leg.call, declined('The invitation was declined on another endpoint.'));
    }
  }

  /** Accepted on this endpoint: this leg succeeds, the others end ConnectedElsewhere. */
  accept(leg: Leg): void {
    const link = this.linkFor(leg.app);
    this.finish(leg);
    const comm = communicationSender(leg.app, link);
    leg.app.channel.enqueue([
      {
        sender: comm,
        event: {
          link: { rel: leg.call.rel, href: link(paths.invitation(leg)) },
          status: 'Success',
          ...this.embedded(leg, link, { state: 'Connected' }),
          type: 'completed',
        },
      },
      {
        sender: comm,
        event: {
          link: { rel: 'conversation', href: link(paths.conversation(leg)) },
          ...(leg.call.embed ? { _embedded: { conversation: conversationJson(leg, link, 'Connected') } } : {}),
          type: 'updated',
        },
      },
    ]);
    this.endCall(leg.call, {
      status: 'Failure',
      code: 'Informational',
      subcode: 'ConnectedElsewhere',
      message: 'The call was answered on another endpoint.',
    });
  }

  endLeg(leg: Leg, outcome: Outcome): void {
    if (leg.state !== 'ringing') return;
    this.finish(leg);
    const link = this.linkFor(leg.app);
    const comm = communicationSender(leg.app, link);
    const conv = paths.conversation(leg);
    const modality = KIND_MODALITY[leg.call.kind];
    const state =
      outcome.status === 'Success'
        ? 'Connected'
        : outcome.subcode === 'Declined'
          ? 'Declined'
          : outcome.subcode === 'Canceled'
            ? 'Cancelled'
            : 'Failed';
    const completed: Record<string, unknown> = {
      link: { rel: leg.call.rel, href: link(paths.invitation(leg)) },
      status: outcome.status,
    };
    if (outcome.status === 'Failure' || outcome.subcode) {
      completed.reason = {
        code: outcome.code ?? 'RemoteFailure',
        subcode: outcome.subcode ?? 'None',
        message: outcome.message ?? outcome.subcode ?? 'The invitation ended.',
      };
    }
    Object.assign(completed, this.embedded(leg, link, { state }), { type: 'completed' });
    leg.app.channel.enqueue([
      {
        sender: { rel: 'conversation', href: link(conv) },
        event: {
          link: { rel: modality.rel, href: link(`${conv}/${modality.rel}`) },
          _embedded: {
            [modality.rel]: {
              rel: modality.rel,
              state: 'Disconnected',
              _links: { self: { href: link(`${conv}/${modality.rel}`) } },
            },
          },
          type: 'updated',
        },
      },
      { sender: comm, event: completed },
      { sender: comm, event: { link: { rel: 'conversation', href: link(conv) }, type: 'deleted' } },
    ]);
  }

  /** Drop a leg without any event (application gone, or `resume` cleaned up). */
  dropLeg(leg: Leg): void {
    if (leg.state === 'ringing') this.finish(leg);
  }

  /** A `completed` event for an invitation href the client never saw. Returns that href. */
  completeUnknown(app: SimApp, kind: InvitationKind): string {
    const link = this.linkFor(app);
    const href = link(`${app.base}/communication/${KIND_PATH[kind]}/${this.ids.hex('inv')}`);
    app.channel.enqueue([
      {
        sender: communicationSender(app, link),
        event: {
          link: { rel: `${kind}Invitation`, href },
          status: 'Failure',
          reason: { code: 'RemoteFailure', subcode: 'Canceled', message: 'The caller canceled.' },
          type: 'completed',
        },
      },
    ]);
    return href;
  }

  static cancelOutcome(): Outcome {
    return {
      status: 'Failure',
      code: 'RemoteFailure',
      subcode: 'Canceled',
      message: 'The caller canceled the invitation.',
    };
  }

  static completeOutcome(o: CompleteOptions): Outcome {
    const status = o.status ?? 'Failure';
    return {
      status,
      code: o.code ?? (status === 'Failure' ? 'RemoteFailure' : 'Informational'),
      subcode: o.subcode ?? (status === 'Failure' ? 'Missed' : undefined),
      message: o.message,
    };
  }

  private finish(leg: Leg): void {
    leg.state = 'completed';
    leg.app.legs.delete(leg.id);
    const entry = this.calls.get(leg.call.id);
    const hl = entry?.handle.legs.find((l) => l.appId === leg.app.id && l.state === 'ringing');
    if (hl) hl.state = 'completed';
    if (leg.call.legs.every((l) => l.state === 'completed')) this.calls.delete(leg.call.id);
  }

  private handleLeg(leg: Leg): RingLeg {
    const link = this.linkFor(leg.app);
    const inv = paths.invitation(leg);
    const accept = {
      messaging: 'accept',
      onlineMeeting: 'accept',
      audioVideo: 'acceptWithPhoneAudio',
      phoneAudio: undefined,
    }[leg.call.kind];
    return {
      appId: leg.app.id,
      href: link(inv),
      declineHref: link(`${inv}/decline`),
      ...(accept ? { acceptHref: link(`${inv}/${accept}`) } : {}),
      conversationHref: link(paths.conversation(leg)),
      state: 'ringing',
    };
  }

  private embedded(leg: Leg, link: Linker, view: Parameters<typeof invitationJson>[2]): Record<string, unknown> {
    return leg.call.embed ? { _embedded: { [leg.call.rel]: invitationJson(leg, link, view) } } : {};
  }

  private ringEvents(leg: Leg, updatedFirst: boolean): ChannelEvent[] {
    const link = this.linkFor(leg.app);
    const { call } = leg;
    const comm = communicationSender(leg.app, link);
    const conv = paths.conversation(leg);
    const convSender = { rel: 'conversation', href: link(conv) };
    const invLink = { rel: call.rel, href: link(paths.invitation(leg)) };
    const updated = (): ChannelEvent => ({
      sender: comm,
      event: { link: invLink, ...this.embedded(leg, link, 'updated'), type: 'updated' },
    });
    const participant = (who: 'from' | 'local'): ChannelEvent => ({
      sender: convSender,
      event: {
        link: {
          rel: who === 'local' ? 'localParticipant' : 'participant',
          href: link(participantHref(leg, who)),
          title: who === 'local' ? leg.app.user.name : call.fromName,
        },
        ...(call.embed
          ? { _embedded: { [who === 'local' ? 'localParticipant' : 'participant']: participantJson(leg, link, who) } }
          : {}),
        type: 'added',
      },
    });
    const started: ChannelEvent = {
      sender: comm,
      event: { link: invLink, ...this.embedded(leg, link, 'ringing'), type: 'started' },
      onSent: updatedFirst
        ? undefined
        : () => {
            if (leg.state === 'ringing') leg.app.channel.enqueue([participant('from'), updated()]);
          },
    };
    const added: ChannelEvent = {
      sender: comm,
      event: {
        link: { rel: 'conversation', href: link(conv) },
        ...(call.embed ? { _embedded: { conversation: conversationJson(leg, link, 'Incoming') } } : {}),
        type: 'added',
      },
    };
    return updatedFirst ? [updated(), started, added, participant('local')] : [started, added, participant('local')];
  }
}

function communicationSender(app: SimApp, link: Linker): { rel: string; href: string } {
  return { rel: 'communication', href: link(`${app.base}/communication`) };
}

function normaliseSip(uri: string): string {
  return /^sip:/i.test(uri) ? uri : `sip:${uri}`;
}
