/**
 * The calling webhook: a node:http server (127.0.0.1 by default; put it behind a tunnel or
 * reverse proxy that forwards Microsoft's HTTPS POSTs to it) that
 * - answers only POST on its path (other paths 404, other methods 405);
 * - refuses bodies over the size limit (413);
 * - validates the bearer JWT before looking at the body (401 none, 403 bad, 503 no keys);
 * - answers 202 at once and hands the parsed body to `onNotification` in the background;
 *   a body that is not a notification batch gets 204 (Microsoft's legacy format: the
 *   platform resends it in Graph format), one that is not JSON 400.
 * Nothing that fails these checks reaches `onNotification`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Logger } from '../deps.js';
import { CallbackAuthError, type CallbackClaims } from './jwt.js';
import { isNotificationBatch } from './notifications.js';

export const DEFAULT_CALLBACK_HOST = '127.0.0.1';
export const DEFAULT_CALLBACK_PATH = '/callback';
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

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

  constructor(private readonly opts: ReceiverOptions) {
    this.path = opts.path ?? DEFAULT_CALLBACK_PATH;
    this.maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.log = opts.logger.child('receiver');
  }

  /** The URL it listens on (with the bound port when 0 was configured), once listening. */
  get url(): string | null {
    return this.boundUrl;
  }

  async listen(): Promise<string> {
    if (this.boundUrl) return this.boundUrl;
    const host = this.opts.host ?? DEFAULT_CALLBACK_HOST;
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
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

    // Read the raw bytes (bounded) while the token is checked; nothing is parsed yet.
    const bodyPromise = readBody(req, this.maxBody);
    let claims: CallbackClaims;
    try {
      claims = await this.opts.verifier.verify(authorization);
    } catch (err) {
      const e = err instanceof CallbackAuthError ? err : new CallbackAuthError(403, 'invalid', String(err));
      this.log.warn('refused a notification: token rejected', {
        status: e.status,
        reason: e.reason,
        detail: e.message,
        ...ids,
      });
      await bodyPromise.catch(() => undefined);
      return this.refuse(req, res, e.status, e.status === 503 ? 'ServiceUnavailable' : 'Forbidden', e.message);
    }
    let raw: string;
    try {
      raw = await bodyPromise;
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        return this.refuse(req, res, 413, 'PayloadTooLarge', `the body exceeds ${this.maxBody} bytes`);
      }
      this.log.warn('could not read a notification body', { err, ...ids });
      if (!res.headersSent) res.destroy();
      return;
    }
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
    if (!req.complete) req.resume();
  }
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
    req.on('aborted', () => {
      if (!failed) {
        failed = true;
        reject(new Error('the request was aborted'));
      }
    });
  });
}
