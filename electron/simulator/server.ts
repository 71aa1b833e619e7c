/**
 * The simulator's HTTP core: a real node:http server on loopback that records every request
 * it receives and hands it to the protocol modules (ucwa.ts, graph.ts) in turn.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path plus query, as received. */
  url: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
  /** performance.now() when the request was complete (for in-process latency figures). */
  hrAt: number;
}

export interface SimContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: string;
  record: RecordedRequest;
}

/** Returns true when it handled (answered or took ownership of) the request. */
export type SimHandler = (ctx: SimContext) => boolean | Promise<boolean>;

export interface SimServerOptions {
  host?: string;
  port?: number;
  /** Serve HTTPS with this certificate (e.g. graph/ca.ts simCertificateAuthority()). */
  tls?: { cert: string; key: string };
}

export class SimServer {
  readonly requests: RecordedRequest[] = [];
  private readonly handlers: SimHandler[] = [];
  private readonly waiters = new Set<{ pred: (r: RecordedRequest) => boolean; done: (r: RecordedRequest) => void }>();
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(opts: SimServerOptions = {}): Promise<SimServer> {
    const host = opts.host ?? '127.0.0.1';
    const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }) : createServer();
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const sim = new SimServer(server, `${opts.tls ? 'https' : 'http'}://${host}:${port}`);
    server.on('request', (req, res) => void sim.dispatch(req, res));
    return sim;
  }

  use(handler: SimHandler): void {
    this.handlers.push(handler);
  }

  /** Requests matching a predicate (e.g. method + path suffix). */
  find(pred: (r: RecordedRequest) => boolean): RecordedRequest[] {
    return this.requests.filter(pred);
  }

  /** Resolves with the first request (already received or future) matching `pred`. */
  waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs = 5_000): Promise<RecordedRequest> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        done: (r: RecordedRequest) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`simulator: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** True while refuseConnections() holds the port closed. */
  refusing = false;

  /**
   * Misbehaviour (an outage): stop listening — new connections are refused (ECONNREFUSED) —
   * and cut every open one. `acceptConnections()` comes back on the same port.
   */
  async refuseConnections(): Promise<void> {
    if (this.refusing) return;
    this.refusing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Ends an outage: listens again on the same address and port. */
  async acceptConnections(): Promise<void> {
    if (!this.refusing) return;
    const { hostname, port } = new URL(this.origin);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(Number(port), hostname, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.refusing = false;
  }

  async close(): Promise<void> {
    if (this.refusing) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.origin);
    const record: RecordedRequest = {
      seq: ++this.seq,
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      path: url.pathname,
      headers: { ...req.headers },
      body,
      at: Date.now(),
      hrAt: performance.now(),
    };
    this.requests.push(record);
    for (const w of [...this.waiters]) if (w.pred(record)) w.done(record);
    try {
      for (const handler of this.handlers) {
        if (await handler({ req, res, url, body, record })) return;
      }
      sendJson(res, 404, { code: 'NotFound', message: `simulator: no route for ${record.method} ${url.pathname}` });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { code: 'ServiceFailure', message: String(err) });
      else res.destroy();
    }
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}
