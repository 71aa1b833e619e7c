import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  caller,
  modality,
  parseNotification,
  parseNotifications,
  toInvitation,
  UNKNOWN_CALLER,
} from '../../../electron/core/graph/notifications.js';
import { invitationSchema } from '../../../electron/core/schemas.js';
import { deletedCallBody, incomingCallBody } from '../../../electron/simulator/graph/shapes.js';
import {
  SEED_CALL_ID,
  SEED_DELETED_NOTIFICATION,
  SEED_INCOMING_NOTIFICATION,
  SEED_REJECT_RESPONSE,
} from '../../../electron/simulator/graph/seed.js';

const SEED_PAGE = '/work/shared/reference/seeds/003_8ead4c7d98cb7f55.txt';

describe('Graph notification parsing', () => {
  it('reads the seed’s incoming notification (resource, callState, /app/calls)', () => {
    expect(parseNotifications(JSON.parse(SEED_INCOMING_NOTIFICATION))).toEqual([
      {
        kind: 'incoming',
        callId: SEED_CALL_ID,
        from: { name: 'Test User', uri: '8A34A46B-3D17-4ADC-8DCE-DC4E7D572698' },
        modality: 'video',
        tenantId: null,
      },
    ]);
  });

  it('reads the seed’s deleted notification as the end of the call', () => {
    expect(parseNotifications(JSON.parse(SEED_DELETED_NOTIFICATION))).toEqual([
      { kind: 'ended', callId: SEED_CALL_ID, via: 'deleted' },
    ]);
  });

  it('reads today’s shape (resourceUrl, state, /communications/calls)', () => {
    const body = JSON.parse(
      incomingCallBody({
        shape: 'current',
        callId: '57dab8b1-894c-409a-b240-bd8beae78896',
        from: { name: 'John' },
        video: false,
        tenantId: 't1',
        botAppId: 'bot',
        botName: 'Bot',
        callbackUri: 'https://example.test/cb',
      }),
    );
    expect(parseNotifications(body)).toEqual([
      {
        kind: 'incoming',
        callId: '57dab8b1-894c-409a-b240-bd8beae78896',
        from: { name: 'John', uri: '112f7296-5fa4-42ca-bae8-6a692b15d4b8' },
        modality: 'call',
        tenantId: 't1',
      },
    ]);
    expect(parseNotifications(JSON.parse(deletedCallBody('current', 'abc')))).toEqual([
      { kind: 'ended', callId: 'abc', via: 'deleted' },
    ]);
  });

  it('prefers resourceUrl when a notification carries both keys', () => {
    const ev = parseNotification({
      changeType: 'created',
      resource: '/app/calls/OLD',
      resourceUrl: '/communications/calls/new-id',
      resourceData: { state: 'incoming' },
    });
    expect(ev).toMatchObject({ kind: 'incoming', callId: 'new-id' });
  });

  it('takes the call id from resourceData.id when there is no resource URL', () => {
    expect(parseNotification({ changeType: 'created', resourceData: { id: 'x1', state: 'incoming' } })).toMatchObject({
      kind: 'incoming',
      callId: 'x1',
    });
  });

  it('accepts absolute and versioned resource URLs', () => {
    for (const url of [
      'https://graph.microsoft.com/v1.0/communications/calls/c9',
      '/beta/app/calls/c9',
      '/communications/calls/c9/',
    ]) {
      expect(parseNotification({ changeType: 'deleted', resourceUrl: url })).toEqual({
        kind: 'ended',
        callId: 'c9',
        via: 'deleted',
      });
    }
  });

  it('finds the call in a resourceData array', () => {
    const ev = parseNotification({
      changeType: 'created',
      resourceUrl: '/communications/calls/c2',
      resourceData: [
        { '@odata.type': '#microsoft.graph.participant' },
        { '@odata.type': '#microsoft.graph.call', state: 'incoming' },
      ],
    });
    expect(ev).toMatchObject({ kind: 'incoming', callId: 'c2' });
  });

  it('compares states case-insensitively', () => {
    expect(
      parseNotification({
        changeType: 'created',
        resourceUrl: '/communications/calls/c',
        resourceData: { state: 'Incoming' },
      }),
    ).toMatchObject({ kind: 'incoming' });
    expect(
      parseNotification({
        changeType: 'updated',
        resourceUrl: '/communications/calls/c',
        resourceData: { state: 'Terminated' },
      }),
    ).toEqual({
      kind: 'ended',
      callId: 'c',
      via: 'terminated',
    });
    expect(
      parseNotification({
        changeType: 'updated',
        resourceUrl: '/communications/calls/c',
        resourceData: { state: 'Established' },
      }),
    ).toEqual({
      kind: 'answered',
      callId: 'c',
      state: 'established',
    });
  });

  it('does not mistake a participant or operation update for the call', () => {
    const ev = parseNotification({
      changeType: 'deleted',
      resourceUrl: '/communications/calls/c/operations/op1',
      resourceData: {},
    });
    expect(ev.kind).toBe('ignored');
    const roster = parseNotification({
      changeType: 'updated',
      resourceUrl: '/communications/calls/c/participants',
      resourceData: [],
    });
    expect(roster.kind).toBe('ignored');
  });

  it('ignores an outgoing call and states that need no action', () => {
    expect(
      parseNotification({
        changeType: 'created',
        resourceUrl: '/communications/calls/c',
        resourceData: { state: 'incoming', direction: 'outgoing' },
      }).kind,
    ).toBe('ignored');
    expect(
      parseNotification({
        changeType: 'updated',
        resourceUrl: '/communications/calls/c',
        resourceData: { state: 'terminating' },
      }).kind,
    ).toBe('ignored');
  });

  it('skips malformed entries with a reason and never throws', () => {
    const bad: unknown[] = [
      null,
      42,
      'x',
      [],
      {},
      { changeType: 'exploded' },
      { changeType: 'created' },
      { changeType: 'created', resourceUrl: 7 },
      { changeType: 'created', resourceUrl: '/communications/calls/c' },
    ];
    const events = parseNotifications({ value: bad });
    expect(events).toHaveLength(bad.length);
    for (const ev of events) {
      expect(ev.kind).toBe('ignored');
      expect(ev.kind === 'ignored' && ev.why).toMatch(/^value\[\d+\]: /);
    }
    for (const body of [null, undefined, 'text', 3, { value: 'nope' }, []]) {
      expect(parseNotifications(body)).toEqual([expect.objectContaining({ kind: 'ignored' })]);
    }
  });

  it('handles several notifications in one batch, in order', () => {
    const body = {
      value: [
        { changeType: 'created', resourceUrl: '/communications/calls/a', resourceData: { state: 'incoming' } },
        { changeType: 'deleted', resourceUrl: '/communications/calls/b' },
      ],
    };
    expect(parseNotifications(body).map((e) => [e.kind, 'callId' in e ? e.callId : null])).toEqual([
      ['incoming', 'a'],
      ['ended', 'b'],
    ]);
  });
});

describe('Graph caller and modality', () => {
  const ident = (identity: unknown) => caller({ identity });

  it('names a user, a phone number, a guest and an application', () => {
    expect(ident({ user: { id: 'u1', displayName: 'Adele Vance' } })).toEqual({ name: 'Adele Vance', uri: 'u1' });
    expect(ident({ phone: { id: '+14255550123' } })).toEqual({ name: '+14255550123', uri: 'tel:+14255550123' });
    expect(ident({ guest: { id: 'g1', displayName: 'Visitor' } })).toEqual({ name: 'Visitor', uri: 'g1' });
    expect(ident({ application: { id: 'a1', displayName: 'Contoso IVR' } })).toEqual({
      name: 'Contoso IVR',
      uri: 'a1',
    });
    expect(ident({ applicationInstance: { id: 'ai', displayName: 'Front desk' } })).toEqual({
      name: 'Front desk',
      uri: 'ai',
    });
  });

  it('shows "Unknown caller" when the caller is encrypted, nameless or missing', () => {
    expect(ident({ encrypted: { id: 'opaque' } })).toEqual({ name: UNKNOWN_CALLER, uri: '' });
    expect(ident({ user: { id: 'u1' } })).toEqual({ name: UNKNOWN_CALLER, uri: 'u1' });
    expect(caller(undefined)).toEqual({ name: UNKNOWN_CALLER, uri: '' });
    expect(caller({ identity: 'x' })).toEqual({ name: UNKNOWN_CALLER, uri: '' });
  });

  it('is a video call when video is requested, otherwise a call', () => {
    expect(modality(['audio', 'video'])).toBe('video');
    expect(modality(['Video'])).toBe('video');
    expect(modality(['audio'])).toBe('call');
    expect(modality(undefined)).toBe('call');
  });

  it('builds a valid invitation with the 13 s deadline (15 s window less the margin) and the default reason first', () => {
    const inv = toInvitation({
      accountId: 'acc',
      callId: 'c1',
      from: { name: 'A'.repeat(600), uri: 'u' },
      modality: 'call',
      receivedAt: 1_000,
      declineReasons: ['busy', 'none', 'forbidden'],
    });
    expect(inv).toMatchObject({ id: 'acc:c1', provider: 'graph', expiresAt: 14_000, defaultDeclineReason: 'busy' });
    expect(invitationSchema.safeParse(inv).success).toBe(true);
  });
});

describe('The simulator’s copy of the seed page', () => {
  it.skipIf(!existsSync(SEED_PAGE))('is verbatim: notification, reject response and deleted notification', () => {
    const page = readFileSync(SEED_PAGE, 'utf8');
    expect(page).toContain(`\n\n${SEED_INCOMING_NOTIFICATION}\n\`\`\``);
    expect(page).toContain(`\n\n${SEED_REJECT_RESPONSE}\n\`\`\``);
    expect(page).toContain(`\n\n${SEED_DELETED_NOTIFICATION}\n\`\`\``);
  });

  it('sends the seed’s notification byte for byte for the seed’s call', () => {
    const body = incomingCallBody({
      shape: 'seed',
      callId: SEED_CALL_ID,
      from: {},
      video: true,
      tenantId: 't',
      botAppId: 'b',
      botName: 'B',
      callbackUri: 'https://x.test/cb',
    });
    expect(body).toBe(SEED_INCOMING_NOTIFICATION);
    expect(deletedCallBody('seed', SEED_CALL_ID)).toBe(SEED_DELETED_NOTIFICATION);
  });
});
