/**
 * Property over the running P-GET loop: whatever body the simulator answers a P-GET with
 * (junk, truncated JSON, hostile events, links to nowhere or to plain http), the one provider
 * under test keeps going: the next real invitation rings, and everything it ever reported is
 * a valid Invitation.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationSchema } from '../../../electron/core/schemas.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ deps: { backoff: { baseMs: 5, capMs: 20 } } });
  await h.connect();
});
afterAll(async () => {
  await h?.close();
});

const appPath = () => new URL(h.sim.ucwa.applications()[0]!.href, h.sim.origin).pathname;

const junkText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '',
    'null',
    '[]',
    '{}',
    '{"_links":',
    '{"_links":{"next":{"href":',
    '<html>502</html>',
    '\u0000\u0001',
  ),
);
const anyHref = fc.oneof(
  fc.constantFrom(
    'http://evil.example/ucwa/events?ack=2',
    'javascript:alert(1)',
    'data:text/plain,x',
    '',
    '//evil.example/x',
  ),
  fc.string({ maxLength: 40 }),
  fc.nat().map((n) => `${appPath()}/events?ack=${n}`), // a wrong ack: the server answers resync
  fc.nat().map((n) => `/nowhere/${n}`), // 404: the provider re-creates its application
);
const hostileEvent = fc.record(
  {
    link: fc.oneof(
      fc.record({
        rel: fc.constantFrom(
          'messagingInvitation',
          'phoneAudioInvitation',
          'onlineMeetingInvitation',
          'audioVideoInvitation',
          'conversation',
        ),
        href: anyHref,
      }),
      fc.anything(),
    ),
    type: fc.oneof(fc.constantFrom('started', 'updated', 'completed', 'deleted'), fc.anything()),
    _embedded: fc.oneof(
      fc.record({
        messagingInvitation: fc.record(
          {
            direction: fc.constantFrom('Incoming', 'Outgoing', 7),
            importance: fc.anything(),
            subject: fc.oneof(fc.string(), fc.constant('x'.repeat(20_000))),
            _links: fc.anything(),
            _embedded: fc.anything(),
          },
          { requiredKeys: [] },
        ),
      }),
      fc.anything(),
    ),
    status: fc.anything(),
    reason: fc.anything(),
  },
  { requiredKeys: [] },
);
const hostileBody = fc
  .record(
    {
      _links: fc.oneof(
        fc.record({ next: fc.record({ href: anyHref }) }),
        fc.record({ resync: fc.record({ href: anyHref }) }),
        fc.anything(),
      ),
      sender: fc.oneof(
        fc.array(fc.record({ rel: fc.string(), href: fc.string(), events: fc.array(hostileEvent, { maxLength: 4 }) }), {
          maxLength: 3,
        }),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  )
  .map((b) => JSON.stringify(b) ?? 'undefined');
const rawBody = fc.oneof(
  junkText,
  hostileBody,
  hostileBody.chain((s) => fc.nat(s.length).map((n) => s.slice(0, n))),
);

describe('the running loop under hostile P-GET answers (property)', () => {
  it('keeps ringing real invitations and only ever reports valid ones', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, async (raw) => {
        await h.sim.ucwa.waitUntilListening();
        h.sim.ucwa.malformNextPget(raw);
        h.sim.ucwa.ring('messaging'); // rides the parked P-GET; the one after it gets `raw`
        const b = h.sim.ucwa.ring('phoneAudio');
        await h.sink.waitRinging((i) => i.id.endsWith(new URL(b.href, h.sim.origin).href));
      }),
      { numRuns: 25 },
    );
    for (const inv of h.sink.ringingInvitations()) {
      expect(invitationSchema.safeParse(inv).success, JSON.stringify(inv).slice(0, 200)).toBe(true);
    }
    expect(h.sink.states()).not.toContain('error');
  });
});
