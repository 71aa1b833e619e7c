/**
 * The simulator's issue-9 resources, per user, as the docs describe them:
 *  - `me/presence`: GET the availability; POST `{"availability":…}` sets it, an empty POST
 *    resets it (to Online here) [SetMyPresenceInformation.md, ResetMyPresenceInformation.md];
 *    every POST is recorded and a presence `updated` event goes to the user's applications.
 *  - `communication/messagingInvitations` POST (startMessaging): records `to`, `operationId`
 *    and the decoded first message (`_links.message.href`, JSON or XML), answers 201 with a
 *    Location, then plays the outgoing invitation on the event channel: declined (completed
 *    Failure/Declined), accepted (messaging Connected with stopMessaging, completed Success)
 *    or timeout (completed Failure/Timeout after `replyTimeoutMs`) [SendAnIM.md].
 *    `stopMessaging` is recorded and answered 204 (messaging Disconnected, conversation deleted).
 *  - `me/callForwardingSettings` with turnOffCallForwarding and immediateForwardTo{Voicemail,
 *    Contact,Delegates}; each change (also one "made on another device") sends
 *    callForwardingSettings `updated` [callForwardingSettings_ref.md].
 */
import { XMLParser } from 'fast-xml-parser';
import { decodeDataUriText } from '../../core/ucwa/dataUri.js';
import { sendEmpty, sendJson, type SimContext } from '../server.js';
import { FAIL, parseInput, sendFailure } from './http.js';
import { userPart, type Linker, type SimApp } from './resources.js';
import type { SimFailure, SimRoute } from './types.js';

export type ReplyAnswer = 'accept' | 'decline' | 'timeout' | 'none';
export type SimForwarding =
  { state: 'off' } | { state: 'voicemail' } | { state: 'delegates' } | { state: 'contact'; target: string };

export interface PresenceRecord {
  at: number;
  appId: string;
  username: string;
  /** null: reset (empty body). */
  availability: string | null;
  status: number;
}
export interface ReplyRecord {
  at: number;
  appId: string;
  username: string;
  to: string;
  operationId: string;
  importance: string | null;
  /** The decoded first message. */
  text: string | null;
  format: string;
  status: number;
}
export interface StopMessagingRecord {
  at: number;
  appId: string;
  operationId: string;
}
export interface ForwardingRecord {
  at: number;
  appId: string;
  action: 'turnOff' | 'voicemail' | 'contact' | 'delegates';
  target?: string;
  status: number;
}

/** Availability values a client may set [Availability_ref.md; signInAs in makeMeAvailable_ref.md]. */
const SETTABLE = ['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offwork'];

export interface FeatureHost {
  now(): number;
  linkFor(app: SimApp): Linker;
  takeFailure(route: SimRoute): SimFailure | undefined;
  appsOf(username: string): SimApp[];
  addTimer(fn: () => void, ms: number): void;
}

interface Outgoing {
  id: string;
  app: SimApp;
  operationId: string;
  to: string;
  stopped: boolean;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (n) => /(^|:)link$/.test(n) });

export class FeatureBook {
  readonly presenceLog: PresenceRecord[] = [];
  readonly replyLog: ReplyRecord[] = [];
  readonly stopLog: StopMessagingRecord[] = [];
  readonly forwardingLog: ForwardingRecord[] = [];
  replyAnswer: ReplyAnswer = 'accept';
  replyTimeoutMs = 30_000;
  private readonly presence = new Map<string, string>();
  private readonly forwarding = new Map<string, SimForwarding>();
  private readonly outgoing = new Map<string, Outgoing>();
  private seq = 0;

  constructor(private readonly host: FeatureHost) {}

  availabilityOf(username: string): string {
    return this.presence.get(username.toLowerCase()) ?? 'Online';
  }

  forwardingOf(username: string): SimForwarding {
    return this.forwarding.get(username.toLowerCase()) ?? { state: 'off' };
  }

  /** A change made elsewhere (another device): state changes and `updated` goes out. */
  changeForwarding(username: string, f: SimForwarding): void {
    this.forwarding.set(username.toLowerCase(), f);
    this.notifyForwarding(username);
  }

  /** Handles the feature routes; false when `sub` is not one of them. */
  route(ctx: SimContext, app: SimApp, sub: string[]): boolean {
    const s = sub.map((x) => x.toLowerCase());
    const { res } = ctx;
    const method = ctx.req.method ?? 'GET';
    const fail = (route: SimRoute): boolean => {
      const f = this.host.takeFailure(route);
      if (f) sendFailure(res, f);
      return Boolean(f);
    };
    const key = s.join('/');
    if (key === 'me/presence' && app.available) {
      if (method === 'GET') {
        sendJson(res, 200, {
          rel: 'presence',
          availability: this.availabilityOf(app.user.username),
          activity: 'Available',
          _links: { self: { href: this.host.linkFor(app)(`${app.base}/me/presence`) } },
        });
        return true;
      }
      if (method !== 'POST') return (sendFailure(res, FAIL.methodNotAllowed(method)), true);
      this.postPresence(ctx, app, fail);
      return true;
    }
    if (key === 'communication/messaginginvitations' && method === 'POST') {
      this.startMessaging(ctx, app, fail);
      return true;
    }
    if (
      s[0] === 'communication' &&
      s[1] === 'outgoing' &&
      s.length === 5 &&
      s[3] === 'messaging' &&
      s[4] === 'terminate'
    ) {
      if (method !== 'POST') return (sendFailure(res, FAIL.methodNotAllowed(method)), true);
      if (fail('stopMessaging')) return true;
      const out = this.outgoing.get(sub[2]!);
      if (!out || out.app !== app || out.stopped)
        return (sendFailure(res, FAIL.resourceNotFound(ctx.url.pathname)), true);
      out.stopped = true;
      this.stopLog.push({ at: this.host.now(), appId: app.id, operationId: out.operationId });
      sendEmpty(res, 204);
      this.ended(out, 'stopped');
      return true;
    }
    if (s[0] === 'me' && s[1] === 'callforwardingsettings') {
      this.routeForwarding(ctx, app, s.slice(2), fail);
      return true;
    }
    return false;
  }

  // ─────────────── presence ───────────────

  private postPresence(ctx: SimContext, app: SimApp, fail: (r: SimRoute) => boolean): void {
    const rec: PresenceRecord = {
      at: this.host.now(),
      appId: app.id,
      username: app.user.username,
      availability: null,
      status: 0,
    };
    const answer = (f?: SimFailure) => {
      rec.status = f ? f.status : 204;
      this.presenceLog.push(rec);
      if (f) sendFailure(ctx.res, f);
      else sendEmpty(ctx.res, 204);
    };
    const injected = this.host.takeFailure('presence');
    if (injected) return answer(injected);
    void fail; // presence failures come from the 'presence' route only
    const input = parseInput(ctx.req.headers['content-type'], ctx.body);
    if (!input.ok) return answer(input.failure);
    const raw = input.props.get('availability');
    if (raw !== undefined) {
      if (typeof raw !== 'string' || !SETTABLE.includes(raw))
        return answer(FAIL.badParameter(`availability: ${JSON.stringify(raw)} is not one of ${SETTABLE.join(', ')}`));
      rec.availability = raw;
    }
    answer();
    const user = app.user.username.toLowerCase();
    if (rec.availability) this.presence.set(user, rec.availability);
    else this.presence.delete(user);
    for (const a of this.host.appsOf(app.user.username)) {
      const link = this.host.linkFor(a);
      const me = { rel: 'me', href: link(`${a.base}/me`) };
      a.channel.enqueue([
        { sender: me, event: { link: { rel: 'presence', href: link(`${a.base}/me/presence`) }, type: 'updated' } },
      ]);
    }
  }

  // ─────────────── startMessaging / replies ───────────────

  private startMessaging(ctx: SimContext, app: SimApp, fail: (r: SimRoute) => boolean): void {
    if (fail('startMessaging')) return;
    const input = parseInput(ctx.req.headers['content-type'], ctx.body);
    if (!input.ok) return sendFailure(ctx.res, input.failure);
    const to = input.props.get('to');
    const operationId = input.props.get('operationid');
    const missing = [
      typeof operationId === 'string' && operationId ? null : 'operationId',
      typeof to === 'string' && to ? null : 'to',
    ].filter(Boolean);
    if (missing.length)
      return sendFailure(ctx.res, FAIL.badParameter(`Missing required parameters: ${missing.join(', ')}`));
    if (!/^sip:[^@\s]+@[^@\s]+$/i.test(String(to)))
      return sendFailure(ctx.res, FAIL.badParameter(`to: ${JSON.stringify(to)} is not a SIP URI`));
    if (String(operationId).length > 50)
      return sendFailure(ctx.res, FAIL.badParameter('operationId: at most 50 characters'));
    const href = messageHref(ctx.body, input.format);
    const text = href ? decodeDataUriText(href) : null;
    const importance = input.props.get('importance');
    const id = `out${++this.seq}`;
    const out: Outgoing = { id, app, operationId: String(operationId), to: String(to), stopped: false };
    this.outgoing.set(id, out);
    this.replyLog.push({
      at: this.host.now(),
      appId: app.id,
      username: app.user.username,
      to: out.to,
      operationId: out.operationId,
      importance: typeof importance === 'string' ? importance : null,
      text,
      format: input.format,
      status: 201,
    });
    const link = this.host.linkFor(app);
    sendEmpty(ctx.res, 201, { Location: link(this.paths(out).invitation) });
    this.play(out);
  }

  private paths(out: Outgoing) {
    const comm = `${out.app.base}/communication`;
    const conv = `${comm}/outgoing/${out.id}`;
    return {
      comm,
      invitation: `${comm}/messagingInvitations/${out.id}`,
      conv,
      messaging: `${conv}/messaging`,
      stop: `${conv}/messaging/terminate`,
    };
  }

  private invitationJson(out: Outgoing, state: string): Record<string, unknown> {
    const link = this.host.linkFor(out.app);
    const p = this.paths(out);
    return {
      rel: 'messagingInvitation',
      direction: 'Outgoing',
      importance: 'Normal',
      state,
      operationId: out.operationId,
      _links: {
        self: { href: link(p.invitation) },
        to: { href: link(`${out.app.base}/people/${userPart(out.to)}`) },
        conversation: { href: link(p.conv) },
        messaging: { href: link(p.messaging) },
        ...(state === 'Connecting' ? { cancel: { href: link(p.stop) } } : {}),
      },
    };
  }

  private messagingJson(out: Outgoing, state: string): Record<string, unknown> {
    const link = this.host.linkFor(out.app);
    const p = this.paths(out);
    const links: Record<string, { href: string }> = {
      self: { href: link(p.messaging) },
      conversation: { href: link(p.conv) },
    };
    if (state !== 'Disconnected') links.stopMessaging = { href: link(p.stop) };
    if (state === 'Connected') links.sendMessage = { href: link(`${p.messaging}/messages`) };
    return { rel: 'messaging', state, _links: links };
  }

  private play(out: Outgoing): void {
    const link = this.host.linkFor(out.app);
    const p = this.paths(out);
    const comm = { rel: 'communication', href: link(p.comm) };
    const conv = { rel: 'conversation', href: link(p.conv) };
    const invLink = { rel: 'messagingInvitation', href: link(p.invitation) };
    const msgLink = { rel: 'messaging', href: link(p.messaging) };
    out.app.channel.enqueue([
      {
        sender: comm,
        event: {
          link: invLink,
          _embedded: { messagingInvitation: this.invitationJson(out, 'Connecting') },
          type: 'started',
        },
      },
      { sender: comm, event: { link: conv, type: 'added' } },
      {
        sender: conv,
        event: { link: msgLink, _embedded: { messaging: this.messagingJson(out, 'Connecting') }, type: 'updated' },
      },
    ]);
    const fail = (subcode: string, message: string) => {
      if (out.stopped) return;
      out.stopped = true;
      out.app.channel.enqueue([
        {
          sender: comm,
          event: {
            link: invLink,
            status: 'Failure',
            reason: { code: 'Forbidden', subcode, message },
            _embedded: { messagingInvitation: this.invitationJson(out, 'Failed') },
            type: 'completed',
          },
        },
        { sender: comm, event: { link: conv, type: 'deleted' } },
      ]);
      this.outgoing.delete(out.id);
    };
    switch (this.replyAnswer) {
      case 'accept':
        out.app.channel.enqueue([
          {
            sender: conv,
            event: { link: msgLink, _embedded: { messaging: this.messagingJson(out, 'Connected') }, type: 'updated' },
          },
          {
            sender: comm,
            event: {
              link: invLink,
              status: 'Success',
              _embedded: { messagingInvitation: this.invitationJson(out, 'Connected') },
              type: 'completed',
            },
          },
        ]);
        break;
      case 'decline':
        fail('Declined', 'The person declined the invitation.');
        break;
      case 'timeout':
        this.host.addTimer(() => fail('Timeout', 'The invitation was not answered in time.'), this.replyTimeoutMs);
        break;
      case 'none':
        break;
    }
  }

  private ended(out: Outgoing, _why: string): void {
    const link = this.host.linkFor(out.app);
    const p = this.paths(out);
    const conv = { rel: 'conversation', href: link(p.conv) };
    out.app.channel.enqueue([
      {
        sender: conv,
        event: {
          link: { rel: 'messaging', href: link(p.messaging) },
          _embedded: { messaging: this.messagingJson(out, 'Disconnected') },
          type: 'updated',
        },
      },
      { sender: { rel: 'communication', href: link(p.comm) }, event: { link: conv, type: 'deleted' } },
    ]);
    this.outgoing.delete(out.id);
  }

  // ─────────────── call forwarding ───────────────

  private forwardingJson(app: SimApp): Record<string, unknown> {
    const link = this.host.linkFor(app);
    const base = `${app.base}/me/callForwardingSettings`;
    const imm = `${base}/immediateForwardSettings`;
    const f = this.forwardingOf(app.user.username);
    const target = { off: 'None', voicemail: 'Voicemail', delegates: 'Delegates', contact: 'Contact' }[f.state];
    const immLinks: Record<string, { href: string; title?: string }> = {
      self: { href: link(imm) },
      immediateForwardToContact: { href: link(`${imm}/immediateForwardToContact`) },
      immediateForwardToDelegates: { href: link(`${imm}/immediateForwardToDelegates`) },
      immediateForwardToVoicemail: { href: link(`${imm}/immediateForwardToVoicemail`) },
    };
    if (f.state === 'contact')
      immLinks.contact = {
        href: link(`${app.base}/people/${encodeURIComponent(f.target.replace(/^sip:/i, ''))}`),
        title: f.target,
      };
    return {
      rel: 'callForwardingSettings',
      activePeriod: 'Always',
      activeSetting: f.state === 'off' ? 'None' : 'ImmediateForward',
      unansweredCallHandling: f.state === 'off' ? 'Enabled' : 'Disabled',
      _links: {
        self: { href: link(base) },
        ...(f.state !== 'off' ? { turnOffCallForwarding: { href: link(`${base}/turnOffCallForwarding`) } } : {}),
      },
      _embedded: { immediateForwardSettings: { rel: 'immediateForwardSettings', target, _links: immLinks } },
    };
  }

  private routeForwarding(ctx: SimContext, app: SimApp, rest: string[], fail: (r: SimRoute) => boolean): void {
    const { res } = ctx;
    const method = ctx.req.method ?? 'GET';
    if (rest.length === 0) {
      if (method !== 'GET') return sendFailure(res, FAIL.methodNotAllowed(method));
      if (fail('forwarding')) return;
      return sendJson(res, 200, this.forwardingJson(app));
    }
    const actions: Record<string, ForwardingRecord['action']> = {
      turnoffcallforwarding: 'turnOff',
      'immediateforwardsettings/immediateforwardtovoicemail': 'voicemail',
      'immediateforwardsettings/immediateforwardtocontact': 'contact',
      'immediateforwardsettings/immediateforwardtodelegates': 'delegates',
    };
    const action: ForwardingRecord['action'] | undefined = actions[rest.join('/')];
    if (!action) return sendFailure(res, FAIL.resourceNotFound(ctx.url.pathname));
    if (method !== 'POST') return sendFailure(res, FAIL.methodNotAllowed(method));
    const rec: ForwardingRecord = { at: this.host.now(), appId: app.id, action, status: 0 };
    const answer = (f?: SimFailure) => {
      rec.status = f ? f.status : 204;
      this.forwardingLog.push(rec);
      if (f) sendFailure(res, f);
      else sendEmpty(res, 204);
    };
    const injected = this.host.takeFailure('forwarding');
    if (injected) return answer(injected);
    const current = this.forwardingOf(app.user.username);
    if (action === 'turnOff' && current.state === 'off') return answer(FAIL.resourceNotFound(ctx.url.pathname));
    let next: SimForwarding;
    if (action === 'contact') {
      const input = parseInput(ctx.req.headers['content-type'], ctx.body);
      if (!input.ok) return answer(input.failure);
      const target = input.props.get('target') ?? ctx.url.searchParams.get('target') ?? undefined;
      if (typeof target !== 'string' || !target)
        return answer(FAIL.badParameter('Missing required parameters: target'));
      rec.target = target;
      if (target.length > 80 || !/^(sip:[^@\s]+@[^@\s]+|tel:\+?[0-9][0-9\-.()]*)$/i.test(target))
        return answer(
          FAIL.badParameter(`target: ${JSON.stringify(target)} is not a sip: or tel: URI of at most 80 characters`),
        );
      next = { state: 'contact', target };
    } else next = action === 'turnOff' ? { state: 'off' } : { state: action };
    answer();
    this.changeForwarding(app.user.username, next);
  }

  private notifyForwarding(username: string): void {
    for (const a of this.host.appsOf(username)) {
      const link = this.host.linkFor(a);
      const me = { rel: 'me', href: link(`${a.base}/me`) };
      a.channel.enqueue([
        {
          sender: me,
          event: {
            link: { rel: 'callForwardingSettings', href: link(`${a.base}/me/callForwardingSettings`) },
            type: 'updated',
          },
        },
      ]);
    }
  }
}

/** `_links.message.href` of a JSON body, or `<link rel="message" href>` of an XML one. */
function messageHref(body: string, format: string): string | null {
  try {
    if (format === 'json') {
      const v = JSON.parse(body) as { _links?: { message?: { href?: unknown } } };
      return typeof v._links?.message?.href === 'string' ? v._links.message.href : null;
    }
    if (format === 'xml') {
      const doc = xml.parse(body) as Record<string, Record<string, unknown>>;
      const root = Object.keys(doc).find((k) => k === 'input' || k.endsWith(':input'));
      const input = root ? doc[root] : undefined;
      const links =
        (input?.[root!.includes(':') ? `${root!.split(':')[0]}:link` : 'link'] as
          Array<Record<string, string>> | undefined) ?? [];
      return links.find((l) => l['@_rel'] === 'message')?.['@_href'] ?? null;
    }
  } catch {
    return null;
  }
  return null;
}
