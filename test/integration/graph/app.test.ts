/**
 * The desktop's SoftphoneApp with a Graph certificate account: the private key is imported
 * into the secret vault when the account is saved (the OS keychain on the desktop), never
 * into settings.json, and tokens are then acquired from the stored key even after the key
 * file is gone. Real temp dirs, real files, the real simulator as token authority.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../electron/contract.js';
import { SoftphoneApp, type DemoBackend } from '../../../electron/app/app.js';
import type { GraphAccount } from '../../../electron/core/config.js';
import { demoGraphAccount } from '../../../electron/simulator/graph.js';
import { MemoryVault } from '../../support/memoryVault.js';
import { makeCertificate, startGraphWorld, type GraphWorld, type TestCertificate } from './harness.js';

/** Demo mode with nothing in it: these apps start empty and get their account from the test. */
const emptyDemo = (): Promise<DemoBackend> =>
  Promise.resolve({
    accounts: [],
    secrets: {},
    simulate: () => Promise.resolve(),
    startAutoRing: () => undefined,
    close: () => Promise.resolve(),
  });

describe('SoftphoneApp: a Graph account with a certificate keeps its private key in the vault', () => {
  let world: GraphWorld;
  let cert: TestCertificate;
  let dataDir: string;
  let vault: MemoryVault;
  const apps: SoftphoneApp[] = [];

  beforeEach(async () => {
    world = await startGraphWorld();
    cert = makeCertificate();
    world.sim.trustCertificate(cert.certPem);
    dataDir = await mkdtemp(join(tmpdir(), 'softphone-app-'));
    vault = new MemoryVault();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    cert.cleanup();
    await world.close();
    await rm(dataDir, {
      recursive: true,
      force: true,
      maxRetries: 20,
      retryDelay: 50,
    });
  });

  /** A SoftphoneApp on `dataDir` and `vault`, with its events, talking only to the simulator. */
  async function startApp() {
    const events: AppEvent[] = [];
    const app = await SoftphoneApp.create({
      dataDir,
      clock: world.clock,
      logger: world.log.logger,
      vault,
      fetchFor: () => world.net.fetch,
      startDemo: emptyDemo,
    });
    apps.push(app);
    const waiters = new Set<() => void>();
    app.on((e) => {
      events.push(e);
      for (const w of [...waiters]) w();
    });
    const until = (pred: (e: AppEvent) => boolean) =>
      new Promise<AppEvent>((resolve) => {
        const check = () => {
          const hit = events.find(pred);
          if (!hit) return;
          waiters.delete(check);
          resolve(hit);
        };
        waiters.add(check);
        check();
      });
    return { app, events, until };
  }

  const certAccount = (over: Partial<GraphAccount> = {}): GraphAccount =>
    demoGraphAccount(world.sim, 0, {
      id: 'teams-bot',
      clientSecret: undefined,
      certificate: { certFile: cert.certFile, keyFile: cert.keyFile },
      ...over,
    });
  const settingsText = () => readFile(join(dataDir, 'settings.json'), 'utf8');
  const accountState = (id: string) => (e: AppEvent) =>
    e.type === 'account' && e.accountId === id && (e.state === 'connected' || e.state === 'error');

  it('imports the key file into the vault on save, not into settings.json', async () => {
    const keyPem = await readFile(cert.keyFile, 'utf8');
    const { app, until } = await startApp();
    const summary = await app.saveAccount({ account: certAccount() });
    expect(summary).toMatchObject({
      id: 'teams-bot',
      provider: 'graph',
      certificate: { certFile: cert.certFile, keyFile: cert.keyFile },
      hasSecret: false,
    });
    expect(vault.values.get('teams-bot.certificateKey')).toBe(keyPem);
    expect(vault.values.has('teams-bot.clientSecret')).toBe(false);
    const settings = await settingsText();
    expect(JSON.parse(settings).accounts[0]).toMatchObject({
      id: 'teams-bot',
      certificate: { keyFile: cert.keyFile },
    });
    expect(settings).not.toContain('PRIVATE KEY');
    expect(settings).not.toContain(keyPem.split('\n')[1]!);
    expect(await until(accountState('teams-bot'))).toMatchObject({
      state: 'connected',
    });
    expect(world.sim.tokensIssued).toEqual([expect.objectContaining({ credential: 'certificate' })]);
  });

  it('gets its token from the stored key after the key file was deleted (next start of the app)', async () => {
    const first = await startApp();
    await first.app.saveAccount({ account: certAccount() });
    await first.until(accountState('teams-bot'));
    await first.app.stop();
    apps.splice(apps.indexOf(first.app), 1);

    await rm(cert.keyFile);
    const second = await startApp();
    expect(await second.until(accountState('teams-bot'))).toMatchObject({
      state: 'connected',
    });
    expect(world.sim.tokensIssued.map((t) => t.credential)).toEqual(['certificate', 'certificate']);
    // The token request carried a client assertion signed with the stored key, and no secret.
    const tokenPosts = world.server.find((r) => r.path.endsWith('/oauth2/v2.0/token'));
    const form = new URLSearchParams(tokenPosts.at(-1)!.body);
    expect(form.get('client_assertion')).toMatch(/^ey/);
    expect(form.get('client_secret')).toBeNull();
    expect(world.log.lines.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('keeps the stored key when the account is edited after its key file was deleted', async () => {
    const keyPem = await readFile(cert.keyFile, 'utf8');
    const { app } = await startApp();
    await app.saveAccount({ account: certAccount() });
    await rm(cert.keyFile);
    const edited = await app.saveAccount({
      account: certAccount({ displayName: 'Teams bot', declineReason: 'busy' }),
    });
    expect(edited).toMatchObject({
      displayName: 'Teams bot',
      declineReason: 'busy',
    });
    expect(vault.values.get('teams-bot.certificateKey')).toBe(keyPem);
  });

  it('names certificate.keyFile when the key file cannot be read, and saves nothing', async () => {
    const { app } = await startApp();
    const missing = join(cert.dir, 'nope.pem');
    await expect(
      app.saveAccount({
        account: certAccount({
          certificate: { certFile: cert.certFile, keyFile: missing },
        }),
      }),
    ).rejects.toThrow(`certificate.keyFile: cannot read "${missing}" (no such file)`);
    const notAKey = join(cert.dir, 'not-a-key.pem');
    await writeFile(notAKey, 'hello');
    await expect(
      app.saveAccount({
        account: certAccount({
          certificate: { certFile: cert.certFile, keyFile: notAKey },
        }),
      }),
    ).rejects.toThrow(/certificate\.keyFile: ".*not-a-key\.pem" is not an unencrypted PEM private key/);
    expect(vault.values.size).toBe(0);
    expect(app.snapshot().accountConfigs).toEqual([]);
  });

  it('switching to a certificate drops the stored client secret; removing the account drops the key', async () => {
    const { app } = await startApp();
    await app.saveAccount({
      account: certAccount({ certificate: undefined }),
      secret: world.sim.clientSecret,
    });
    expect(vault.values.get('teams-bot.clientSecret')).toBe(world.sim.clientSecret);
    await app.saveAccount({ account: certAccount() });
    expect([...vault.values.keys()]).toEqual(['teams-bot.certificateKey']);
    expect(app.snapshot().accountConfigs[0]?.hasSecret).toBe(false);
    await app.removeAccount('teams-bot');
    expect(vault.values.size).toBe(0);
  });
});
