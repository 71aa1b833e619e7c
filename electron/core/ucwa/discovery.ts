/**
 * Autodiscovery [PROTOCOL.md §3, RootURL.md]: from the SIP address try
 * `https://lyncdiscoverinternal.<domain>` then `https://lyncdiscover.<domain>` (or the
 * account's explicit `discoveryUrl`), follow `redirect` links (hop limit), GET the `user`
 * link (authenticating on its 401 challenge) and return the `applications` URL. A user
 * resource answering with a `redirect` sends us to another pool, where the 401 dance starts
 * again with that pool's own token endpoint (the http layer binds tokens per origin).
 */
import type { Logger } from '../deps.js';
import { parseErrorBody, toUcwaError, UcwaError } from './errors.js';
import { NetworkError, type UcwaHttp } from './http.js';
import { linkOf, resolveHref, sameSite } from './links.js';

export const MAX_DISCOVERY_HOPS = 8;

export interface DiscoveryResult {
  /** Absolute URL of the UCWA applications collection; its origin is the UCWA host. */
  applicationsUrl: string;
  /** The user resource that named it. */
  userUrl: string;
}

/** The domain part of `user@domain` / `sip:user@domain`. */
export function sipDomain(sipAddress: string): string {
  const at = sipAddress.lastIndexOf('@');
  const domain = sipAddress
    .slice(at + 1)
    .trim()
    .toLowerCase();
  if (at < 0 || !/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain)) {
    throw new UcwaError(
      null,
      'InvalidSipAddress',
      null,
      `"${sipAddress}" is not a SIP address of the form user@domain.`,
    );
  }
  return domain;
}

/** Where discovery starts, in order. */
export function discoveryCandidates(sipAddress: string, discoveryUrl?: string): string[] {
  if (discoveryUrl) return [discoveryUrl];
  const domain = sipDomain(sipAddress);
  return [`https://lyncdiscoverinternal.${domain}/`, `https://lyncdiscover.${domain}/`];
}

export interface DiscoverOptions {
  sipAddress: string;
  discoveryUrl?: string;
  log: Logger;
  signal?: AbortSignal;
  maxHops?: number;
}

/** A failure worth trying the next candidate for (RootURL.md: no answer, 404, foreign 302, not UCWA). */
class CandidateFailed extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export async function discover(http: UcwaHttp, o: DiscoverOptions): Promise<DiscoveryResult> {
  const candidates = discoveryCandidates(o.sipAddress, o.discoveryUrl);
  const failures: string[] = [];
  let anyTransient = false;
  for (const start of candidates) {
    try {
      return await walk(http, start, o);
    } catch (err) {
      if (!(err instanceof CandidateFailed)) throw err;
      o.log.info('autodiscovery candidate failed', { url: start, problem: err.message });
      failures.push(`${hostOf(start)}: ${err.message}`);
      anyTransient ||= err.transient;
    }
  }
  const where = o.discoveryUrl ? o.discoveryUrl : sipDomainSafe(o.sipAddress);
  throw new UcwaError(
    null,
    'DiscoveryFailed',
    null,
    `Could not find the Skype for Business server for ${where} (${failures.join('; ')}).`,
    anyTransient,
  );
}

function sipDomainSafe(s: string): string {
  try {
    return sipDomain(s);
  } catch {
    return s;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Walks root → (redirect)* → user → (redirect → root|user)* → applications. Until a `user`
 * link was found, failures are CandidateFailed (try the next candidate); after that they are
 * real errors.
 */
async function walk(http: UcwaHttp, start: string, o: DiscoverOptions): Promise<DiscoveryResult> {
  const maxHops = o.maxHops ?? MAX_DISCOVERY_HOPS;
  let url = start;
  let reachedUser = false;
  const fail = (msg: string, transient: boolean, status: number | null = null): never => {
    if (!reachedUser) throw new CandidateFailed(msg, transient);
    throw new UcwaError(status, 'DiscoveryFailed', null, `Autodiscovery failed: ${msg}.`, transient);
  };
  for (let hop = 0; hop <= maxHops; hop++) {
    let res;
    try {
      res = await http.request('GET', url, { signal: o.signal, timeoutMs: 20_000 });
    } catch (err) {
      if (err instanceof NetworkError) return fail(err.timedOut ? 'no answer in time' : 'not reachable', true);
      if (err instanceof UcwaError && err.code === 'UnsafeLink') return fail(err.message, false);
      throw err;
    }
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      let next: string | null;
      try {
        next = location ? resolveHref(url, location) : null;
      } catch {
        next = null;
      }
      if (!next || !sameSite(next, url))
        return fail(`HTTP ${res.status} redirect to another domain`, false, res.status);
      url = next;
      continue;
    }
    if (res.status === 401) {
      throw new UcwaError(
        401,
        'AuthenticationFailed',
        null,
        'The server did not accept the sign-in (it keeps asking to authenticate).',
      );
    }
    if (res.status !== 200) {
      const body = parseErrorBody(res.text, res.headers.get('content-type'));
      if (!reachedUser) return fail(`HTTP ${res.status}`, res.status >= 500 || res.status === 429, res.status);
      throw toUcwaError(res.status, body, 'discovery');
    }
    const doc = res.json;
    const follow = (rel: string): string | null => {
      const l = linkOf(doc, rel);
      if (!l) return null;
      try {
        return resolveHref(url, l.href);
      } catch (err) {
        return fail(`the ${rel} link is unusable (${(err as Error).message})`, false);
      }
    };
    const applications = follow('applications');
    if (applications) return { applicationsUrl: applications, userUrl: url };
    const user = follow('user');
    if (user) {
      reachedUser = true;
      url = user;
      continue;
    }
    const redirect = follow('redirect');
    if (redirect) {
      o.log.info('autodiscovery redirect', { from: url, to: redirect });
      url = redirect;
      continue;
    }
    return fail(
      doc === undefined ? 'the answer is not JSON' : 'the answer has no user, applications or redirect link',
      false,
    );
  }
  return fail(`more than ${maxHops} redirects`, false);
}
