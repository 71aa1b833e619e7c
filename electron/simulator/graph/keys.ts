/**
 * The simulator's RSA signing keys (notification signer, token authority, attacker) and the
 * small helpers the Graph half's modules share.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

/**
 * RSA key generation costs up to a second on a small machine, and every simulator needs three
 * keys: they are made once per process and role, and shared by the simulators it starts.
 */
const keyCache = new Map<string, Promise<SigningKey>>();
export function signingKey(role: 'callback' | 'authority' | 'attacker'): Promise<SigningKey> {
  let key = keyCache.get(role);
  if (!key) {
    key = newSigningKey();
    keyCache.set(role, key);
  }
  return key;
}

export async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  return { kid, privateKey, publicKey, jwk };
}

export function checkLoopback(url: string): string {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\./.test(host))) {
    throw new Error(`GraphSim: refusing to send notifications off the machine (${u.host})`);
  }
  return url;
}

export function afterFinish(res: ServerResponse, fn: () => void): void {
  if (res.writableFinished) setImmediate(fn);
  else res.once('finish', () => setImmediate(fn));
}

export function unref<T>(t: T): T {
  (t as { unref?: () => void }).unref?.();
  return t;
}
