/**
 * Property over random sequences of the faults a tray app meets (P-GET 500/502/reset/lost
 * answer/malformed/delay, 401 and 401 after a fresh grant, resync, a dead connection + wake,
 * an outage, 404 and 410 application loss): the loop never dies and the account — whose
 * password is fine — always comes back: the next call rings, and nothing rings twice.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ deps: { backoff: { baseMs: 5, capMs: 20 }, slowRetryMs: 40 } });
  await h.connect();
});
afterAll(async () => {
  await h?.close();
});

const FAULTS = [
  'pget500',
  'pget502',
  'reset',
  'lostResponse',
  'malformed',
  'delay',
  '401',
  '401AfterGrant',
  'resync',
  'deadConnectionAndWake',
  'outage',
  'removed404',
  'expired410',
  'tooMany410',
] as const;
type Fault = (typeof FAULTS)[number];

async function inject(f: Fault): Promise<void> {
  const u = h.sim.ucwa;
  await u.waitUntilListening({}, 8_000);
  const failuresSoFar = h.log.items.filter((l) => l.includes('P-GET failed')).length;
  switch (f) {
    case 'pget500':
      u.failNextPget(500);
      break;
    case 'pget502':
      u.failNextPget(502);
      break;
    case 'reset':
      u.dropNextPget('reset');
      break;
    case 'lostResponse':
      u.dropNextPget('lostResponse');
      break;
    case 'malformed':
      u.malformNextPget();
      break;
    case 'delay':
      u.delayNextPget(30);
      break;
    case '401':
      u.expireTokens();
      break;
    case '401AfterGrant':
      u.expireTokens();
      u.revokeTokens(2);
      break;
    case 'resync':
      u.resyncNextPget();
      break;
    case 'deadConnectionAndWake':
      u.abandonHeldPget();
      h.provider.wake('resume');
      return;
    case 'outage':
      await h.sim.server.refuseConnections();
      await h.log.waitFor(
        (xs) => xs.filter((l) => l.includes('P-GET failed')).length > failuresSoFar,
        'a failed P-GET during the outage',
      );
      await h.sim.server.acceptConnections();
      return;
    case 'removed404':
      u.removeApplication();
      return;
    case 'expired410':
      u.expireApplication();
      return;
    case 'tooMany410':
      u.expireApplication(undefined, 'TooManyApplications');
      return;
  }
  u.ring('messaging'); // answers the held P-GET: the next one meets the fault
}

describe('random fault sequences (property)', () => {
  it('the loop never dies and the account always comes back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...FAULTS), { minLength: 1, maxLength: 4 }), async (faults) => {
        for (const f of faults) await inject(f);
        await h.sim.ucwa.waitUntilListening({}, 8_000);
        const call = h.sim.ucwa.ring('phoneAudio');
        await h.sink.waitRinging((i) => i.id.endsWith(new URL(call.href, h.sim.origin).href));
        const ids = h.sink.ringingInvitations().map((i) => i.id);
        expect(new Set(ids).size, 'an invitation rang twice').toBe(ids.length);
      }),
      { numRuns: 20 },
    );
    const errors = h.sink.events.items.filter((e) => e.type === 'state' && e.state === 'error');
    expect(errors.every((e) => e.type === 'state' && e.error?.code !== 'InvalidCredentials')).toBe(true);
  }, 120_000);
});
