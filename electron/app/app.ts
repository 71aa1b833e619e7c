/**
 * SoftphoneApp: the application service behind the desktop UI, in plain Node.
 *
 * It composes the engine with what the desktop adds: persisted accounts and settings, secrets
 * in a vault, history on disk, and demo mode (the embedded simulator when no account is
 * configured). Electron main is glue around it; the browser e2e tests drive the very same
 * object through the same validated handlers.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type {
  AccountSummary,
  AppEvent,
  AppSnapshot,
  InvokeHandlers,
  Notice,
  SaveAccountInput,
  ShortcutStatus,
  SimulateKind,
} from '../contract.js';
import { accountSchema, DEFAULT_SETTINGS, settingsSchema, type AccountConfig, type Settings } from '../core/config.js';
import type { Clock, Fetch, KeyValueStore, Logger, SecretStore } from '../core/deps.js';
import type { ForwardTarget } from '../core/invitation.js';
import { Engine, EngineError } from '../core/engine.js';
import { certificateKeyName } from '../core/graph/tokens.js';
import { withTargetLabel } from '../core/forwardTargets.js';
import { fileHistoryStore } from '../core/history.js';
import { createProvider, secretName } from '../core/providers.js';
import { jsonFile, jsonKeyValueStore, type JsonFile } from '../core/storage/jsonFile.js';
import { featureNotice } from './featureNotices.js';

/** Where secrets live (Electron: safeStorage-encrypted blobs). */
export interface SecretVault extends SecretStore {
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Whether a secret is stored, without decrypting it (a keyring prompt must not block start-up). */
  has?(name: string): Promise<boolean>;
}

/** The embedded simulator serving demo mode. */
export interface DemoBackend {
  /** Accounts pointing at the simulator. */
  readonly accounts: AccountConfig[];
  /** Their secrets, by secret name. */
  readonly secrets: Readonly<Record<string, string>>;
  simulate(kind: SimulateKind): Promise<void>;
  /** Rings a first sample invitation shortly after start. */
  startAutoRing(): void;
  close(): Promise<void>;
}

export interface AppDeps {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  vault: SecretVault;
  fetchFor(account: AccountConfig): Fetch;
  startDemo(): Promise<DemoBackend>;
}

const settingsFileSchema = z
  .object({
    version: z.literal(1),
    settings: settingsSchema,
    accounts: z.array(accountSchema),
  })
  .strict();

/** Secret fields never persisted in settings.json: they go to the vault. */
function withoutSecrets(account: AccountConfig): AccountConfig {
  if (account.provider === 'ucwa') {
    const { password: _p, ...rest } = account;
    return rest;
  }
  const { clientSecret: _s, ...rest } = account;
  return rest;
}

export class SoftphoneApp {
  readonly engine: Engine;
  demo: DemoBackend | null = null;
  private settings: Settings = DEFAULT_SETTINGS;
  private accounts: AccountConfig[] = [];
  private readonly notices: Notice[] = [];
  private shortcutStatus: ShortcutStatus[] = [];
  private readonly listeners = new Set<(e: AppEvent) => void>();
  private readonly settingsFile: JsonFile;
  private readonly log: Logger;
  private readonly endpointStore: KeyValueStore;
  /** Ids of accounts whose secret is in the vault (the UI only ever learns this flag). */
  private readonly stored = new Set<string>();

  private constructor(private readonly deps: AppDeps) {
    this.log = deps.logger.child('app');
    const onCorrupt = ({ path, movedTo, problem }: { path: string; movedTo: string; problem: string }) =>
      this.notice(
        'warning',
        `${path} was unreadable (${problem.split('\n')[0]}); it was set aside as ${movedTo} and defaults are used.`,
      );
    const file = (name: string) => jsonFile(join(deps.dataDir, name), { logger: this.log, onCorrupt });
    this.settingsFile = file('settings.json');
    this.engine = new Engine({
      clock: deps.clock,
      logger: deps.logger,
      history: fileHistoryStore(file('history.json')),
    });
    this.endpointStore = jsonKeyValueStore(file('endpoints.json'));
  }

  static async create(deps: AppDeps): Promise<SoftphoneApp> {
    const app = new SoftphoneApp(deps);
    await app.init();
    return app;
  }

  private async init(): Promise<void> {
    const saved = await this.settingsFile.read(settingsFileSchema);
    if (saved) {
      this.settings = saved.settings;
      this.accounts = saved.accounts.map(withoutSecrets);
    }
    // Presence only: each secret is decrypted when its account's provider asks for it.
    const has = (n: string) => this.deps.vault.has?.(n) ?? this.deps.vault.get(n).then((v) => !!v);
    for (const a of this.accounts) if (await has(secretName(a))) this.stored.add(a.id);
    await this.engine.init();
    this.engine.on((e) => this.emit(e));
    this.engine.on((e) => {
      const n = featureNotice(e, this.accounts.length ? this.accounts : (this.demo?.accounts ?? []));
      if (n) this.notice(n.level, n.message);
    });
    if (this.accounts.length === 0) await this.enterDemo();
    else for (const a of this.accounts) await this.startAccount(a);
  }

  on(listener: (e: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  currentSettings(): Settings {
    return this.settings;
  }

  snapshot(): AppSnapshot {
    return {
      ...this.engine.snapshot(),
      settings: this.settings,
      accountConfigs: this.summaries(),
      demo: this.demo !== null,
      notices: [...this.notices],
      shortcuts: [...this.shortcutStatus],
    };
  }

  /** The shell registered the global shortcuts (electron/main/shortcuts.ts): remember and tell the pages. */
  reportShortcuts(shortcuts: ShortcutStatus[]): void {
    this.shortcutStatus = [...shortcuts];
    this.emit({ type: 'shortcuts', shortcuts: this.shortcutStatus });
  }

  /** The "ignore the newest" shortcut: the pages hide their newest ringing toast (ignore is theirs). */
  ignoreNewest(): void {
    this.emit({ type: 'ignoreNewest' });
  }

  /** The validated IPC handlers; `extra` carries what only the window layer can do. */
  handlers(extra: {
    showMainWindow(): void;
    toastSize(size: { width: number; height: number }): void;
  }): InvokeHandlers {
    return {
      'softphone:snapshot': () => this.snapshot(),
      'softphone:decline': ({ id, reason }) => this.engine.decline(id, reason),
      'softphone:declineAll': ({ reason }) => this.engine.declineAll(reason),
      'softphone:forward': ({ id, target }) => this.engine.forward(id, this.labelled(id, target)),
      'softphone:setDnd': ({ on, until }) => this.engine.setDnd(on, until ?? null),
      'softphone:reply': ({ id, text }) => this.engine.reply(id, text),
      'softphone:setForwarding': ({ accountId, to }) => this.engine.setForwarding(accountId, to),
      'softphone:refreshForwarding': () => this.engine.refreshForwarding(),
      'softphone:composeReply': ({ id }) => {
        this.emit({ type: 'composeReply', id });
        extra.showMainWindow();
      },
      'softphone:saveAccount': (input) => this.saveAccount(input),
      'softphone:removeAccount': ({ accountId }) => this.removeAccount(accountId),
      'softphone:retryAccount': ({ accountId }) => this.engine.retryAccount(accountId),
      'softphone:saveSettings': (patch) => this.saveSettings(patch),
      'softphone:simulate': ({ kind }) => this.simulate(kind),
      'softphone:showMainWindow': () => extra.showMainWindow(),
      'softphone:toastSize': (size) => extra.toastSize(size),
    };
  }

  /** The target with its saved label (history shows the label). */
  private labelled(id: string, target: ForwardTarget): ForwardTarget {
    const accountId = this.engine.snapshot().ringing.find((r) => r.invitation.id === id)?.invitation.accountId;
    return withTargetLabel(this.demo ? this.demo.accounts : this.accounts, accountId, target);
  }

  async simulate(kind: SimulateKind): Promise<void> {
    if (!this.demo) throw new EngineError('NotDemo', 'Simulated invitations exist only in demo mode.');
    await this.demo.simulate(kind);
  }

  async saveAccount(input: SaveAccountInput): Promise<AccountSummary> {
    const inline = input.account.provider === 'ucwa' ? input.account.password : input.account.clientSecret;
    const secret = input.secret ?? inline;
    const account = withoutSecrets(input.account);
    const name = secretName(account);
    const previous = this.accounts.find((a) => a.id === account.id);
    // Everything that can fail on bad input is checked before anything is written.
    const certificateKey = await this.certificateKeyToImport(account, previous);
    const hasOtherCredential =
      account.provider === 'ucwa' ? !!account.passwordEnv : !!(account.clientSecretEnv || account.certificate);
    if (!secret && !hasOtherCredential && !(await this.deps.vault.get(name))) {
      throw new EngineError(
        'InvalidAccount',
        account.provider === 'ucwa'
          ? 'password: a password is required'
          : 'clientSecret: a client secret or a certificate is required',
      );
    }
    if (secret) {
      await this.deps.vault.set(name, secret);
      this.stored.add(account.id);
    } else if (account.provider === 'graph' && account.certificate && this.stored.has(account.id)) {
      // The certificate replaces the client secret: an unused application credential does
      // not stay behind in the vault.
      await this.deps.vault.delete(name);
      this.stored.delete(account.id);
    }
    if (account.provider === 'graph') {
      if (certificateKey !== undefined) await this.deps.vault.set(certificateKeyName(account.id), certificateKey);
      else if (!account.certificate) await this.deps.vault.delete(certificateKeyName(account.id));
    }
    if (this.demo) await this.leaveDemo();
    if (this.accounts.some((a) => a.id === account.id)) {
      await this.engine.removeAccount(account.id).catch(() => undefined);
      this.accounts = this.accounts.map((a) => (a.id === account.id ? account : a));
    } else {
      this.accounts = [...this.accounts, account];
    }
    await this.persist();
    this.emitAccounts();
    await this.startAccount(account);
    return this.summaries().find((s) => s.id === account.id)!;
  }

  async removeAccount(accountId: string): Promise<void> {
    const account = this.accounts.find((a) => a.id === accountId);
    if (!account) throw new EngineError('UnknownAccount', `no account with id "${accountId}"`);
    await this.engine.removeAccount(accountId);
    await this.deps.vault.delete(secretName(account));
    if (account.provider === 'graph') await this.deps.vault.delete(certificateKeyName(account.id));
    this.stored.delete(accountId);
    this.accounts = this.accounts.filter((a) => a.id !== accountId);
    await this.persist();
    if (this.accounts.length === 0) await this.enterDemo();
    this.emitAccounts();
  }

  async saveSettings(patch: Partial<Settings>): Promise<Settings> {
    this.settings = settingsSchema.parse({ ...this.settings, ...patch });
    await this.persist();
    this.emit({ type: 'settings', settings: this.settings });
    return this.settings;
  }

  /** Signs every account out (UCWA: DELETE application) and stops the simulator. */
  async stop(): Promise<void> {
    await this.engine.stop();
    await this.demo?.close();
    this.demo = null;
  }

  // ------------------------------------------------------------------------------------

  /**
   * A Graph certificate's private key is imported into the vault (the OS keychain on the
   * desktop) when the account is saved, so the key file can be deleted afterwards; the token
   * code prefers the stored key. Undefined: nothing to import (no certificate, or the same
   * key file as before is gone but its key is already stored).
   */
  private async certificateKeyToImport(
    account: AccountConfig,
    previous: AccountConfig | undefined,
  ): Promise<string | undefined> {
    if (account.provider !== 'graph' || !account.certificate) return undefined;
    const { keyFile } = account.certificate;
    let pem: string;
    try {
      pem = await readFile(keyFile, 'utf8');
    } catch (err) {
      const sameFileAsBefore = previous?.provider === 'graph' && previous.certificate?.keyFile === keyFile;
      if (sameFileAsBefore && (await this.deps.vault.get(certificateKeyName(account.id)))) return undefined;
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new EngineError('InvalidAccount', `certificate.keyFile: cannot read "${keyFile}" (${why})`);
    }
    try {
      createPrivateKey(pem);
    } catch {
      throw new EngineError(
        'InvalidAccount',
        `certificate.keyFile: "${keyFile}" is not an unencrypted PEM private key`,
      );
    }
    return pem;
  }

  private async startAccount(account: AccountConfig): Promise<void> {
    const demoSecrets = this.demo?.secrets ?? {};
    const secrets: SecretStore = {
      get: async (name) => demoSecrets[name] ?? (await this.deps.vault.get(name)),
    };
    const provider = createProvider(account, {
      clock: this.deps.clock,
      logger: this.deps.logger,
      store: this.endpointStore,
      secrets,
      fetchFor: this.deps.fetchFor,
      settings: () => this.settings,
    });
    await this.engine.addAccount(provider);
  }

  private async enterDemo(): Promise<void> {
    this.log.info('no account configured: starting demo mode against the embedded simulator');
    this.demo = await this.deps.startDemo();
    for (const a of this.demo.accounts) await this.startAccount(a);
    this.demo.startAutoRing();
  }

  private async leaveDemo(): Promise<void> {
    const demo = this.demo;
    if (!demo) return;
    for (const a of demo.accounts) await this.engine.removeAccount(a.id).catch(() => undefined);
    this.demo = null;
    await demo.close();
  }

  private summaries(): AccountSummary[] {
    if (this.demo) return this.demo.accounts.map((a) => ({ ...withoutSecrets(a), hasSecret: true }));
    return this.accounts.map((a) => ({ ...a, hasSecret: this.stored.has(a.id) }));
  }

  private persist(): Promise<void> {
    return this.settingsFile.write({ version: 1, settings: this.settings, accounts: this.accounts });
  }

  private emitAccounts(): void {
    this.emit({ type: 'accounts', accountConfigs: this.summaries(), demo: this.demo !== null });
  }

  private notice(level: Notice['level'], message: string): void {
    const notice: Notice = { id: `n${this.notices.length + 1}`, level, message };
    this.notices.push(notice);
    this.emit({ type: 'notice', notice });
  }

  private emit(event: AppEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error('app listener threw', { err });
      }
    }
  }
}
