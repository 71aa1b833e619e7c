/**
 * The notification bodies the Graph simulator sends, in the two shapes the provider must
 * read: the seed's (2018 beta: `resource: /app/calls/{id}`, `callState`) and today's
 * (`resourceUrl: /communications/calls/{id}`, `state`, the `@odata.type` wrapper).
 */
import { SEED_CALL_ID, SEED_CALLER_NAME, SEED_DELETED_NOTIFICATION, SEED_INCOMING_NOTIFICATION } from './seed.js';

export type NotificationShape = 'seed' | 'current';

export type CallerKind = 'user' | 'phone' | 'guest' | 'application' | 'applicationInstance' | 'encrypted';

export interface SimCaller {
  /** Display name (default "Test User" for the seed, a sample name otherwise). */
  name?: string;
  /** Identity id (a GUID, or the phone number for `phone`). */
  id?: string;
  kind?: CallerKind;
}

export interface IncomingCallInput {
  shape: NotificationShape;
  callId: string;
  from: SimCaller;
  video: boolean;
  tenantId: string;
  botAppId: string;
  botName: string;
  callbackUri: string;
}

/** The incoming-call notification body, as text (the seed's is sent byte for byte). */
export function incomingCallBody(input: IncomingCallInput): string {
  if (input.shape === 'seed') {
    const verbatim =
      input.callId === SEED_CALL_ID &&
      (input.from.name === undefined || input.from.name === SEED_CALLER_NAME) &&
      input.from.id === undefined &&
      (input.from.kind === undefined || input.from.kind === 'user') &&
      input.video;
    if (verbatim) return SEED_INCOMING_NOTIFICATION;
    const doc = JSON.parse(SEED_INCOMING_NOTIFICATION) as SeedDoc;
    const n = doc.value[0]!;
    n.resource = `/app/calls/${input.callId}`;
    n.resourceData['@odata.id'] = `/app/calls/${input.callId}`;
    n.resourceData.source.identity = seedIdentity(input.from);
    n.resourceData.requestedModalities = input.video ? ['audio', 'video'] : ['audio'];
    return JSON.stringify(doc, null, 4);
  }
  const body = {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [
      {
        '@odata.type': '#microsoft.graph.commsNotification',
        changeType: 'created',
        resourceUrl: `/communications/calls/${input.callId}`,
        resourceData: {
          '@odata.type': '#microsoft.graph.call',
          '@odata.id': `/communications/calls/${input.callId}`,
          '@odata.etag': 'W/"5445"',
          id: input.callId,
          state: 'incoming',
          direction: 'incoming',
          callbackUri: input.callbackUri,
          source: {
            '@odata.type': '#microsoft.graph.participantInfo',
            identity: currentIdentity(input.from, input.tenantId),
            region: 'westus',
            languageId: 'en-US',
          },
          targets: [
            {
              '@odata.type': '#microsoft.graph.invitationParticipantInfo',
              identity: {
                '@odata.type': '#microsoft.graph.identitySet',
                application: {
                  '@odata.type': '#microsoft.graph.identity',
                  displayName: input.botName,
                  id: input.botAppId,
                },
              },
            },
          ],
          requestedModalities: input.video ? ['audio', 'video'] : ['audio'],
          tenantId: input.tenantId,
          myParticipantId: '499ff390-7a72-40e8-83a0-8fac6295ae7e',
          callChainId: 'b9b1c7a5-0ad1-4d83-9b6d-2f2e6a0e6b1d',
        },
      },
    ],
  };
  return JSON.stringify(body);
}

/** The `deleted` notification for a call, in the call's shape. */
export function deletedCallBody(shape: NotificationShape, callId: string): string {
  if (shape === 'seed') {
    if (callId === SEED_CALL_ID) return SEED_DELETED_NOTIFICATION;
    return SEED_DELETED_NOTIFICATION.split(SEED_CALL_ID).join(callId);
  }
  return JSON.stringify({
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [
      {
        '@odata.type': '#microsoft.graph.commsNotification',
        changeType: 'deleted',
        resourceUrl: `/communications/calls/${callId}`,
        resourceData: {
          '@odata.type': '#microsoft.graph.call',
          '@odata.id': `/communications/calls/${callId}`,
          '@odata.etag': 'W/"5445"',
        },
      },
    ],
  });
}

interface SeedDoc {
  value: {
    resource: string;
    resourceData: {
      '@odata.id': string;
      source: { identity: unknown };
      requestedModalities: string[];
    };
  }[];
}

function seedIdentity(from: SimCaller): unknown {
  const kind = from.kind ?? 'user';
  if (kind === 'encrypted') {
    return {
      '@odata.type': '#microsoft.graph.identitySet',
      encrypted: { '@odata.type': '#microsoft.graph.endpointIdentity', id: from.id ?? 'opaque' },
    };
  }
  return {
    '@odata.type': '#microsoft.graph.identitySet',
    [kind]: {
      '@odata.type': '#microsoft.graph.endpointIdentity',
      displayName: from.name ?? SEED_CALLER_NAME,
      language: 'en-US',
      id: from.id ?? '8A34A46B-3D17-4ADC-8DCE-DC4E7D572698',
    },
  };
}

function currentIdentity(from: SimCaller, tenantId: string): unknown {
  const kind = from.kind ?? 'user';
  const set: Record<string, unknown> = { '@odata.type': '#microsoft.graph.identitySet' };
  switch (kind) {
    case 'encrypted':
      set.encrypted = { '@odata.type': '#microsoft.graph.identity', id: from.id ?? 'X8Ai5Kc0TS2dnf7Ql4WpZg' };
      break;
    case 'phone':
      set.phone = {
        '@odata.type': '#microsoft.graph.identity',
        id: from.id ?? '+14255550123',
        ...(from.name ? { displayName: from.name } : {}),
      };
      break;
    default:
      set[kind] = {
        '@odata.type': '#microsoft.graph.identity',
        displayName: from.name ?? 'Adele Vance',
        id: from.id ?? '112f7296-5fa4-42ca-bae8-6a692b15d4b8',
        tenantId,
      };
  }
  return set;
}
