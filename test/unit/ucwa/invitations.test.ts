import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALL_DECLINE_REASONS } from '../../../electron/core/config.js';
import { invitationSchema } from '../../../electron/core/schemas.js';
import { parseEventBatch, type Happening, type InvitationRel } from '../../../electron/core/ucwa/events.js';
import {
  actionLinksOf,
  declineReasonsWithDefault,
  invitationId,
  isIncoming,
  outcomeOf,
  toInvitation,
} from '../../../electron/core/ucwa/invitations.js';

const APP = 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/104';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function traceInvitation() {
  const body = JSON.parse(
    readFileSync(
      new URL('../../fixtures/ucwa/receive-an-im/step08-events-ack2-invitation-started.json', import.meta.url),
      'utf8',
    ),
  ) as unknown;
  const started = parseEventBatch(body, `${APP}/events?ack=2`).happenings[0] as Extract<
    Happening,
    { kind: 'invitationStarted' }
  >;
  return started;
}

describe('invitation mapping', () => {
  it("maps the trace's incoming IM to a valid Invitation", () => {
    const h = traceInvitation();
    expect(isIncoming(h.resource!)).toBe(true);
    const inv = toInvitation({
      accountId: 'work',
      rel: h.rel,
      href: h.href,
      resource: h.resource!,
      now: NOW,
      defaultDeclineReason: 'Global',
    });
    expect(inv).toEqual({
      id: `work:${APP}/communication/messagingInvitations/6408`,
      accountId: 'work',
      provider: 'ucwa',
      modality: 'messaging',
      from: { name: 'Lene Aaling', uri: 'sip:lenea@contoso.com' },
      subject: '',
      importance: 'normal',
      message: 'Hi Tosh\r\n',
      receivedAt: NOW,
      expiresAt: null,
      declineReasons: [...CALL_DECLINE_REASONS],
      defaultDeclineReason: 'Global',
    });
    expect(invitationSchema.safeParse(inv).success).toBe(true);
    expect(actionLinksOf(h.resource!, APP)).toEqual({
      accept: `${APP}/communication/messagingInvitations/6408/accept`,
      decline: `${APP}/communication/messagingInvitations/6408/decline`,
      conversation: `${APP}/communication/conversations/eee0`,
    });
  });

  it('maps each invitation kind to its modality', () => {
    const kinds: [InvitationRel, string][] = [
      ['messagingInvitation', 'messaging'],
      ['phoneAudioInvitation', 'audio'],
      ['onlineMeetingInvitation', 'meeting'],
      ['audioVideoInvitation', 'video'],
    ];
    for (const [rel, modality] of kinds) {
      const inv = toInvitation({
        accountId: 'a',
        rel,
        href: `${APP}/x/${rel}`,
        resource: { direction: 'Incoming' },
        now: NOW,
        defaultDeclineReason: 'Global',
      });
      expect(inv.modality).toBe(modality);
    }
  });

  it('puts the account default reason first and uses it as the default', () => {
    expect(declineReasonsWithDefault('Local')).toEqual(['Local', 'Global', ...CALL_DECLINE_REASONS.slice(2)]);
    const inv = toInvitation({
      accountId: 'a',
      rel: 'phoneAudioInvitation',
      href: `${APP}/p/1`,
      resource: { direction: 'Incoming' },
      now: NOW,
      defaultDeclineReason: 'Local',
    });
    expect(inv.defaultDeclineReason).toBe('Local');
    expect(inv.declineReasons[0]).toBe('Local');
    expect(new Set(inv.declineReasons).size).toBe(CALL_DECLINE_REASONS.length);
  });

  it('lower-cases importance, decodes a base64 message, reads subject and from', () => {
    const inv = toInvitation({
      accountId: 'a',
      rel: 'onlineMeetingInvitation',
      href: `${APP}/om/1`,
      now: NOW,
      defaultDeclineReason: 'Global',
      resource: {
        direction: 'Incoming',
        importance: 'Urgent',
        subject: 'Budget\r\nreview',
        _links: { message: { href: `data:text/plain;base64,${Buffer.from('Join now').toString('base64')}` } },
        _embedded: { from: { name: 'Ann', uri: 'sip:ann@contoso.com' } },
      },
    });
    expect(inv).toMatchObject({
      importance: 'urgent',
      subject: 'Budget review',
      message: 'Join now',
      from: { name: 'Ann', uri: 'sip:ann@contoso.com' },
    });
    expect(
      toInvitation({
        accountId: 'a',
        rel: 'messagingInvitation',
        href: `${APP}/m`,
        now: NOW,
        defaultDeclineReason: 'Global',
        resource: { direction: 'Incoming', importance: 'EMERGENCY' },
      }).importance,
    ).toBe('emergency');
    expect(
      toInvitation({
        accountId: 'a',
        rel: 'messagingInvitation',
        href: `${APP}/m`,
        now: NOW,
        defaultDeclineReason: 'Global',
        resource: { direction: 'Incoming', importance: 42 },
      }).importance,
    ).toBe('normal');
  });

  it('falls back to the from link title, then the uri, then "Unknown caller"', () => {
    const base = {
      accountId: 'a',
      rel: 'phoneAudioInvitation' as const,
      href: `${APP}/p`,
      now: NOW,
      defaultDeclineReason: 'Global' as const,
    };
    expect(
      toInvitation({ ...base, resource: { direction: 'Incoming', _links: { from: { href: '/x', title: 'Bob' } } } })
        .from,
    ).toEqual({ name: 'Bob', uri: '' });
    expect(
      toInvitation({ ...base, resource: { direction: 'Incoming', _embedded: { from: { uri: 'tel:+15550100' } } } })
        .from,
    ).toEqual({ name: '+15550100', uri: 'tel:+15550100' });
    expect(toInvitation({ ...base, resource: { direction: 'Incoming' } }).from).toEqual({
      name: 'Unknown caller',
      uri: '',
    });
  });

  it('clips oversized text to what the invitation schema allows and keeps ids bounded', () => {
    const huge = 'x'.repeat(100_000);
    const href = `${APP}/m/${'y'.repeat(5000)}`;
    const inv = toInvitation({
      accountId: 'a',
      rel: 'messagingInvitation',
      href,
      now: NOW,
      defaultDeclineReason: 'Global',
      resource: { direction: 'Incoming', subject: huge, message: huge, _embedded: { from: { name: huge, uri: huge } } },
    });
    expect(invitationSchema.safeParse(inv).success).toBe(true);
    expect(inv.id).toBe(invitationId('a', href));
    expect(invitationId('a', href)).toMatch(/^a:sha256:[0-9a-f]{64}$/);
  });

  it('only incoming invitations ring', () => {
    expect(isIncoming({ direction: 'Incoming' })).toBe(true);
    expect(isIncoming({ direction: 'incoming' })).toBe(true);
    expect(isIncoming({ direction: 'Outgoing' })).toBe(false);
    expect(isIncoming({})).toBe(false);
  });
});

describe('completed → outcome', () => {
  const r = (subcode: string) => ({ code: 'RemoteFailure', subcode, message: null });
  it('maps the reason subcode first', () => {
    expect(outcomeOf('Failure', r('Declined'))).toBe('declined');
    expect(outcomeOf('Failure', r('Canceled'))).toBe('cancelled');
    expect(outcomeOf('Success', r('ConnectedElsewhere'))).toBe('answeredElsewhere');
    expect(outcomeOf('Success', r('AutoAccepted'))).toBe('answeredElsewhere');
    expect(outcomeOf('Failure', r('Missed'))).toBe('missed');
    expect(outcomeOf('Failure', r('Timeout'))).toBe('missed');
  });
  it('then the status, whatever else the reason says', () => {
    expect(outcomeOf('Failure', r('Busy'))).toBe('failed');
    expect(outcomeOf('Failure', null)).toBe('failed');
    expect(outcomeOf('Success', null)).toBe('answeredElsewhere');
    expect(outcomeOf(null, null)).toBe('gone');
    expect(outcomeOf('Weird', r('Unheard'))).toBe('gone');
  });
});
