/**
 * The provider's HTTP layer against a bare loopback server scripted per test: the 401 dance,
 * one retry only, one grant for concurrent requests, and where the password may go.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../electron/core/deps.js';
import { silentLogger } from '../../../electron/core/log.js';
import { TokenCache } from '../../../electron/core/ucwa/auth.js';
import { UcwaError } from '../../../electron/core/ucwa/errors.js';
import { UcwaHttp } from '../../../electron/core/ucwa/http.js';
import { SimServer, sendEmpty, sendJson } from '../../../electron/simulator/server.js';

let server: SimServer;
afterEach(async () => {
  await server?.close();
});

function client() {
  const tokens = new TokenCache({
    fetch: (i, init) => fetch(i, init),
    clock: systemClock,
    logger: silentLogger,
    credentials: async () => ({ username: 'u@contoso.com', password: 'pw' }),
  });
  return new UcwaHttp({ fetch: (i, init) => fetch(i, init), clock: systemClock, logger: silentLogger, tokens });
}

/** A server that challenges every request lacking `Bearer good-<n>` and grants `good-<n>`. */
async function challengingServer(tokenHref: (origin: string) => string) {
  server = await SimServer.start();
  let issued = 0;
  server.use(({ req, res, url }) => {
    if (url.pathname === '/token') {
      issued++;
      sendJson(res, 200, { access_token: `good-${issued}`, expires_in: 3600, token_type: 'Bearer' });
      return true;
    }
    if (!/^Bearer good-\d+$/.test(req.headers.authorization ?? '')) {
      res.writeHead(401, {
        'WWW-Authenticate': [
          'Bearer trusted_issuers="x@contoso.com", client_id="y"',
          `MsRtcOAuth href="${tokenHref(server.origin)}",grant_type="urn:microsoft.rtc:windows,password"`,
        ],
        'Content-Length': 0,
      });
      res.end();
      return true;
    }
    sendEmpty(res, 204);
    return true;
  });
  return server;
}

describe('UCWA HTTP layer', () => {
  it('answers a 401 with one grant and retries the same request with the token', async () => {
    const s = await challengingServer((o) => `${o}/token`);
    const res = await client().request('POST', `${s.origin}/ucwa/x?ack=1`, {
      body: '{"a":1}',
      contentType: 'application/json',
    });
    expect(res.status).toBe(204);
    expect(s.requests.map((r) => `${r.method} ${r.url} ${r.headers.authorization ?? '-'} ${r.body}`)).toEqual([
      'POST /ucwa/x?ack=1 - {"a":1}',
      'POST /token - grant_type=password&username=u%40contoso.com&password=pw',
      'POST /ucwa/x?ack=1 Bearer good-1 {"a":1}',
    ]);
  });

  it('shares one grant between concurrent requests and reuses the token afterwards', async () => {
    const s = await challengingServer((o) => `${o}/token`);
    const http = client();
    await http.request('GET', `${s.origin}/a`);
    await Promise.all([http.request('GET', `${s.origin}/b`), http.request('GET', `${s.origin}/c`)]);
    expect(s.requests.filter((r) => r.url === '/token')).toHaveLength(1);
    expect(s.requests.filter((r) => r.url !== '/token' && !r.headers.authorization).map((r) => r.url)).toEqual(['/a']);
  });

  it('retries only once when the server keeps refusing the token', async () => {
    server = await SimServer.start();
    server.use(({ req, res, url }) => {
      if (url.pathname === '/token') {
        sendJson(res, 200, { access_token: 'never-good', expires_in: 3600 });
        return true;
      }
      res.writeHead(401, {
        'WWW-Authenticate': `MsRtcOAuth href="${server.origin}/token",grant_type="password"`,
        'Content-Length': 0,
      });
      res.end();
      void req;
      return true;
    });
    const res = await client().request('GET', `${server.origin}/x`);
    expect(res.status).toBe(401);
    expect(server.requests.map((r) => r.url)).toEqual(['/x', '/token', '/x']);
  });

  it('never sends the password to a token endpoint on another site', async () => {
    const s = await challengingServer((o) => `${o.replace('127.0.0.1', '127.0.0.2')}/token`);
    const err = await client()
      .request('GET', `${s.origin}/x`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UcwaError);
    expect(err).toMatchObject({ code: 'UntrustedSignIn', message: expect.stringMatching(/password was not sent/) });
    expect(s.requests.map((r) => r.url)).toEqual(['/x']);
  });

  it('refuses plain http to a non-loopback host before anything is sent', async () => {
    await expect(client().request('GET', 'http://lyncweb.contoso.com/ucwa')).rejects.toMatchObject({
      code: 'UnsafeLink',
    });
  });
});
