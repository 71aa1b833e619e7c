/**
 * Deterministic opaque identifiers: the same seed gives the same ids, tokens and ack numbers
 * in the same order, so simulator runs (tests, demo, benchmarks) are reproducible, while ids
 * still look like real UCWA ids (long opaque hex strings) that nobody can parse or build.
 */
import { createHash } from 'node:crypto';

export class IdSource {
  private n = 0;

  constructor(private readonly seed: string) {}

  /** `len` hex characters, e.g. an application or invitation id. */
  hex(kind: string, len = 32): string {
    return this.digest(kind).toString('hex').slice(0, len);
  }

  /** A WebTicket-style bearer token: `cwt=` + opaque base64url. */
  token(): string {
    return `cwt=${this.digest('token').toString('base64url')}${this.digest('token2').toString('base64url')}`;
  }

  /** A small deterministic integer, used to salt ack sequences. */
  int(kind: string, mod: number): number {
    return this.digest(kind).readUInt32BE(0) % mod;
  }

  private digest(kind: string): Buffer {
    return createHash('sha256').update(`${this.seed}:${kind}:${++this.n}`).digest();
  }
}

/**
 * Next ack number of an event channel. Starts at 1 (as the docs' first `events?ack=1`), then
 * grows by a step of 2..32 that depends on the channel salt: never `N+1`, so a client that
 * builds the next URL itself instead of following `next` gets `resync`.
 */
export function nextAck(prev: number, salt: number): number {
  return prev + 2 + ((prev * 7919 + salt) % 31);
}
