/**
 * UCWA hypermedia links: resolving the hrefs a server hands out, and refusing the ones a
 * client must never follow.
 *
 * Rules [PROTOCOL.md §2.2]: an href is relative (`/ucwa/oauth/v1/applications/105/events?ack=1`)
 * or absolute (`https://fe1.contoso.com/...`). Relative ones resolve against the host of the
 * UCWA (applications) URL. Server query parameters (`ack=`, `instanceId=`, `filter=`...) are
 * kept byte for byte: an absolute href is returned exactly as received, a relative one is
 * joined to the origin as a string, and our own parameters are appended, never merged.
 */
import { isLoopbackHost } from '../config.js';

/** A link the client refuses to follow (bad syntax, scheme, or an http downgrade). */
export class UnsafeLinkError extends Error {
  constructor(
    readonly href: string,
    readonly problem: string,
  ) {
    super(`refused to follow ${describeHref(href)}: ${problem}`);
    this.name = 'UnsafeLinkError';
  }
}

/** Shortens an href for messages and logs (data: URIs carry message text). */
export function describeHref(href: string): string {
  if (/^data:/i.test(href)) return 'a data: URI';
  return href.length > 200 ? `${href.slice(0, 200)}…` : href;
}

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * Resolves `href` against `base` (an absolute URL whose origin is the UCWA host) and checks
 * the result is safe to request. Absolute hrefs come back unchanged; relative ones are joined
 * to the base's origin without re-encoding their query. Throws UnsafeLinkError.
 */
export function resolveHref(base: string, href: string): string {
  if (typeof href !== 'string' || href.trim() === '') throw new UnsafeLinkError(String(href), 'the link is empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(href)) throw new UnsafeLinkError(href, 'the link contains control characters');
  let resolved: string;
  if (ABSOLUTE.test(href)) {
    resolved = href;
  } else {
    let baseUrl: URL;
    try {
      baseUrl = new URL(base);
    } catch {
      throw new UnsafeLinkError(href, `the base URL "${base}" is not absolute`);
    }
    if (href.startsWith('//')) resolved = `${baseUrl.protocol}${href}`;
    else if (href.startsWith('/')) resolved = `${baseUrl.origin}${href}`;
    else {
      try {
        resolved = new URL(href, baseUrl).href;
      } catch {
        throw new UnsafeLinkError(href, 'the link is not a valid URL');
      }
    }
  }
  assertSafeUrl(resolved);
  return resolved;
}

/** Throws UnsafeLinkError unless `url` is https, or http to a loopback host. */
export function assertSafeUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UnsafeLinkError(url, 'the link is not a valid URL');
  }
  if (u.username || u.password) throw new UnsafeLinkError(url, 'the link carries credentials');
  if (u.protocol === 'https:') return;
  if (u.protocol === 'http:') {
    if (isLoopbackHost(u.hostname)) return;
    throw new UnsafeLinkError(
      url,
      `plain http:// to ${u.hostname} would expose the sign-in token (https:// is required)`,
    );
  }
  throw new UnsafeLinkError(url, `the ${u.protocol} scheme is not allowed`);
}

/** True when `resolveHref` would accept the href. */
export function isSafeHref(base: string, href: string): boolean {
  try {
    resolveHref(base, href);
    return true;
  } catch {
    return false;
  }
}

/**
 * Adds our own query parameters to a server URL without touching the server's: the existing
 * query string is kept verbatim and ours are appended (encoded by URLSearchParams). A
 * parameter the URL already carries is left as the server wrote it.
 */
export function appendQuery(url: string, params: Record<string, string | number>): string {
  const u = new URL(url);
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  const ours = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (!u.searchParams.has(k)) ours.append(k, String(v));
  const extra = ours.toString();
  if (!extra) return url;
  const sep = withoutHash.includes('?') ? (withoutHash.endsWith('?') || withoutHash.endsWith('&') ? '' : '&') : '?';
  return `${withoutHash}${sep}${extra}${hash}`;
}

/**
 * Same site, roughly: identical hosts, or hosts sharing their last two labels
 * (lyncweb.contoso.com ~ lyncdiscover.contoso.com). Loopback/IP hosts must be identical.
 */
export function sameSite(a: string, b: string): boolean {
  let ha: string;
  let hb: string;
  try {
    ha = new URL(a).hostname.toLowerCase();
    hb = new URL(b).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (ha === hb) return true;
  if (/^[\d.]+$|^\[/.test(ha) || /^[\d.]+$|^\[/.test(hb) || !ha.includes('.') || !hb.includes('.')) return false;
  const parent = (h: string) => h.split('.').slice(-2).join('.');
  return parent(ha) === parent(hb);
}

/** The origin (`https://host:port`) of an absolute URL. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

export interface Link {
  href: string;
  title?: string;
}

function asLink(v: unknown): Link | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.href !== 'string' || o.href === '') return null;
  return typeof o.title === 'string' ? { href: o.href, title: o.title } : { href: o.href };
}

/**
 * Reads one rel out of a resource's `_links`. The value is `{href}` or an array of those
 * (the API decides per rel) [PROTOCOL.md §2.3]; for an array the first usable one wins.
 */
export function linkOf(resource: unknown, rel: string): Link | null {
  if (!resource || typeof resource !== 'object') return null;
  const links = (resource as Record<string, unknown>)._links;
  if (!links || typeof links !== 'object' || Array.isArray(links)) return null;
  if (!Object.prototype.hasOwnProperty.call(links, rel)) return null;
  const v = (links as Record<string, unknown>)[rel];
  if (Array.isArray(v)) {
    for (const item of v) {
      const l = asLink(item);
      if (l) return l;
    }
    return null;
  }
  return asLink(v);
}

/** Reads one rel out of a resource's `_embedded` (object, or the first object of an array). */
export function embeddedOf(resource: unknown, rel: string): Record<string, unknown> | null {
  if (!resource || typeof resource !== 'object') return null;
  const emb = (resource as Record<string, unknown>)._embedded;
  if (!emb || typeof emb !== 'object' || Array.isArray(emb)) return null;
  if (!Object.prototype.hasOwnProperty.call(emb, rel)) return null;
  const v = (emb as Record<string, unknown>)[rel];
  const first = Array.isArray(v) ? v[0] : v;
  return first && typeof first === 'object' && !Array.isArray(first) ? (first as Record<string, unknown>) : null;
}
