/**
 * Microsoft's own "Receive an IM" trace (ReceiveAnIM.md), replayed through the running
 * provider and engine: the P-GET bodies of steps 8, 9, 10 and 15 are delivered verbatim on
 * the simulator's event channel (only the application's path is mapped onto the live one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessPool } from './harness.js';

const TRACE = 'test/fixtures/ucwa/receive-an-im';
const TRACE_APP = '/ucwa/oauth/v1/applications/104';

const { connected } = harnessPool();

/** The `sender` array of one trace step, with the trace's application path mapped onto `appPath`. */
function senders(step: string, appPath: string) {
  const text = readFileSync(join(TRACE, `${step}.json`), 'utf8').replaceAll(TRACE_APP, appPath);
  return (JSON.parse(text) as { sender: { rel: string; href: string; events: Record<string, unknown>[] }[] }).sender;
}

describe("Microsoft's ReceiveAnIM trace through the engine", () => {
  it('rings once as Lene Aaling with "Hi Tosh", keeps ringing through the update, and ends on completed', async () => {
    const { h, ...e } = await connected();
    const app = await h.sim.ucwa.waitUntilListening();
    const appPath = new URL(app.href, h.sim.origin).pathname;

    h.sim.ucwa.deliverRaw(senders('step08-events-ack2-invitation-started', appPath));
    const inv = await e.waitInvitation();
    expect(inv).toMatchObject({
      provider: 'ucwa',
      modality: 'messaging',
      from: { name: 'Lene Aaling', uri: 'sip:lenea@contoso.com' },
      subject: '',
      importance: 'normal',
      message: 'Hi Tosh\r\n', // decoded losslessly: '+' is a space, %0d%0a the CRLF
      expiresAt: null,
      defaultDeclineReason: 'Global',
    });
    expect(inv.id).toContain(`${appPath}/communication/messagingInvitations/6408`);

    h.sim.ucwa.deliverRaw(senders('step09-events-ack3', appPath));
    h.sim.ucwa.deliverRaw(senders('step10-events-ack4-invitation-updated', appPath));
    h.sim.ucwa.deliverRaw(senders('step15-events-ack5-invitation-completed', appPath));
    const ended = await e.waitEnded(inv.id);
    // The trace's user accepted it elsewhere (status Success): not a missed call.
    expect(ended.outcome).toBe('answeredElsewhere');
    // Events are handled strictly in order, so by now the update (which lacks the action
    // links) was handled too: it neither rang a second time nor ended the invitation early.
    const kinds = e.events.items.filter((x) => x.type === 'invitation' || x.type === 'ended').map((x) => x.type);
    expect(kinds).toEqual(['invitation', 'ended']);
    expect(e.engine.snapshot().ringing).toEqual([]);
  });
});
