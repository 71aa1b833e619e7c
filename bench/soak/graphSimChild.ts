/**
 * The Graph soak's simulator, in its own process (forked by bench/soak/graph.ts): the Graph
 * simulator over HTTPS with its own CA, driven over the IPC channel with small commands.
 * Microsoft's side is played faithfully: a notification answered 5xx is sent again (after 1,
 * 2, 4 s… while the call's window lasts), as the calling platform retries.
 */
import { SimServer } from '../../electron/simulator/server.js';
import { GraphSim } from '../../electron/simulator/graph.js';
import { simCertificateAuthority } from '../../electron/simulator/graph/ca.js';
import type { ForgeKind, RejectFailure } from '../../electron/simulator/graph/types.js';

export type ChildCommand =
  | { cmd: 'setReceiver'; url: string }
  | { cmd: 'ring'; callId: string; forge?: ForgeKind; tenantId?: string }
  | { cmd: 'hangUp'; callId: string }
  | { cmd: 'chaos'; p500: number; p429: number; p404: number; retryAfter: string }
  | { cmd: 'outage'; ms: number }
  | { cmd: 'rotateKey' }
  | { cmd: 'stats' };

export interface ChildHello {
  caPem: string;
  origin: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  openIdConfigUrl: string;
  authorityHost: string;
  graphBaseUrl: string;
}

export interface ChildStats {
  rejects: { callId: string; status: number; at: number }[];
  tokensIssued: number[];
  outages: { from: number; until: number }[];
  notificationRetries: number;
  rssBytes: number;
}

const send = (msg: unknown) => process.send?.(msg);

const ca = simCertificateAuthority();
const server = await SimServer.start({ tls: { cert: ca.certPem, key: ca.keyPem } });
const tokenLifetimeSec = Number(process.env.SOAK_TOKEN_LIFETIME_SEC ?? 300);
const sim = await GraphSim.create(server, { tokenLifetimeSec });
const outages: ChildStats['outages'] = [];
let notificationRetries = 0;

async function ring(c: Extract<ChildCommand, { cmd: 'ring' }>): Promise<number | null> {
  let status: number | null = null;
  const first = Date.now();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) {
      const wait = 1000 * 2 ** (attempt - 1);
      if (Date.now() + wait - first >= 13_000) break; // the call's window is (nearly) over
      notificationRetries++;
      await new Promise((r) => setTimeout(r, wait));
    }
    status = (await sim.ringCall({ shape: 'current', callId: c.callId, forge: c.forge, tenantId: c.tenantId })).status;
    if (status === null || status < 500) return status;
  }
  return status;
}

async function handle(c: ChildCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'setReceiver':
      sim.setReceiver(c.url);
      return null;
    case 'ring':
      return ring(c);
    case 'hangUp':
      return sim.calls.has(c.callId) ? (await sim.hangUp(c.callId)).status : null;
    case 'chaos': {
      const failure = (): RejectFailure | null => {
        const x = Math.random();
        if (x < c.p500) return { status: 500 };
        if (x < c.p500 + c.p429) return { status: 429, retryAfter: c.retryAfter };
        if (x < c.p500 + c.p429 + c.p404) return { status: 404 };
        return null;
      };
      sim.setRejectChaos(failure);
      return null;
    }
    case 'outage': {
      const from = Date.now();
      const until = from + c.ms;
      sim.failTokens({
        status: 503,
        error: 'temporarily_unavailable',
        description: 'AADSTS90033: A transient error has occurred. Please try again.',
        until,
      });
      outages.push({ from, until });
      return { from, until };
    }
    case 'rotateKey':
      return sim.rotateCallbackKey();
    case 'stats': {
      const stats: ChildStats = {
        rejects: sim.rejects.map((r) => ({ callId: r.callId, status: r.status, at: r.at })),
        tokensIssued: sim.tokensIssued.map((t) => t.at),
        outages,
        notificationRetries,
        rssBytes: process.memoryUsage().rss,
      };
      return stats;
    }
  }
}

process.on('message', (m: { id: number; command: ChildCommand }) => {
  handle(m.command).then(
    (result) => send({ id: m.id, ok: true, result }),
    (err: unknown) => send({ id: m.id, ok: false, error: String(err) }),
  );
});
process.on('disconnect', () => {
  sim.close();
  void server.close().then(() => process.exit(0));
});

const hello: ChildHello = {
  caPem: ca.caPem,
  origin: server.origin,
  tenantId: sim.tenantId,
  clientId: sim.clientId,
  clientSecret: sim.clientSecret,
  openIdConfigUrl: sim.openIdConfigUrl,
  authorityHost: sim.authorityHost,
  graphBaseUrl: sim.graphBaseUrl,
};
send({ hello });
