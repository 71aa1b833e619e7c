/**
 * Which HTTP each account's provider gets in the desktop app.
 *
 * - No `caFile`: Chromium's network stack through `net.request` (netFetch.ts): the system proxy
 *   and the OS certificate store (macOS Keychain, Windows certificate store, Linux: Chromium's
 *   NSS database ~/.pki/nssdb — not /etc/ssl/certs).
 * - With `caFile`: Node's HTTP (undici) trusting Node's bundled roots, the OS store where this
 *   Node can read it (`tls.getCACertificates('system')`), plus the account's PEM file — so an
 *   on-premises pool behind a private CA works without touching the OS store. Chromium offers
 *   no per-request trust anchor, hence the second stack. It does not use the system proxy
 *   (README, Known limits); manual redirects behave the same as in Node's fetch.
 *
 * The CA file is read when the account starts; a missing or non-PEM file fails every request
 * with a message naming the file, so the account shows it instead of a bare TLS error.
 */
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { AccountConfig } from '../core/config.js';
import type { Fetch } from '../core/deps.js';

export interface AccountFetchDeps {
  /** The shared Chromium-backed fetch (createNetFetch). */
  netFetch: Fetch;
  readFile?: (path: string) => string;
}

/** The trust anchors for an account with its own CA file. Throws an Error naming the file. */
export function caBundle(
  caFile: string,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string[] {
  let pem: string;
  try {
    pem = readFile(caFile);
  } catch (err) {
    throw new Error(
      `the CA certificate file ${caFile} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { cause: err },
    );
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    throw new Error(`the CA certificate file ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  const getCA = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  let system: string[];
  try {
    system = getCA ? getCA('system') : [];
  } catch {
    system = []; // this Node cannot read the OS store: the bundled roots and the file remain
  }
  return [...tls.rootCertificates, ...system, pem];
}

/** A fetch trusting `ca` (undici), or one that fails every request with `problem`. */
function caFetch(caFile: string, readFile?: (path: string) => string): Fetch {
  let ca: string[];
  try {
    ca = caBundle(caFile, readFile);
  } catch (err) {
    const problem = err as Error;
    return () => Promise.reject(new TypeError('fetch failed', { cause: problem }));
  }
  const dispatcher = new Agent({ connect: { ca } });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher })) as unknown as Fetch;
}

/** The per-account fetch factory SoftphoneApp gets as `fetchFor`. */
export function desktopFetchFor(deps: AccountFetchDeps): (account: Pick<AccountConfig, 'caFile'>) => Fetch {
  return (account) => (account.caFile ? caFetch(account.caFile, deps.readFile) : deps.netFetch);
}
