/**
 * fast-check against the callback receiver over raw TCP: hostile methods, paths, headers,
 * tokens, sizes, framings (Content-Length, lying Content-Length, chunked, oversized chunked)
 * and bodies sent piecemeal. The process survives (no unhandled rejection), every request is
 * answered 4xx/5xx — or 202/204 when, and only when, it was correctly signed — and nothing
 * that was not correctly signed reaches the engine.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackVerifier } from '../../../electron/core/graph/jwt.js';
import { CallbackReceiver } from '../../../electron/core/graph/receiver.js';
import { OTHER_TENANT_ID } from '../../../electron/simulator/graph.js';
import { newSigningKey } from '../../../electron/simulator/graph/keys.js';
import { startSecureGraphWorld, type SecureGraphWorld } from './harness.js';
import { chunk, head, LAST_CHUNK, openRaw, writeSafe } from './rawHttp.js';

const LIMIT = 2048;

type TokenKind = 'none' | 'valid' | 'keyless' | 'unknownKey' | 'expired' | 'otherTenant' | 'garbage' | 'basic' | 'huge';
type Framing = 'length' | 'lyingLength' | 'chunked' | 'none';

interface HostileRequest {
  method: string;
  path: string;
  token: TokenKind;
  framing: Framing;
  body: 'batch' | 'json' | 'garbage' | 'empty';
  size: number;
  pieces: number;
  extraHeaders: [string, string][];
}

const request = fc.record<HostileRequest>({
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constant('POST') },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD', 'POSTX') },
  ),
  path: fc.oneof(
    { weight: 6, arbitrary: fc.constant('/callback') },
    { weight: 1, arbitrary: fc.constantFrom('/callback?x=1', '/other', '//callback', '/callback/', '/%00', '*') },
  ),
  token: fc.constantFrom<TokenKind>(
    'none',
    'valid',
    'valid',
    'keyless',
    'unknownKey',
    'expired',
    'otherTenant',
    'garbage',
    'basic',
    'huge',
  ),
  framing: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom<Framing>('length', 'chunked') },
    { weight: 1, arbitrary: fc.constantFrom<Framing>('lyingLength', 'none') },
  ),
  body: fc.constantFrom('batch', 'json', 'garbage', 'empty'),
  size: fc.oneof(fc.integer({ min: 0, max: LIMIT }), fc.integer({ min: LIMIT + 1, max: 64 * 1024 })),
  pieces: fc.integer({ min: 1, max: 12 }),
  extraHeaders: fc.array(
    fc.tuple(
      fc.constantFrom('X-Microsoft-Skype-Chain-ID', 'Scenario-ID', 'Content-Type', 'Expect', 'X-Junk'),
      fc.string({ maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x')),
    ),
    { maxLength: 3 },
  ),
});

describe('Graph callback receiver under fuzzing', () => {
  let world: SecureGraphWorld;
  let receiver: CallbackReceiver;
  let url: string;
  const delivered: string[] = [];
  const tokens = {} as Record<TokenKind, string | null>;

  beforeAll(async () => {
    world = await startSecureGraphWorld();
    const verifier = new CallbackVerifier({
      audience: world.sim.clientId,
      openIdConfigUrl: world.sim.openIdConfigUrl,
      fetch: world.net.fetch,
      clock: world.clock,
      logger: world.log.logger,
    });
    receiver = new CallbackReceiver({
      port: 0,
      maxBodyBytes: LIMIT,
      limits: { requestTimeoutMs: 400, headersTimeoutMs: 300, checkIntervalMs: 50 },
      tenants: [world.sim.tenantId],
      verifier,
      onNotification: (body) => void delivered.push(JSON.stringify(body)),
      clock: world.clock,
      logger: world.log.logger,
    });
    url = await receiver.listen();
    const now = Math.floor(Date.now() / 1000);
    tokens.none = null;
    tokens.valid = await world.sim.signCallbackToken();
    tokens.keyless = await world.sim.signCallbackToken({}, undefined, { kid: false });
    tokens.unknownKey = await world.sim.signCallbackToken({}, await newSigningKey());
    tokens.expired = await world.sim.signCallbackToken({ nbf: now - 3600, exp: now - 900 });
    tokens.otherTenant = await world.sim.signCallbackToken({ tid: OTHER_TENANT_ID });
    tokens.garbage = 'eyJhbGciOiJub25lIn0.e30.';
    tokens.basic = 'Basic dXNlcjpwYXNz';
    tokens.huge = 'x'.repeat(20_000); // over Node's 16 KiB header limit: 431
  });
  afterAll(async () => {
    await receiver.close();
    await world.close();
  });

  /** Builds the body; valid batches carry a marker so a delivery can be traced to its request. */
  const bodyOf = (r: HostileRequest, marker: string): Buffer => {
    let text: string;
    switch (r.body) {
      case 'batch':
        text = JSON.stringify({ value: [{ changeType: 'updated', resource: `/communications/calls/${marker}` }] });
        break;
      case 'json':
        text = JSON.stringify({ callState: 'incoming', marker });
        break;
      case 'garbage':
        text = '{"value": [';
        break;
      case 'empty':
        text = '';
        break;
    }
    const pad = Math.max(0, r.size - Buffer.byteLength(text));
    return Buffer.concat([Buffer.from(text), Buffer.from(' '.repeat(r.body === 'empty' ? 0 : pad))]);
  };

  const send = async (r: HostileRequest, marker: string): Promise<number | null> => {
    const body = bodyOf(r, marker);
    const headers: Record<string, string> = { Host: '127.0.0.1', Connection: 'close' };
    const token = tokens[r.token];
    if (token !== null) headers.Authorization = r.token === 'basic' ? token : `Bearer ${token}`;
    for (const [k, v] of r.extraHeaders) headers[k] = v;
    if (r.framing === 'length') headers['Content-Length'] = String(body.length);
    if (r.framing === 'lyingLength') headers['Content-Length'] = String(body.length + 10);
    if (r.framing === 'chunked') headers['Transfer-Encoding'] = 'chunked';
    const raw = await openRaw(url);
    writeSafe(raw.socket, head(r.method, r.path, headers));
    const step = Math.ceil(body.length / r.pieces) || 1;
    for (let i = 0; i < body.length; i += step) {
      const piece = body.subarray(i, i + step);
      writeSafe(raw.socket, r.framing === 'chunked' ? chunk(piece) : piece);
      // Piecemeal: let the server read what arrived before the next piece is sent.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (r.framing === 'chunked') writeSafe(raw.socket, LAST_CHUNK);
    const status = await raw.status;
    raw.socket.destroy();
    return status;
  };

  it('survives every hostile request, answers each, and passes on only what was correctly signed', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    const signedMarkers = new Set<string>();
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const marker = `m${++n}`;
          const signed = r.token === 'valid' || r.token === 'keyless';
          if (signed) signedMarkers.add(marker);
          const status = await send(r, marker);
          // A request line Node cannot parse may be dropped without an answer; all others are answered.
          if (status === null) return r.method === 'POSTX' || r.path === '*' || r.framing === 'none';
          if (status === 202 || status === 204) return signed && r.method === 'POST';
          return status >= 400 && status < 600;
        }),
        { numRuns: 120, seed: Number(process.env.FUZZ_SEED ?? 20261129) },
      );
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
    // Signed batches were passed on (the property is not vacuous) and nothing unsigned was.
    expect(delivered.length).toBeGreaterThan(0);
    for (const d of delivered) {
      const marker = /calls\/(m\d+)/.exec(d)?.[1];
      expect(marker && signedMarkers.has(marker)).toBe(true);
    }
    // And it still serves a real notification.
    world.sim.setReceiver(url);
    expect((await world.sim.postNotification({ value: [] })).status).toBe(202);
  });
});
