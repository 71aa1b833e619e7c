import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invitationSchema } from '../../../electron/core/schemas.js';
import { parseEventBatch } from '../../../electron/core/ucwa/events.js';
import { actionLinksOf, isIncoming, outcomeOf, toInvitation } from '../../../electron/core/ucwa/invitations.js';

const BASE = 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/104/events?ack=1';

/** Everything the provider does with a body short of HTTP: parse, then map what would ring. */
function pipeline(body: unknown) {
  const batch = parseEventBatch(body, BASE);
  const invitations = [];
  for (const h of batch.happenings) {
    if (h.kind === 'invitationStarted' && h.resource && isIncoming(h.resource)) {
      invitations.push(
        toInvitation({
          accountId: 'acc',
          rel: h.rel,
          href: h.href,
          resource: h.resource,
          now: 1_700_000_000_000,
          defaultDeclineReason: 'Global',
        }),
      );
      actionLinksOf(h.resource, BASE);
    }
    if (h.kind === 'invitationCompleted') outcomeOf(h.status, h.reason);
  }
  return { batch, invitations };
}

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '',
    '__proto__',
    'constructor',
    'javascript:alert(1)',
    'http://evil.example/x',
    'data:text/plain;base64,@@@',
    'data:text/plain,%',
    'data:text/html,<script>x</script>',
    '\u0000\r\n',
    '\ud800',
    'x'.repeat(70_000),
    '/ucwa/a/1/communication/messagingInvitations/1',
    'https://lyncweb.contoso.com/ucwa/abs/1',
  ),
);
const rel = fc.constantFrom(
  'messagingInvitation',
  'phoneAudioInvitation',
  'onlineMeetingInvitation',
  'audioVideoInvitation',
  'conversation',
  'me',
  '__proto__',
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.jsonValue(),
);
const link = fc.oneof(
  fc.record({ href: hostileString, title: fc.option(value) }),
  fc.array(fc.record({ href: hostileString })),
  value,
);
const invitationResource = fc.record(
  {
    direction: fc.oneof(fc.constantFrom('Incoming', 'incoming', 'Outgoing'), value),
    importance: fc.oneof(fc.constantFrom('Normal', 'Urgent', 'Emergency', 'URGENT'), value),
    subject: fc.oneof(hostileString, value),
    message: fc.oneof(hostileString, value),
    _links: fc.oneof(
      fc.record({ message: link, decline: link, accept: link, from: link }, { requiredKeys: [] }),
      value,
    ),
    _embedded: fc.oneof(
      fc.record(
        {
          from: fc.oneof(
            fc.record(
              { name: fc.oneof(hostileString, value), uri: fc.oneof(hostileString, value) },
              { requiredKeys: [] },
            ),
            value,
          ),
        },
        { requiredKeys: [] },
      ),
      value,
    ),
  },
  { requiredKeys: [] },
);
const event = fc.oneof(
  fc.record(
    {
      link: fc.oneof(fc.record({ rel, href: hostileString }, { requiredKeys: [] }), value),
      type: fc.oneof(fc.constantFrom('started', 'updated', 'completed', 'deleted', 'added', 'STARTED'), value),
      status: fc.oneof(fc.constantFrom('Success', 'Failure'), value),
      reason: fc.oneof(
        fc.record(
          { code: value, subcode: fc.oneof(fc.constantFrom('Declined', 'Canceled', 'Missed'), value), message: value },
          { requiredKeys: [] },
        ),
        value,
      ),
      _embedded: fc.oneof(
        fc.dictionary(rel, invitationResource),
        fc.dictionary(rel, fc.array(invitationResource, { maxLength: 2 })),
        value,
      ),
    },
    { requiredKeys: [] },
  ),
  value,
);
const body = fc.oneof(
  fc.record(
    {
      _links: fc.oneof(fc.dictionary(fc.constantFrom('self', 'next', 'resume', 'resync', '__proto__'), link), value),
      sender: fc.oneof(
        fc.array(
          fc.oneof(
            fc.record(
              { rel: value, href: value, events: fc.oneof(fc.array(event, { maxLength: 6 }), event, value) },
              { requiredKeys: [] },
            ),
            value,
          ),
          { maxLength: 5 },
        ),
        value,
      ),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
  fc.json(),
  fc.string(),
);

describe('event parsing under arbitrary input (property)', () => {
  it('never throws and only ever yields valid invitations', () => {
    fc.assert(
      fc.property(body, (b) => {
        const { batch, invitations } = pipeline(b);
        expect(Array.isArray(batch.problems)).toBe(true);
        for (const inv of invitations) {
          const parsed = invitationSchema.safeParse(inv);
          if (!parsed.success) throw new Error(`invalid invitation: ${parsed.error.message}`);
        }
        if (batch.continuation)
          expect(batch.continuation.href).toMatch(/^https:\/\/|^http:\/\/(127\.|localhost|\[::1\])/);
      }),
      { numRuns: 600 },
    );
  });

  it('survives the same bodies as raw JSON text', () => {
    fc.assert(
      fc.property(body, fc.nat(40), (b, cut) => {
        let text: string;
        try {
          text = JSON.stringify(b) ?? 'undefined';
        } catch {
          text = String(b);
        }
        pipeline(text);
        pipeline(text.slice(0, Math.max(0, text.length - cut))); // truncated bodies too
      }),
      { numRuns: 300 },
    );
  });

  it('maps every well-formed incoming started event to exactly one valid invitation', () => {
    fc.assert(
      fc.property(fc.array(invitationResource, { minLength: 1, maxLength: 5 }), (resources) => {
        const events = resources.map((r, i) => ({
          link: { rel: 'phoneAudioInvitation', href: `/ucwa/a/1/communication/phoneAudioInvitations/${i}` },
          type: 'started',
          _embedded: { phoneAudioInvitation: { ...r, direction: 'Incoming' } },
        }));
        const { invitations } = pipeline({
          _links: { next: { href: '/n' } },
          sender: [{ rel: 'communication', events }],
        });
        expect(invitations.map((i) => i.id)).toEqual(
          resources.map((_, i) => `acc:https://lyncweb.contoso.com/ucwa/a/1/communication/phoneAudioInvitations/${i}`),
        );
        for (const inv of invitations) expect(invitationSchema.safeParse(inv).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
