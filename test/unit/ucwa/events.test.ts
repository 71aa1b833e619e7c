import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEventBatch, type Happening } from '../../../electron/core/ucwa/events.js';

const BASE = 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/104/events?ack=1';
const APP = 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/104';
const fixture = (name: string, ext = 'json') =>
  readFileSync(new URL(`../../fixtures/ucwa/receive-an-im/${name}.${ext}`, import.meta.url), 'utf8');

describe("Microsoft's ReceiveAnIM trace through the parser", () => {
  it('step 7: follows next, and reports me/communication events as plain resource events', () => {
    const b = parseEventBatch(JSON.parse(fixture('step07-events-ack1')), BASE);
    expect(b.continuation).toEqual({ kind: 'next', href: `${APP}/events?ack=2` });
    expect(b.self).toBe(`${APP}/events?ack=1`);
    expect(b.problems).toEqual([]);
    expect(b.happenings.map((h) => (h.kind === 'resource' ? `${h.senderRel}:${h.type}:${h.rel}` : h.kind))).toEqual([
      'me:updated:me',
      'me:added:presence',
      'me:added:note',
      'me:added:location',
      'communication:updated:communication',
    ]);
  });

  it('step 8: an incoming messagingInvitation started, with its embedded resource, in array order', () => {
    const b = parseEventBatch(JSON.parse(fixture('step08-events-ack2-invitation-started')), BASE);
    expect(b.continuation).toEqual({ kind: 'next', href: `${APP}/events?ack=3` });
    expect(b.happenings.map((h) => h.kind)).toEqual(['invitationStarted', 'resource', 'resource']);
    const started = b.happenings[0] as Extract<Happening, { kind: 'invitationStarted' }>;
    expect(started.rel).toBe('messagingInvitation');
    expect(started.href).toBe(`${APP}/communication/messagingInvitations/6408`);
    expect(started.resource).toMatchObject({ direction: 'Incoming', state: 'Connecting', importance: 'Normal' });
  });

  it('steps 9, 10: a participant added, then the invitation updated', () => {
    expect(parseEventBatch(JSON.parse(fixture('step09-events-ack3')), BASE).happenings).toEqual([
      {
        kind: 'resource',
        type: 'added',
        rel: 'participant',
        href: `${APP}/communication/conversations/eee0/participants/lenea@metio.ms`,
        senderRel: 'conversation',
      },
    ]);
    const b = parseEventBatch(JSON.parse(fixture('step10-events-ack4-invitation-updated')), BASE);
    expect(b.happenings).toHaveLength(1);
    expect(b.happenings[0]).toMatchObject({
      kind: 'invitationUpdated',
      href: `${APP}/communication/messagingInvitations/6408`,
    });
  });

  it('step 15: the invitation completed with status Success, identified by the event link href', () => {
    const b = parseEventBatch(JSON.parse(fixture('step15-events-ack5-invitation-completed')), BASE);
    const done = b.happenings.filter((h) => h.kind === 'invitationCompleted');
    expect(done).toEqual([
      expect.objectContaining({
        kind: 'invitationCompleted',
        rel: 'messagingInvitation',
        href: `${APP}/communication/messagingInvitations/6408`,
        status: 'Success',
        reason: null,
      }),
    ]);
    expect(b.happenings.map((h) => h.kind)).toEqual([
      'resource',
      'resource',
      'resource',
      'resource',
      'resource',
      'invitationCompleted',
    ]);
  });

  it('step 16: a message completed is not an invitation event', () => {
    const b = parseEventBatch(fixture('step16-events-ack6-message-completed'), BASE);
    expect(b.happenings.map((h) => (h.kind === 'resource' ? h.rel : h.kind))).toEqual(['message', 'conversation']);
  });

  it('the trace bodies as printed (not valid JSON) are skipped with a problem, never thrown', () => {
    for (const name of ['step08-events-ack2-invitation-started', 'step15-events-ack5-invitation-completed']) {
      const b = parseEventBatch(fixture(name, 'verbatim.txt'), BASE);
      expect(b).toEqual({ self: null, continuation: null, happenings: [], problems: ['the body is not JSON'] });
    }
  });
});

describe('event batch parsing rules', () => {
  const inv = (type: string, extra: Record<string, unknown> = {}) => ({
    link: { rel: 'phoneAudioInvitation', href: '/ucwa/a/1/communication/phoneAudioInvitations/9' },
    type,
    ...extra,
  });

  it('prefers resync, then resume, then next', () => {
    const links = (l: Record<string, unknown>) => parseEventBatch({ _links: l }, BASE).continuation?.kind;
    expect(links({ next: { href: '/n' }, resume: { href: '/r' }, resync: { href: '/s' } })).toBe('resync');
    expect(links({ next: { href: '/n' }, resume: { href: '/r' } })).toBe('resume');
    expect(links({ next: { href: '/n' } })).toBe('next');
    expect(links({ self: { href: '/x' } })).toBeUndefined();
  });

  it('resolves relative and absolute hrefs', () => {
    const b = parseEventBatch(
      {
        _links: { next: { href: 'https://fe2.contoso.com/ucwa/e?ack=9' } },
        sender: [
          {
            rel: 'communication',
            events: [
              inv('started'),
              { ...inv('updated'), link: { rel: 'phoneAudioInvitation', href: 'https://fe2.contoso.com/abs/9' } },
            ],
          },
        ],
      },
      BASE,
    );
    expect(b.continuation?.href).toBe('https://fe2.contoso.com/ucwa/e?ack=9');
    expect(b.happenings.map((h) => h.href)).toEqual([
      'https://lyncweb.contoso.com/ucwa/a/1/communication/phoneAudioInvitations/9',
      'https://fe2.contoso.com/abs/9',
    ]);
  });

  it('keeps the order across repeated senders', () => {
    const b = parseEventBatch(
      {
        _links: { next: { href: '/n' } },
        sender: [
          { rel: 'communication', events: [inv('started')] },
          { rel: 'conversation', events: [{ link: { rel: 'participant', href: '/p' }, type: 'added' }] },
          {
            rel: 'communication',
            events: [inv('completed', { status: 'Failure', reason: { code: 'RemoteFailure', subcode: 'Canceled' } })],
          },
        ],
      },
      BASE,
    );
    expect(b.happenings.map((h) => h.kind)).toEqual(['invitationStarted', 'resource', 'invitationCompleted']);
    expect(b.happenings[2]).toMatchObject({
      status: 'Failure',
      reason: { code: 'RemoteFailure', subcode: 'Canceled' },
    });
  });

  it('turns a deleted invitation into a completion without status', () => {
    const b = parseEventBatch(
      { _links: { next: { href: '/n' } }, sender: [{ rel: 'communication', events: [inv('deleted')] }] },
      BASE,
    );
    expect(b.happenings[0]).toMatchObject({ kind: 'invitationCompleted', status: null });
  });

  it('skips malformed senders and events with a problem each, and keeps the good ones', () => {
    const b = parseEventBatch(
      {
        _links: { next: { href: '/n' } },
        sender: [
          null,
          'x',
          { rel: 'communication', events: 'nope' },
          {
            rel: 'communication',
            events: [
              1,
              { type: 'started' },
              { link: { rel: 'messagingInvitation' }, type: 'started' },
              { link: { rel: 'messagingInvitation', href: '/m/1' } },
              { link: { rel: 'messagingInvitation', href: 'http://evil.example/m' }, type: 'started' },
              { link: { rel: 'messagingInvitation', href: '/m/2' }, type: 'exploded' },
              {
                link: { rel: 'messagingInvitation', href: '/m/3' },
                type: 'STARTED',
                _embedded: { messagingInvitation: 'str' },
              },
            ],
          },
        ],
      },
      BASE,
    );
    expect(b.happenings).toEqual([
      {
        kind: 'invitationStarted',
        rel: 'messagingInvitation',
        href: 'https://lyncweb.contoso.com/m/3',
        resource: null,
      },
    ]);
    expect(b.problems.length).toBeGreaterThanOrEqual(8);
    expect(b.problems.join('\n')).not.toMatch(/str/);
  });

  it('accepts a body with no sender (an empty timeout answer) and a single unwrapped sender', () => {
    expect(parseEventBatch({ _links: { self: { href: '/s' }, next: { href: '/n' } } }, BASE)).toMatchObject({
      happenings: [],
      problems: [],
    });
    const b = parseEventBatch(
      { _links: { next: { href: '/n' } }, sender: { rel: 'communication', events: inv('started') } },
      BASE,
    );
    expect(b.happenings.map((h) => h.kind)).toEqual(['invitationStarted']);
  });

  it('rejects a continuation that downgrades to http on a remote host', () => {
    const b = parseEventBatch({ _links: { next: { href: 'http://lyncweb.contoso.com/ucwa/e?ack=2' } } }, BASE);
    expect(b.continuation).toBeNull();
    expect(b.problems.join(' ')).toMatch(/https/);
  });
});
