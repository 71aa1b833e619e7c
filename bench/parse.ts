/**
 * Event-channel parse cost: JSON.parse + parseEventBatch over P-GET bodies, as a ratio to
 * JSON.parse alone over the same bodies. Bodies: Microsoft's ReceiveAnIM trace (fixtures) and
 * a burst of 50 invitations built from its `started` event.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseEventBatch } from '../electron/core/ucwa/events.js';

const FIXTURES = 'test/fixtures/ucwa/receive-an-im';

function bodies(): string[] {
  const files = readdirSync(FIXTURES).filter(
    (f) => f.startsWith('step') && f.includes('events') && f.endsWith('.json'),
  );
  const docs = files.map((f) => readFileSync(join(FIXTURES, f), 'utf8'));
  const started = JSON.parse(readFileSync(join(FIXTURES, 'step08-events-ack2-invitation-started.json'), 'utf8'));
  const burst = structuredClone(started);
  const events = burst.sender[0].events;
  const template = JSON.stringify(events[0]);
  burst.sender[0].events = Array.from({ length: 50 }, (_, i) => JSON.parse(template.replaceAll('6408', `6408${i}`)));
  return [...docs, JSON.stringify(burst)];
}

export function benchParse(iterations: number): {
  jsonParseNs: number;
  ourParseNs: number;
  ratio: number;
  bytes: number;
} {
  const list = bodies();
  const base = 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/104/events';
  const bytes = list.reduce((n, b) => n + b.length, 0);
  let sink = 0;
  const time = (fn: (b: string) => unknown) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) for (const b of list) if (fn(b)) sink++;
    return Number(process.hrtime.bigint() - t0) / iterations;
  };
  // Warm both paths, then interleave runs and keep the best of each (noise only adds time).
  time((b) => JSON.parse(b));
  time((b) => parseEventBatch(JSON.parse(b), base));
  let plain = Infinity;
  let ours = Infinity;
  for (let r = 0; r < 5; r++) {
    plain = Math.min(
      plain,
      time((b) => JSON.parse(b)),
    );
    ours = Math.min(
      ours,
      time((b) => parseEventBatch(JSON.parse(b), base)),
    );
  }
  if (sink < 0) console.log(sink);
  return { jsonParseNs: plain, ourParseNs: ours, ratio: ours / plain, bytes };
}
