/**
 * Routes under one application resource (`/ucwa/oauth/v1/applications/<id>/...`): the
 * application itself, events (P-GET), me / makeMeAvailable / reportMyActivity, communication,
 * invitations (GET, decline, accept) and conversations.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CALL_DECLINE_REASONS } from '../../core/config.js';
import { sendEmpty, sendJson, type SimContext } from '../server.js';
import type { CallBook } from './calls.js';
import type { FeatureBook } from './features.js';
import type { PgetMods } from './channel.js';
import { FAIL, mediaType, parseInput, sendFailure } from './http.js';
import {
  applicationJson,
  communicationJson,
  conversationJson,
  invitationJson,
  meJson,
  type Leg,
  type Linker,
  type SimApp,
} from './resources.js';
import type { DeclineRecord, PgetRecord, SimFailure, SimRoute } from './types.js';

/** What the routes need from the simulator. */
export interface AppRouteHost {
  readonly calls: CallBook;
  /** Presence, startMessaging (replies), call forwarding. */
  readonly features: FeatureBook;
  now(): number;
  linkFor(app: SimApp): Linker;
  takeFailure(route: SimRoute): SimFailure | undefined;
  /** Runs a P-GET after the misbehaviour queue had its say. */
  runPget(ctx: SimContext, app: SimApp, rec: PgetRecord, go: (mods: PgetMods) => void): void;
  deleteApplication(app: SimApp, by: 'client'): void;
  recordActivity(app: SimApp): void;
  recordDecline(rec: DeclineRecord): void;
  recordPget(rec: PgetRecord): void;
  changed(): void;
  /** Misbehaviour: true (once per request) when this decline's connection is to be reset unanswered. */
  takeDeclineReset?(): boolean;
}

const SUPPORTED_MODALITIES = ['Messaging', 'PhoneAudio'];
const KNOWN_MODALITIES = [
  'Audio',
  'Video',
  'PhoneAudio',
  'ApplicationSharing',
  'Messaging',
  'DataCollaboration',
  'PanoramicVideo',
];
const INVITATION_SEGMENTS = new Map([
  ['messaginginvitations', 'messaging'],
  ['phoneaudioinvitations', 'phoneAudio'],
  ['onlinemeetinginvitations', 'onlineMeeting'],
  ['audiovideoinvitations', 'audioVideo'],
]);

/** Handle a request whose path is `<app.base>/<sub...>`. */
export function routeApplication(host: AppRouteHost, ctx: SimContext, app: SimApp, sub: string[]): void {
  const { req, res } = ctx;
  const method = req.method ?? 'GET';
  const link = host.linkFor(app);
  const s = sub.map((x) => x.toLowerCase());
  const fail = (route: SimRoute): boolean => {
    const f = host.takeFailure(route);
    if (f) sendFailure(res, f);
    return Boolean(f);
  };
  const only = (m: string): boolean => {
    if (method === m) return true;
    sendFailure(res, FAIL.methodNotAllowed(method));
    return false;
  };

  if (host.features.route(ctx, app, sub)) return;
  if (s.length === 0) {
    if (fail('application')) return;
    if (method === 'GET') return sendJson(res, 200, applicationJson(app, link));
    if (method === 'DELETE') {
      host.deleteApplication(app, 'client');
      return sendEmpty(res, 204);
    }
    return sendFailure(res, FAIL.methodNotAllowed(method));
  }
  if (s[0] === 'events' && s.length === 1) {
    const rec: PgetRecord = { at: host.now(), appId: app.id, url: ctx.record.url };
    host.recordPget(rec);
    if (!only('GET')) return void (rec.outcome = 'error');
    const f = host.takeFailure('events');
    if (f) {
      rec.outcome = f.subcode === 'PGetReplaced' ? 'replaced' : 'error';
      return sendFailure(res, f);
    }
    return host.runPget(ctx, app, rec, (mods) => app.channel.get(res, ctx.url, rec, mods));
  }
  if (s[0] === 'me') {
    if (s.length === 1) return void (only('GET') && sendJson(res, 200, meJson(app, link)));
    if (s[1] === 'makemeavailable' && s.length === 2) {
      if (!only('POST') || fail('makeMeAvailable')) return;
      return makeMeAvailable(host, req, res, ctx.body, app, link);
    }
    if (s[1] === 'reportmyactivity' && s.length === 2) {
      if (!only('POST') || fail('reportMyActivity')) return;
      if (!app.available)
        return sendFailure(res, {
          status: 409,
          code: 'Conflict',
          subcode: 'MakeMeAvailableRequired',
          message: 'makeMeAvailable must be called first.',
        });
      host.recordActivity(app);
      sendEmpty(res, 204);
      host.changed(); // wake waitFor() conditions on activityReports()
      return;
    }
    if (app.available && s.length === 2 && ['presence', 'note', 'location'].includes(s[1]!)) {
      const self = { href: link(`${app.base}/me/${sub[1]}`) };
      const body = {
        presence: { availability: 'Online', activity: 'Available' },
        note: { message: '', type: 'personal' },
        location: { location: '' },
      }[s[1] as 'presence'];
      return void (only('GET') && sendJson(res, 200, { rel: sub[1], ...body, _links: { self } }));
    }
  }
  if (s[0] === 'communication') {
    if (s.length === 1) return void (only('GET') && sendJson(res, 200, communicationJson(app, link)));
    const kind = INVITATION_SEGMENTS.get(s[1] ?? '');
    if (kind && s.length >= 3) {
      const leg = app.legs.get(sub[2]!);
      const ok = leg !== undefined && leg.call.kind === kind;
      if (s.length === 3) {
        if (!only('GET') || fail('invitation')) return;
        if (!ok) return sendFailure(res, FAIL.resourceNotFound(ctx.url.pathname));
        return sendJson(res, 200, invitationJson(leg, link, 'ringing'));
      }
      if (s.length === 4 && s[3] === 'decline') return decline(host, ctx, app, ok ? leg : undefined);
      if (s.length === 4 && ['accept', 'acceptwithphoneaudio', 'acceptwithanswer'].includes(s[3]!)) {
        if (!only('POST') || fail('accept')) return;
        const offered = {
          messaging: ['accept'],
          onlineMeeting: ['accept'],
          audioVideo: ['acceptwithphoneaudio', 'acceptwithanswer'],
          phoneAudio: [] as string[],
        }[kind as 'messaging'];
        if (!ok || !offered.includes(s[3]!)) return sendFailure(res, FAIL.resourceNotFound(ctx.url.pathname));
        if (s[3] === 'acceptwithanswer' && mediaType(req.headers['content-type']) !== 'application/sdp')
          return sendFailure(res, FAIL.unsupportedMedia(mediaType(req.headers['content-type'])));
        host.calls.accept(leg);
        host.changed();
        return sendEmpty(res, 204);
      }
    }
    if (s[1] === 'conversations' && s.length === 3) {
      const leg = [...app.legs.values()].find((l) => l.convId === sub[2]);
      if (!only('GET')) return;
      if (!leg) return sendFailure(res, FAIL.resourceNotFound(ctx.url.pathname));
      return sendJson(res, 200, conversationJson(leg, link, 'Incoming'));
    }
  }
  sendFailure(res, FAIL.resourceNotFound(ctx.url.pathname));
}

function makeMeAvailable(
  host: AppRouteHost,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  app: SimApp,
  link: Linker,
): void {
  const input = parseInput(req.headers['content-type'], body);
  if (!input.ok) return sendFailure(res, input.failure);
  const mods = input.props.get('supportedmodalities');
  if (mods !== undefined) {
    if (!Array.isArray(mods) || mods.some((m) => typeof m !== 'string'))
      return sendFailure(res, FAIL.badParameter('supportedModalities must be an array of ModalityType strings.'));
    const unknown = mods.filter((m: string) => !KNOWN_MODALITIES.includes(m));
    if (unknown.length > 0)
      return sendFailure(res, FAIL.badParameter(`supportedModalities: unknown ModalityType ${unknown.join(', ')}`));
    const unsupported = mods.filter((m: string) => !SUPPORTED_MODALITIES.includes(m));
    if (unsupported.length > 0)
      return sendFailure(res, {
        status: 403,
        code: 'Forbidden',
        subcode: 'None',
        message: `Modalities not supported: ${unsupported.join(', ')}`,
      });
  }
  if (app.available)
    return sendFailure(res, {
      status: 409,
      code: 'Conflict',
      subcode: 'AlreadyExists',
      message: 'makeMeAvailable was already called for this application.',
    });
  app.available = true;
  app.etag += 1;
  const me = { rel: 'me', href: link(`${app.base}/me`) };
  const comm = { rel: 'communication', href: link(`${app.base}/communication`) };
  app.channel.enqueue([
    { sender: me, event: { link: me, type: 'updated' } },
    ...['presence', 'note', 'location'].map((rel) => ({
      sender: me,
      event: { link: { rel, href: link(`${app.base}/me/${rel}`) }, type: 'added' },
    })),
    {
      sender: comm,
      event: { link: comm, _embedded: { communication: communicationJson(app, link) }, type: 'updated' },
    },
  ]);
  host.changed();
  sendEmpty(res, 204);
}

function decline(host: AppRouteHost, ctx: SimContext, app: SimApp, leg: Leg | undefined): void {
  const { req, res } = ctx;
  const contentType = String(req.headers['content-type'] ?? '');
  const input = parseInput(req.headers['content-type'], ctx.body);
  const rawReason = input.ok ? input.props.get('reason') : undefined;
  const rec: DeclineRecord = {
    at: host.now(),
    appId: app.id,
    url: ctx.record.url,
    ...(rawReason !== undefined ? { reason: String(rawReason) } : {}),
    contentType,
    format: input.format,
    status: 0,
    ...(leg ? { callId: leg.call.id } : {}),
  };
  const answer = (f?: SimFailure): void => {
    rec.status = f ? f.status : 204;
    host.recordDecline(rec);
    if (f) sendFailure(res, f);
    else sendEmpty(res, 204);
  };
  if (req.method !== 'POST') return answer(FAIL.methodNotAllowed(req.method ?? ''));
  if (host.takeDeclineReset?.()) {
    // The POST arrived but nothing was done and no answer goes back: the connection is reset.
    rec.status = 0;
    host.recordDecline(rec);
    return void req.socket.destroy();
  }
  const injected = host.takeFailure('decline');
  if (injected) return answer(injected);
  if (!input.ok) return answer(input.failure);
  if (
    rawReason !== undefined &&
    (typeof rawReason !== 'string' || !(CALL_DECLINE_REASONS as readonly string[]).includes(rawReason))
  ) {
    return answer(
      FAIL.badParameter(
        `reason: ${JSON.stringify(rawReason)} is not a CallDeclineReason (${CALL_DECLINE_REASONS.join(', ')})`,
      ),
    );
  }
  if (!leg || leg.state !== 'ringing') return answer(FAIL.resourceNotFound(ctx.url.pathname));
  answer();
  host.calls.decline(leg, rawReason as string | undefined);
  host.changed();
}
