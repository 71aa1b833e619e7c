import { readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphTokenError, GraphTokens } from '../../../electron/core/graph/tokens.js';
import { demoGraphAccount } from '../../../electron/simulator/graph.js';
import { makeCertificate, staticSecrets, startGraphWorld, type GraphWorld, type TestCertificate } from './harness.js';

const POLL = { timeout: 5_000 };

describe('Graph app-only tokens (msal-node client credentials against the simulator)', () => {
  let world: GraphWorld;
  let cert: TestCertificate | null = null;

  beforeEach(async () => {
    world = await startGraphWorld();
  });
  afterEach(async () => {
    cert?.cleanup();
    cert = null;
    await world.close();
  });

  const deps = (secrets: Record<string, string> = {}) => ({
    fetch: world.net.fetch,
    clock: world.clock,
    logger: world.log.logger,
    secrets: staticSecrets(secrets),
  });

  it('gets a token with the client secret from the secret store, through the injected fetch only', async () => {
    const account = demoGraphAccount(world.sim);
    const tokens = new GraphTokens(account, deps({ 'demo-graph.clientSecret': world.sim.clientSecret }));
    await tokens.start();
    const token = await tokens.get();
    expect(token.split('.')).toHaveLength(3);
    expect(world.sim.tokensIssued).toEqual([expect.objectContaining({ credential: 'secret' })]);
    // msal read the authority metadata and posted to the token endpoint, all at the simulator.
    expect(world.net.urls.map((u) => u.split('?')[0])).toEqual([
      `${world.sim.authorityHost}/${world.sim.tenantId}/v2.0/.well-known/openid-configuration`,
      world.sim.tokenUrl,
    ]);
    const form = new URLSearchParams(world.server.find((r) => r.path.endsWith('/oauth2/v2.0/token'))[0]!.body);
    expect(form.get('scope')).toContain('https://graph.microsoft.com/.default');
    expect(form.get('grant_type')).toBe('client_credentials');
    tokens.stop();
  });

  it('gets a token with a certificate: msal signs a client assertion the simulator verifies with the certificate', async () => {
    cert = makeCertificate();
    world.sim.trustCertificate(cert.certPem);
    const account = demoGraphAccount(world.sim, 0, {
      clientSecret: undefined,
      certificate: { certFile: cert.certFile, keyFile: cert.keyFile },
    });
    const tokens = new GraphTokens(account, deps());
    await tokens.start();
    expect(await tokens.get()).toMatch(/^ey/);
    expect(world.sim.tokensIssued).toEqual([expect.objectContaining({ credential: 'certificate' })]);
    const form = new URLSearchParams(world.server.find((r) => r.path.endsWith('/oauth2/v2.0/token'))[0]!.body);
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    tokens.stop();
  });

  it('accepts a PKCS#1 ("BEGIN RSA PRIVATE KEY") key file too', async () => {
    cert = makeCertificate({ pkcs1: true });
    world.sim.trustCertificate(cert.certPem);
    const account = demoGraphAccount(world.sim, 0, { certificate: { certFile: cert.certFile, keyFile: cert.keyFile } });
    const tokens = new GraphTokens(account, deps());
    await tokens.start();
    expect(world.sim.tokensIssued).toEqual([expect.objectContaining({ credential: 'certificate' })]);
    tokens.stop();
  });

  it('prefers the private key stored in the secret store (imported by the desktop) over keyFile', async () => {
    cert = makeCertificate();
    world.sim.trustCertificate(cert.certPem);
    const keyPem = readFileSync(cert.keyFile, 'utf8');
    rmSync(cert.keyFile);
    const account = demoGraphAccount(world.sim, 0, {
      clientSecret: undefined,
      certificate: { certFile: cert.certFile, keyFile: cert.keyFile },
    });
    const tokens = new GraphTokens(account, deps({ 'demo-graph.certificateKey': keyPem }));
    await tokens.start();
    expect(world.sim.tokensIssued).toEqual([expect.objectContaining({ credential: 'certificate' })]);
    tokens.stop();
  });

  it('refuses a certificate the app registration does not know, with Entra’s reason', async () => {
    cert = makeCertificate(); // not trusted by the simulator
    const account = demoGraphAccount(world.sim, 0, { certificate: { certFile: cert.certFile, keyFile: cert.keyFile } });
    const tokens = new GraphTokens(account, deps());
    const err = await tokens.start().then(
      () => null,
      (e: unknown) => e,
    );
    tokens.stop();
    expect(err).toBeInstanceOf(GraphTokenError);
    expect((err as GraphTokenError).message).toMatch(/AADSTS700027/);
    expect(world.sim.tokensIssued).toEqual([]);
  });

  it('names a key file that does not belong to the certificate', async () => {
    cert = makeCertificate();
    const other = makeCertificate();
    try {
      const account = demoGraphAccount(world.sim, 0, {
        certificate: { certFile: cert.certFile, keyFile: other.keyFile },
      });
      const tokens = new GraphTokens(account, deps());
      await expect(tokens.start()).rejects.toThrow(/does not belong to the certificate/);
      tokens.stop();
    } finally {
      other.cleanup();
    }
    expect(world.net.urls).toEqual([]);
  });

  it('reports a wrong secret with Entra’s message and never logs the secret', async () => {
    const account = demoGraphAccount(world.sim);
    const tokens = new GraphTokens(account, deps({ 'demo-graph.clientSecret': 'not-the-secret-value' }));
    await expect(tokens.start()).rejects.toThrow(/AADSTS7000215: Invalid client secret provided/);
    tokens.stop();
    expect(world.log.lines.join('\n')).not.toContain('not-the-secret-value');
  });

  it('says what is missing when the account has neither a secret nor a certificate', async () => {
    const account = demoGraphAccount(world.sim);
    const tokens = new GraphTokens(account, deps());
    await expect(tokens.start()).rejects.toThrow(/no client secret and no certificate/);
    tokens.stop();
  });

  it('keeps the token warm: refreshes it on the clock before it expires, and serves the cached one meanwhile', async () => {
    await world.close();
    world = await startGraphWorld({ tokenLifetimeSec: 600 });
    const account = demoGraphAccount(world.sim);
    const tokens = new GraphTokens(account, deps({ 'demo-graph.clientSecret': world.sim.clientSecret }));
    await tokens.start();
    await tokens.get();
    await tokens.get();
    expect(world.sim.tokensIssued).toHaveLength(1);
    const issued = world.server.waitForRequest((r) => r.path.endsWith('/oauth2/v2.0/token') && r.seq > 2);
    // Due 5 minutes before the 10-minute token runs out (msal rounds its expiry to the second).
    world.clock.advance(301_000);
    await issued;
    await expect.poll(() => tokens.warm && world.sim.tokensIssued.length, POLL).toBe(2);
    tokens.stop();
  });

  it('retries on its own after a failed warm-up and reports when it recovers', async () => {
    // A dropped connection (msal itself holds off for 60 s after an HTTP 5xx/429 from Entra).
    world.sim.failTokens({ status: 'drop' });
    const account = demoGraphAccount(world.sim);
    const statuses: boolean[] = [];
    const tokens = new GraphTokens(account, deps({ 'demo-graph.clientSecret': world.sim.clientSecret }), (s) =>
      statuses.push(s.ok),
    );
    await expect(tokens.start()).rejects.toThrow(GraphTokenError);
    expect(statuses).toEqual([false]);
    world.clock.advance(5_000);
    await expect.poll(() => statuses, POLL).toEqual([false, true]);
    expect(tokens.warm).toBe(true);
    tokens.stop();
  });
});
