/**
 * The simulator's in-memory model (applications, calls, invitation legs) and the JSON shapes
 * it serves, modelled on the captured traces in CreateAnApplication.md and ReceiveAnIM.md.
 * Every href goes through `link()`, which makes it relative or absolute per application.
 */
import type { EventChannel } from './channel.js';
import type { InvitationKind } from './types.js';

export interface ResolvedUser {
  username: string;
  password: string;
  name: string;
  /** `sip:user@domain` */
  uri: string;
  absoluteLinks?: boolean;
}

export type Pool = '' | '/pool2';

export interface SimApp {
  id: string;
  pool: Pool;
  user: ResolvedUser;
  endpointId: string;
  userAgent: string;
  culture: string;
  /** Path of the application resource, e.g. `/ucwa/oauth/v1/applications/<id>`. */
  base: string;
  absolute: boolean;
  available: boolean;
  channel: EventChannel;
  /** Invitation legs of this application by invitation id (ringing ones; completed ones are dropped). */
  legs: Map<string, Leg>;
  /** The random-named "please pass this in a PUT request" property of communication. */
  putKey: string;
  etag: number;
}

export interface Call {
  id: string;
  kind: InvitationKind;
  rel: string;
  fromName: string;
  fromUri: string;
  subject: string;
  importance: 'Normal' | 'Urgent' | 'Emergency';
  message?: string;
  base64: boolean;
  embed: boolean;
  threadId: string;
  legs: Leg[];
}

export interface Leg {
  id: string;
  app: SimApp;
  call: Call;
  convId: string;
  state: 'ringing' | 'completed';
}

export const KIND_PATH: Record<InvitationKind, string> = {
  messaging: 'messagingInvitations',
  phoneAudio: 'phoneAudioInvitations',
  onlineMeeting: 'onlineMeetingInvitations',
  audioVideo: 'audioVideoInvitations',
};

/** Modality resource of the conversation that an invitation kind brings in. */
export const KIND_MODALITY: Record<InvitationKind, { rel: string; name: string }> = {
  messaging: { rel: 'messaging', name: 'Messaging' },
  phoneAudio: { rel: 'phoneAudio', name: 'PhoneAudio' },
  onlineMeeting: { rel: 'messaging', name: 'Messaging' },
  audioVideo: { rel: 'audioVideo', name: 'Audio' },
};

export type Linker = (path: string) => string;

const l = (href: string): { href: string } => ({ href });

export function userPart(uri: string): string {
  return uri.replace(/^sip:/i, '');
}

export const paths = {
  invitation: (leg: Leg): string => `${leg.app.base}/communication/${KIND_PATH[leg.call.kind]}/${leg.id}`,
  conversation: (leg: Leg): string => `${leg.app.base}/communication/conversations/${leg.convId}`,
};

/** `data:` URI of the first IM text: URL-encoded like the trace (`Hi+Tosh%0d%0a`) or base64. */
export function messageDataUri(text: string, base64: boolean): string {
  if (base64) return `data:text/plain;base64,${Buffer.from(text, 'utf8').toString('base64')}`;
  const enc = encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return `data:text/plain;charset=utf-8,${enc}`;
}

export function meJson(app: SimApp, link: Linker): Record<string, unknown> {
  const me = `${app.base}/me`;
  const links: Record<string, { href: string }> = { self: l(link(me)) };
  if (!app.available) links.makeMeAvailable = l(link(`${me}/makeMeAvailable`));
  else {
    links.note = l(link(`${me}/note`));
    links.presence = l(link(`${me}/presence`));
    links.location = l(link(`${me}/location`));
    links.reportMyActivity = l(link(`${me}/reportMyActivity`));
  }
  links.callForwardingSettings = l(link(`${me}/callForwardingSettings`));
  links.phones = l(link(`${me}/phones`));
  links.photo = l(link(`${app.base}/photos/${userPart(app.user.uri)}`));
  return { rel: 'me', name: app.user.name, uri: app.user.uri, emailAddresses: [userPart(app.user.uri)], _links: links };
}

export function communicationJson(app: SimApp, link: Linker): Record<string, unknown> {
  const c = `${app.base}/communication`;
  return {
    rel: 'communication',
    etag: String(app.etag),
    [app.putKey]: 'please pass this in a PUT request',
    supportedModalities: app.available ? ['Messaging', 'PhoneAudio'] : [],
    supportedMessageFormats: ['Plain'],
    _links: {
      self: l(link(c)),
      ...(app.available ? { startPhoneAudio: l(link(`${c}/phoneAudioInvitations`)) } : {}),
      conversations: l(link(`${c}/conversations?filter=active`)),
      startMessaging: l(link(`${c}/messagingInvitations`)),
      startOnlineMeeting: l(link(`${c}/onlineMeetingInvitations?onlineMeetingUri=adhoc`)),
      joinOnlineMeeting: l(link(`${c}/onlineMeetingInvitations`)),
    },
  };
}

export function applicationJson(app: SimApp, link: Linker): Record<string, unknown> {
  const b = app.base;
  return {
    culture: app.culture,
    userAgent: app.userAgent,
    type: 'Browser',
    endpointId: app.endpointId,
    id: app.id,
    _links: {
      self: l(link(b)),
      policies: l(link(`${b}/policies`)),
      batch: l(link(`${b}/batch`)),
      events: l(app.channel.currentHref()),
    },
    _embedded: {
      me: meJson(app, link),
      people: { rel: 'people', _links: { self: l(link(`${b}/people`)) } },
      onlineMeetings: { rel: 'onlineMeetings', _links: { self: l(link(`${b}/onlineMeetings`)) } },
      communication: communicationJson(app, link),
    },
    rel: 'application',
  };
}

function participantJson(leg: Leg, link: Linker, who: 'from' | 'local'): Record<string, unknown> {
  const conv = paths.conversation(leg);
  const uri = who === 'from' ? leg.call.fromUri : leg.app.user.uri;
  const self = `${conv}/participants/${userPart(uri)}`;
  const links: Record<string, { href: string }> = { self: l(link(self)), conversation: l(link(conv)) };
  if (who === 'from') {
    links.contact = l(link(`${leg.app.base}/people/${userPart(uri)}`));
    links.contactPresence = l(link(`${leg.app.base}/people/${userPart(uri)}/presence`));
  } else links.me = l(link(`${leg.app.base}/me`));
  return {
    rel: 'participant',
    sourceNetwork: 'SameEnterprise',
    anonymous: false,
    name: who === 'from' ? leg.call.fromName : leg.app.user.name,
    uri,
    _links: links,
  };
}

export function participantHref(leg: Leg, who: 'from' | 'local'): string {
  return `${paths.conversation(leg)}/participants/${userPart(who === 'from' ? leg.call.fromUri : leg.app.user.uri)}`;
}

export { participantJson };

export type InvitationView = 'ringing' | 'updated' | { state: string };

/**
 * The invitation resource. `ringing`: with action links (accept/decline…), as in `started`
 * and GET while ringing; `updated`: the trace's later copy without them; `{state}`: final.
 */
export function invitationJson(leg: Leg, link: Linker, view: InvitationView): Record<string, unknown> {
  const { call, app } = leg;
  const inv = paths.invitation(leg);
  const conv = paths.conversation(leg);
  const actions = view === 'ringing';
  const links: Record<string, { href: string }> = {
    self: l(link(inv)),
    to: l(link(`${app.base}/people/${userPart(app.user.uri)}`)),
    conversation: l(link(conv)),
  };
  const props: Record<string, unknown> = {
    rel: call.rel,
    direction: 'Incoming',
    importance: call.importance,
    threadId: call.threadId,
    state: typeof view === 'object' ? view.state : 'Connecting',
    subject: call.subject,
    to: app.user.uri,
  };
  switch (call.kind) {
    case 'messaging':
      if (actions) links.accept = l(link(`${inv}/accept`));
      if (actions) links.decline = l(link(`${inv}/decline`));
      links.messaging = l(link(`${conv}/messaging`));
      break;
    case 'phoneAudio':
      props.phoneNumber = phoneOf(call.fromUri);
      props.privateLine = false;
      props.joinAudioMuted = false;
      if (actions) links.decline = l(link(`${inv}/decline`));
      links.phoneAudio = l(link(`${conv}/phoneAudio`));
      break;
    case 'onlineMeeting':
      props.onlineMeetingUri = `${call.fromUri};gruu;opaque=app:conf:focus:id:${call.threadId.slice(0, 8).toUpperCase()}`;
      props.availableModalities = ['Messaging', 'Audio'];
      props.anonymousDisplayName = '';
      if (actions) links.accept = l(link(`${inv}/accept`));
      if (actions) links.decline = l(link(`${inv}/decline`));
      break;
    case 'audioVideo':
      props.sessionContext = call.threadId.slice(0, 32);
      props.joinAudioMuted = false;
      props.joinVideoMuted = false;
      props.privateLine = false;
      links.mediaOffer = l(`data:application/sdp;base64,${Buffer.from(sdpOffer(call.threadId)).toString('base64')}`);
      if (actions) links.acceptWithAnswer = l(link(`${inv}/acceptWithAnswer`));
      if (actions) links.acceptWithPhoneAudio = l(link(`${inv}/acceptWithPhoneAudio`));
      if (actions) links.decline = l(link(`${inv}/decline`));
      links.audioVideo = l(link(`${conv}/audioVideo`));
      break;
  }
  if (call.message !== undefined) links.message = l(messageDataUri(call.message, call.base64));
  return { ...props, _links: links, _embedded: { from: participantJson(leg, link, 'from') } };
}

export function conversationJson(leg: Leg, link: Linker, state: string): Record<string, unknown> {
  const conv = paths.conversation(leg);
  return {
    rel: 'conversation',
    state,
    threadId: leg.call.threadId,
    subject: leg.call.subject,
    activeModalities: [KIND_MODALITY[leg.call.kind].name],
    importance: leg.call.importance,
    recording: false,
    _links: {
      self: l(link(conv)),
      applicationSharing: l(link(`${conv}/applicationSharing`)),
      audioVideo: l(link(`${conv}/audioVideo`)),
      dataCollaboration: l(link(`${conv}/dataCollaboration`)),
      messaging: l(link(`${conv}/messaging`)),
      phoneAudio: l(link(`${conv}/phoneAudio`)),
    },
  };
}

function phoneOf(uri: string): string {
  let h = 0;
  for (const ch of uri) h = (h * 31 + ch.charCodeAt(0)) % 10_000;
  return `tel:+1425555${String(h).padStart(4, '0')}`;
}

function sdpOffer(id: string): string {
  return [
    'v=0',
    `o=- 0 0 IN IP4 127.0.0.1`,
    's=session',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `a=x-sim-session:${id.slice(0, 16)}`,
    'm=audio 50000 RTP/AVP 0 8 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');
}
