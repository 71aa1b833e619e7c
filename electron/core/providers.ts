/**
 * Builds the provider for an account config. The only place that knows both protocols.
 */
import type { AccountConfig, Settings } from './config.js';
import type { Clock, Fetch, KeyValueStore, Logger, SecretStore } from './deps.js';
import { GraphProvider } from './graph/provider.js';
import type { Provider } from './provider.js';
import { UcwaProvider } from './ucwa/provider.js';

export interface ProviderFactoryDeps {
  clock: Clock;
  logger: Logger;
  /** Small persistent store (UCWA endpoint ids). */
  store: KeyValueStore;
  /** `${accountId}.password` (UCWA) and `${accountId}.clientSecret` (Graph). */
  secrets: SecretStore;
  /** HTTP for this account (Electron: net.fetch; headless: Node fetch with the account's CA). */
  fetchFor(account: AccountConfig): Fetch;
  settings(): Settings;
}

export function createProvider(account: AccountConfig, deps: ProviderFactoryDeps): Provider {
  const logger = deps.logger.child(account.id);
  const fetch = deps.fetchFor(account);
  switch (account.provider) {
    case 'ucwa':
      return new UcwaProvider(account, {
        fetch,
        clock: deps.clock,
        logger,
        store: deps.store,
        secrets: deps.secrets,
        defaultDeclineReason: () => deps.settings().ucwaDeclineReason,
      });
    case 'graph':
      return new GraphProvider(account, {
        fetch,
        clock: deps.clock,
        logger,
        secrets: deps.secrets,
        defaultDeclineReason: () => deps.settings().graphDeclineReason,
      });
  }
}

/** The name under which an account's secret is kept. */
export function secretName(account: Pick<AccountConfig, 'id' | 'provider'>): string {
  return account.provider === 'ucwa' ? `${account.id}.password` : `${account.id}.clientSecret`;
}
