/**
 * A laptop's sleep, the way it happens to a process: the headless engine is frozen with
 * SIGSTOP while the simulator (in this process) abandons its held P-GET and a call comes in;
 * after SIGCONT its clock-jump watchdog wakes the engine and the call rings.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../electron/simulator/index.js';
import { ofType, startHeadless, ucwaTestAccount, type HeadlessChild } from '../../support/headlessChild.js';

describe('headless engine frozen and resumed (SIGSTOP / SIGCONT)', () => {
  let sim: Simulator | undefined;
  let child: HeadlessChild | undefined;
  afterEach(async () => {
    child?.signal('SIGCONT');
    child?.kill();
    await sim?.close();
  });

  it.skipIf(process.platform === 'win32')(
    'the watchdog sees the clock jump, abandons the dead P-GET, asks the same URL again, and the call placed meanwhile rings',
    async () => {
      sim = await startSimulator();
      const c = (child = startHeadless(
        [ucwaTestAccount(sim.ucwa.discoveryUrl)],
        { SFB_TEST_PASSWORD: 'demo', SOFTPHONE_WATCHDOG_INTERVAL_MS: '200', SOFTPHONE_WATCHDOG_TOLERANCE_MS: '400' },
        ['--log-level', 'debug'],
      ));
      const connected = await c.next((e) => e.type === 'account' && e.state === 'connected');
      expect(connected.lastHeardAt).toEqual(expect.any(Number)); // health is part of the account event
      await sim.ucwa.waitUntilListening();

      c.signal('SIGSTOP');
      expect(sim.ucwa.abandonHeldPget()).toBe(1); // the connection died while the laptop slept
      const abandoned = sim.ucwa.pgetUrls().at(-1)!;
      const call = sim.ucwa.ring('phoneAudio', { fromName: 'Ada Wake' });
      await sleepFor(1_500); // the laptop sleeps (the frozen process cannot notice)
      c.signal('SIGCONT');

      const { invitation } = (await c.next(ofType('invitation'))) as { invitation: { id: string } };
      expect(invitation.id.endsWith(call.href)).toBe(true);
      const urls = sim.ucwa.pgetUrls();
      expect(urls[urls.indexOf(abandoned) + 1]).toBe(abandoned);
      expect(c.stderr).toMatch(/clock jumped/);
    },
  );
});
