/**
 * The calling webhook: a node:http server (127.0.0.1 by default; put it behind a tunnel or
 * reverse proxy that forwards Microsoft's HTTPS POSTs to it) that
 * - answers only POST on its path (other paths 404, other methods 405);
 * - refuses bodies over the size limit (413 and the connection closed), chunked ones included:
 *   the limit is enforced while reading, not only from Content-Length;
 * - validates the bearer JWT before looking at the body (401 none, 403 bad, 503 no keys or a
 *   key not yet fetched), and pins the tenant: the token's `tid` and every notification's
 *   `resourceData.tenantId` must be one of the account's tenants (403 otherwise);
 * - answers 202 at once and hands the parsed body to `onNotification` in the background;
 *   a body that is not a notification batch gets 204 (Microsoft's legacy format: the
 *   platform resends it in Graph format), one that is not JSON 400.
 * Nothing that fails these checks reaches `onNotification`.
 *
 * No request can crash the process: the body promise and the verification promise never
 * reject (their outcomes are values, see body.ts), so whichever finishes first decides and
 * the other has nothing left to throw. Connections are bounded: header and request timeouts
 * are checked every `checkIntervalMs` (Node's default checks only every 30 s), at most
 * `maxConnections` are open at once (more are dropped by Node), keep-alive is bounded in time
 * and in requests per socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock, Logger } from '../deps.js';
import { readBoundedBody, settle, type BodyResult, type Settled } from './body.js';
import { CallbackAuthError, type CallbackClaims } from './jwt.js';
import { isNotificationBatch } from './notifications.js';
import { foreignTenant, tenantAllowed } from './tenants.js';

export const DEFAULT_CALLBACK_HOST = '127.0.0.1';
export const DEFAULT_CALLBACK_PATH = '/callback';
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Connection limits of the receiver; every field has a default. */
export interface ReceiverLimits {
  /** The request line and headers must arrive within this (default 10 s). */
  headersTimeoutMs?: number;
  /** The whole request, body included, must arrive within this (default 15 s). */
  requestTimeoutMs?: number;
  /** How often Node checks those timeouts (default 1 s; Node's own default is 30 s). */
  checkIntervalMs?: number;
  /** Open connections at most; more are dropped at once (default 256). */
  maxConnections?: number;
  /** An idle keep-alive connection is closed after this (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** Requests served on one connection at most (default 100). */
  maxRequestsPerSocket?: number;
}

export const DEFAULT_RECEIVER_LIMITS: Required<ReceiverLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  checkIntervalMs: 1_000,
  maxConnections: 256,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 100,
};

export interface NotificationContext {
  claims: CallbackClaims;
  /** clock.now() when the request arrived. */
  receivedAt: number;
  /** Microsoft's correlation ids, for support cases. */
  ids: Record<string, string>;
}

export interface ReceiverOptions {
  host?: string;
  port: number;
  path?: string;
  maxBodyBytes?: number;
  limits?: ReceiverLimits;
  /** The tenants whose notifications are accepted (the account's tenantId + allowedTenants). */
  tenants: readonly string[];
  verifier: { verify(authorization: string | undefined): Promise<CallbackClaims> };
  /** Called in the background with each accepted batch; exceptions are logged. */
  onNotification(body: { value: unknown[] }, ctx: NotificationContext): void | Promise<void>;
  clock: Clock;
  logger: Logger;
}

const CORRELATION_HEADERS = [
  'x-microsoft-skype-chain-id',
  'x-microsoft-skype-message-id',
  'scenario-id',
  'client-request-id',
];

export class CallbackReceiver {
  private server: Server | null = null;
  private boundUrl: string | null = null;
  private readonly path: string;
  private readonly maxBody: number;
  private readonly log: Logger;
  private readonly pending = new Set<Promise<void>>();
  private readonly limits: Required<ReceiverLimits>;
  private dropped = 0;

  constructor(private readonly opts: ReceiverOptions) {
    this.path = opts.path ?? DEFAULT_CALLBACK_PATH;
    this.maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.log = opts.logger.child('receiver');
    this.limits = { ...DEFAULT_RECEIVER_LIMITS, ...definedOnly(opts.limits ?? {}) };
  }

  /** The URL it listens on (with the bound port when 0 was configured), once listening. */
  get url(): string | null {
    return this.boundUrl;
  }

  async listen(): Promise<string> {
    if (this.boundUrl) return this.boundUrl;
    const host = this.opts.host ?? DEFAULT_CALLBACK_HOST;
    const l = this.limits;
    const server = createServer(
      {
        // Node refuses a headers timeout longer than the request timeout.
        headersTimeout: Math.min(l.headersTimeoutMs, l.requestTimeoutMs),
        requestTimeout: l.requestTimeoutMs,
        connectionsCheckingInterval: l.checkIntervalMs,
        keepAliveTimeout: l.keepAliveTimeoutMs,
      },
      (req, res) => {
        const handled = this.handle(req, res).catch((err: unknown) => {
          // handle() catches what it expects; this is the last line, never a crash.
          this.log.error('a notification request failed unexpectedly', { err });
          if (!res.headersSent) res.destroy();
        });
        this.pending.add(handled);
        void handled.finally(() => this.pending.delete(handled));
      },
    );
    server.maxConnections = l.maxConnections;
    server.maxRequestsPerSocket = l.maxRequestsPerSocket;
    server.on('drop', () => {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 100 === 0) {
        this.log.warn('dropped a connection: too many open connections', {
          maxConnections: l.maxConnections,
          droppedSoFar: this.dropped,
        });
      }
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // Malformed requests and timeouts: answer if the socket still can, never throw.
      this.log.debug('client error on the callback port', { code: err.code });
      const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (socket.writable && !socket.writableEnded && !answering?.headersSent) {
        const status =
          err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : err.code === 'HPE_HEADER_OVERFLOW'
              ? '431 Request Header Fields Too Large'
              : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
      // Drain what the client is still sending so the answer is not lost to a reset, and
      // close for good shortly after (a client that keeps sending does not hold the socket).
      socket.on('data', () => undefined);
      socket.resume();
      const s = socket as Socket;
      s.end();
      this.opts.clock.setTimeout(() => s.destroy(), 1_000);
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `the callback port ${host}:${this.opts.port} is already in use`
              : `could not listen on ${host}:${this.opts.port}: ${err.message}`,
          ),
        );
      };
      server.once('error', onError);
      server.listen(this.opts.port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error('callback server error', { err }));
    const { port } = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    this.server = server;
    this.boundUrl = `http://${shownHost}:${port}${this.path}`;
    this.log.info('listening for Graph notifications', { url: this.boundUrl });
    return this.boundUrl;
  }

  /** Stops listening, drops open connections and waits for background processing. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.boundUrl = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await Promise.allSettled([...this.pending]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = this.opts.clock.now();
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.path) return this.refuse(req, res, 404, 'NotFound', 'not the callback path');
    if (req.method !== 'POST') {
      return this.refuse(req, res, 405, 'MethodNotAllowed', 'only POST is accepted', { Allow: 'POST' });
    }
    const ids: Record<string, string> = {};
    for (const h of CORRELATION_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') ids[h] = v.slice(0, 200);
    }
    const authorization = req.headers.authorization;
    if (!authorization) {
      this.log.warn('refused a notification without a token', { status: 401, ...ids });
      return this.refuse(req, res, 401, 'Unauthorized', 'a bearer token is required', { 'WWW-Authenticate': 'Bearer' });
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBody) {
      return this.refuse(req, res, 413, 'PayloadTooLarge', `the body exceeds ${this.maxBody} bytes`);
    }

    // Read the raw bytes (bounded) while the token is checked; nothing is parsed yet. Neither
    // promise rejects, and whichever says no first decides.
    const bodyRead = readBoundedBody(req, this.maxBody);
    const verdict = settle(this.opts.verifier.verify(authorization));
    const early = await Promise.race<Settled<CallbackClaims> | BodyFailure>([
      verdict,
      bodyRead.then<Settled<CallbackClaims> | BodyFailure>((b) => (b.ok ? verdict : b)),
    ]);
    if ('why' in early) {
      this.bodyFailed(req, res, early, ids);
      // The verification still under way ends here (its outcome no longer matters).
      await verdict;
      return;
    }
    if (!early.ok) {
      const err = early.error;
      const e = err instanceof CallbackAuthError ? err : new CallbackAuthError(403, 'invalid', String(err));
      this.log.warn('refused a notification: token rejected', {
        status: e.status,
        reason: e.reason,
        detail: e.message,
        ...ids,
      });
      return this.refuse(req, res, e.status, e.status === 503 ? 'ServiceUnavailable' : 'Forbidden', e.message);
    }
    const claims = early.value;
    if (!tenantAllowed(claims.tid, this.opts.tenants)) {
      this.log.warn('refused a notification: token rejected', {
        status: 403,
        reason: 'tenant',
        detail: `the token is for tenant ${claims.tid}, not one of this account's tenants`,
        ...ids,
      });
      return this.refuse(req, res, 403, 'Forbidden', "the token is not for this account's tenant");
    }
    const read = await bodyRead;
    if (!read.ok) return this.bodyFailed(req, res, read, ids);
    const raw = read.text;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      this.log.warn('refused a notification whose body is not JSON', { bytes: raw.length, ...ids });
      return this.refuse(req, res, 400, 'BadRequest', 'the body is not JSON');
    }
    if (!isNotificationBatch(body)) {
      this.log.warn('ignored a notification in an unknown (legacy?) format; answered 204', { ...ids });
      res.writeHead(204).end();
      return;
    }
    const foreign = foreignTenant(body.value, this.opts.tenants);
    if (foreign !== null) {
      this.log.warn('refused a notification: token rejected', {
        status: 403,
        reason: 'resourceTenant',
        detail: `a notification is for tenant ${foreign}, not one of this account's tenants`,
        ...ids,
      });
      return this.refuse(req, res, 403, 'Forbidden', "a notification is not for this account's tenant");
    }
    res.writeHead(202, { 'Content-Length': 0 }).end();
    const work = (async () => {
      await new Promise<void>((r) => setImmediate(r));
      try {
        await this.opts.onNotification(body, { claims, receivedAt, ids });
      } catch (err) {
        this.log.error('processing a notification failed', { err, ...ids });
      }
    })();
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private bodyFailed(
    req: IncomingMessage,
    res: ServerResponse,
    failure: BodyFailure,
    ids: Record<string, string>,
  ): void {
    if (failure.why === 'tooLarge') {
      this.log.warn('refused a notification: body too large', { status: 413, limit: this.maxBody, ...ids });
      return this.refuse(req, res, 413, 'PayloadTooLarge', `the body exceeds ${this.maxBody} bytes`);
    }
    this.log.warn('could not read a notification body', { detail: failure.detail, ...ids });
    if (!res.headersSent) res.destroy();
  }

  private refuse(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify({ error: { code, message } });
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      // Do not keep reading a body we refused.
      Connection: 'close',
      ...headers,
    });
    res.end(text);
    if (!req.complete) {
      // Discard what is still coming; Node closes the connection once the answer is out
      // (Connection: close), so a slow or endless body cannot keep it open.
      req.resume();
      res.once('finish', () => req.socket.destroySoon());
    }
  }
}

type BodyFailure = Exclude<BodyResult, { ok: true }>;

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
