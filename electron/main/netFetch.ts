/**
 * The engine's HTTP in the desktop app, over Electron's `net.request`: Chromium's network stack
 * — the system proxy settings (PAC/WPAD included) and the OS certificate store.
 *
 * Why not `net.fetch`: in `redirect: 'manual'` mode it never hands a 3xx back — it rejects with
 * "Redirect was cancelled" (Electron's net-client-request.ts). The engine asks for manual
 * redirects on purpose: autodiscovery reads the 3xx and its `Location` and follows it only on
 * the same site, so credentials never go elsewhere (`core/ucwa/discovery.ts`, `http.ts`,
 * `auth.ts`). Here the `redirect` event of `net.request` becomes that 3xx response; the request
 * is aborted inside the event, so Chromium never follows it. `follow` and `error` keep the
 * fetch meanings. Chromium's own credentials (cookies, NTLM/Negotiate) are never sent
 * (`credentials: 'omit'`): the engine sends exactly the Authorization it means to.
 */
import type { Fetch } from '../core/deps.js';

/** The response side of Electron's IncomingMessage this uses. */
export interface NetResponseLike {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string | string[]>;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** The part of Electron's ClientRequest this uses. */
export interface NetRequestLike {
  on(
    event: 'redirect',
    listener: (statusCode: number, method: string, redirectUrl: string, headers: Record<string, string[]>) => void,
  ): unknown;
  on(event: 'response', listener: (response: NetResponseLike) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  setHeader(name: string, value: string): void;
  write(chunk: Buffer): unknown;
  end(): unknown;
  abort(): void;
}

/** The part of Electron's `net` this uses. */
export interface NetRequestModule {
  request(options: {
    url: string;
    method: string;
    redirect: 'follow' | 'error' | 'manual';
    credentials: 'omit';
    useSessionCookies: boolean;
  }): NetRequestLike;
}

function bodyBytes(body: RequestInit['body']): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), 'utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('netFetch: the request body must be a string, URLSearchParams or bytes');
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  return headers;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export function createNetFetch(net: NetRequestModule): Fetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = typeof input === 'string' ? input : input.href;
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(abortError(signal));
      const mode = init.redirect ?? 'follow';
      let body: Buffer | null;
      try {
        body = bodyBytes(init.body);
      } catch (err) {
        return reject(err as Error);
      }
      const req = net.request({
        url,
        method: (init.method ?? 'GET').toUpperCase(),
        redirect: mode,
        credentials: 'omit',
        useSessionCookies: false,
      });
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => {
        settle(() => reject(abortError(signal!)));
        req.abort();
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      new Headers(init.headers).forEach((value, name) => req.setHeader(name, value));
      req.on('redirect', (statusCode, _method, redirectUrl, responseHeaders) => {
        if (mode !== 'manual') return;
        // Hand the 3xx to the engine as Node's fetch would; aborting inside the event stops
        // Chromium from following it (and from failing with "Redirect was cancelled").
        req.abort();
        const headers = toHeaders(responseHeaders);
        if (!headers.has('location')) headers.set('location', redirectUrl);
        settle(() => resolve(new Response(null, { status: statusCode, headers })));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
        res.on('error', (err: Error) => settle(() => reject(err)));
        res.on('end', () => {
          const nullBody = [101, 204, 205, 304].includes(res.statusCode) || init.method === 'HEAD';
          settle(() =>
            resolve(
              new Response(nullBody ? null : Buffer.concat(chunks), {
                status: res.statusCode,
                statusText: res.statusMessage,
                headers: toHeaders(res.headers),
              }),
            ),
          );
        });
      });
      req.on('error', (err: Error) => settle(() => reject(new TypeError('fetch failed', { cause: err }))));
      if (body) req.write(body);
      req.end();
    });
}
