/**
 * HTTP for headless mode: Node's fetch (undici), with the account's extra certificate
 * authority when `caFile` is set (on-prem Skype for Business pools usually present an
 * enterprise-CA certificate). Electron uses net.fetch and the OS store instead.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { AccountConfig } from '../core/config.js';
import type { Fetch } from '../core/deps.js';

export function nodeFetchFor(account: Pick<AccountConfig, 'caFile'>): Fetch {
  if (!account.caFile) return (input, init) => fetch(input, init);
  const ca = [...rootCertificates, readFileSync(account.caFile, 'utf8')];
  const dispatcher = new Agent({ connect: { ca } });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher })) as unknown as Fetch;
}
