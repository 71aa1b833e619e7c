/**
 * The UCWA simulator in its own process for the chaos soak (bench/soak/ucwa.ts): the engine
 * under test must not share an event loop (or a heap) with the server it talks to. Started
 * with child_process.fork; its control channel is Node's IPC: each message `{id, op, args}`
 * is answered `{id, ok, result}` or `{id, ok: false, error}`.
 */
import { startSimulator, type InvitationKind, type Simulator } from '../../electron/simulator/index.js';

export type SimOp =
  | { op: 'ring'; args: { kind: InvitationKind } }
  | { op: 'cancel'; args: { id: string } }
  | { op: 'complete'; args: { id: string; subcode: string } }
  | { op: 'callState'; args: { id: string } }
  | { op: 'fault'; args: { name: SimFault } }
  | { op: 'push'; args: Record<string, never> }
  | { op: 'declinePosts'; args: { path: string } }
  | { op: 'waitListening'; args: Record<string, never> }
  | { op: 'refuseConnections'; args: Record<string, never> }
  | { op: 'acceptConnections'; args: Record<string, never> }
  | { op: 'stats'; args: Record<string, never> }
  | { op: 'close'; args: Record<string, never> };

/** Faults the soak asks for; each is armed in the simulator (most hit the next P-GET / decline). */
export const SIM_FAULTS = [
  'pget500',
  'pgetReset',
  'pgetLostResponse',
  'pget401',
  'pget401AfterGrant',
  'pgetResync',
  'pgetMalformed',
  'pgetDelay',
  'deadConnection',
  'appRemoved404',
  'appExpired410',
  'decline500',
  'declineReset',
  'decline409',
] as const;
export type SimFault = (typeof SIM_FAULTS)[number];

let sim: Simulator | null = null;

function fault(s: Simulator, name: SimFault): unknown {
  const u = s.ucwa;
  switch (name) {
    case 'pget500':
      return u.failNextPget(500);
    case 'pgetReset':
      return u.dropNextPget('reset');
    case 'pgetLostResponse':
      return u.dropNextPget('lostResponse');
    case 'pget401':
      return u.expireTokens();
    case 'pget401AfterGrant':
      u.expireTokens();
      return u.revokeTokens(2);
    case 'pgetResync':
      return u.resyncNextPget();
    case 'pgetMalformed':
      return u.malformNextPget();
    case 'pgetDelay':
      return u.delayNextPget(150);
    case 'deadConnection':
      return u.abandonHeldPget();
    case 'appRemoved404':
      return u.removeApplication();
    case 'appExpired410':
      return u.expireApplication();
    case 'decline500':
      return u.failNextDecline(500);
    case 'declineReset':
      return u.resetNextDecline();
    case 'decline409':
      return u.failNextDecline(409);
  }
}

async function handle(m: SimOp): Promise<unknown> {
  if (!sim) throw new Error('simulator not started');
  const u = sim.ucwa;
  switch (m.op) {
    case 'ring': {
      const h = u.ring(m.args.kind);
      return { id: h.id, href: new URL(h.href, sim.origin).href, declineHref: new URL(h.declineHref, sim.origin).href };
    }
    case 'cancel':
      return u.callState(m.args.id) === 'ringing' ? u.cancel(m.args.id) : undefined;
    case 'complete':
      return u.callState(m.args.id) === 'ringing'
        ? u.complete(m.args.id, { subcode: m.args.subcode, message: 'The caller gave up.' })
        : undefined;
    case 'callState':
      return u.callState(m.args.id);
    case 'fault':
      return fault(sim, m.args.name) ?? null;
    case 'push':
      // A harmless event (a completion of an invitation nobody saw) that answers the parked
      // P-GET, so the next P-GET — the one an armed fault hits — is asked at once.
      return u.completeUnknown('messaging');
    case 'declinePosts':
      return u.declines().filter((d) => d.url === m.args.path).length;
    case 'waitListening':
      return u.waitUntilListening({}, 30_000);
    case 'refuseConnections':
      return sim.server.refuseConnections();
    case 'acceptConnections':
      return sim.server.acceptConnections();
    case 'stats':
      return { created: u.applicationsCreated().length, rss: process.memoryUsage().rss };
    case 'close':
      await sim.close();
      sim = null;
      setImmediate(() => process.exit(0));
      return null;
  }
}

sim = await startSimulator({ ucwa: { maxRecords: 100_000 } });
process.on('message', (raw) => {
  const { id, ...m } = raw as SimOp & { id: number };
  handle(m as SimOp).then(
    (result) => process.send?.({ id, ok: true, result: result ?? null }),
    (err: unknown) => process.send?.({ id, ok: false, error: String((err as Error)?.message ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, discoveryUrl: sim.ucwa.discoveryUrl, origin: sim.origin });
