/**
 * What the issue-9 features (presence, reply, call forwarding) share: the links they need,
 * read from the application resource (GET, cached per application), and one POST helper that
 * turns any failure into a CapabilityResult a person understands. Never throws.
 */
import type { Logger } from '../deps.js';
import type { AccountError, CapabilityResult } from '../provider.js';
import { describeUcwaError, parseErrorBody, UcwaError } from './errors.js';
import { AbortedError, NetworkError, type UcwaHttp } from './http.js';
import { embeddedOf, linkOf, resolveHref } from './links.js';

export interface FeatureLinks {
  /** me → presence (present only after makeMeAvailable). */
  presence: string | null;
  /** communication → startMessaging. */
  startMessaging: string | null;
  /** me → callForwardingSettings. */
  callForwardingSettings: string | null;
}

export interface FeatureContext {
  http: UcwaHttp;
  log: Logger;
  /** Aborts with the session (the provider's stop). */
  signal: AbortSignal;
  /** The application's absolute self href, or null while not signed in. */
  appSelf(): string | null;
  payloadFormat: 'json' | 'xml';
}

export function notConnected(what: string): AccountError {
  return { status: null, code: 'NotConnected', subcode: null, message: `${what}: the account is not signed in.` };
}

/** Reads (once per application, again when a wanted link is missing) the feature links. */
export class FeatureLinkCache {
  private cached: { self: string; links: FeatureLinks } | null = null;

  constructor(private readonly ctx: FeatureContext) {}

  /** Forget everything (the application was re-created). */
  reset(): void {
    this.cached = null;
  }

  async get(want: keyof FeatureLinks): Promise<FeatureLinks | null> {
    const self = this.ctx.appSelf();
    if (!self) return null;
    if (this.cached?.self === self && this.cached.links[want]) return this.cached.links;
    const res = await this.ctx.http.request('GET', self, { signal: this.ctx.signal });
    if (res.status !== 200 || !res.json) {
      throw new UcwaError(
        res.status,
        'ApplicationUnreadable',
        null,
        describeUcwaError(res.status, null, 'application'),
      );
    }
    const app = res.json;
    const me = embeddedOf(app, 'me');
    const comm = embeddedOf(app, 'communication');
    const abs = (resource: unknown, rel: string): string | null => {
      const l = linkOf(resource, rel);
      if (!l) return null;
      try {
        return resolveHref(self, l.href);
      } catch {
        return null;
      }
    };
    const links: FeatureLinks = {
      presence: abs(me, 'presence'),
      startMessaging: abs(comm, 'startMessaging'),
      callForwardingSettings: abs(me, 'callForwardingSettings'),
    };
    this.cached = { self, links };
    return links;
  }
}

/** Any thrown failure of a feature request → an AccountError starting with `what`. */
export function failureOf(err: unknown, what: string): AccountError {
  if (err instanceof AbortedError)
    return { status: null, code: 'Stopped', subcode: null, message: `${what}: the account is signing out.` };
  if (err instanceof NetworkError)
    return {
      status: null,
      code: err.timedOut ? 'Timeout' : 'NetworkError',
      subcode: null,
      message: `${what}: the server could not be reached.`,
    };
  if (err instanceof UcwaError)
    return { status: err.status, code: err.code, subcode: err.subcode, message: `${what}: ${err.message}` };
  return {
    status: null,
    code: 'InternalError',
    subcode: null,
    message: `${what}: ${(err as Error)?.message ?? String(err)}`,
  };
}

/** POSTs `body` to `href`; 2xx is success. Returns the Location header on success. */
export async function postAction(
  ctx: FeatureContext,
  href: string,
  what: string,
  body?: { body: string; contentType: string },
): Promise<{ ok: true; location: string | null } | { ok: false; error: AccountError }> {
  try {
    const res = await ctx.http.request('POST', href, { signal: ctx.signal, ...(body ?? {}) });
    if (res.status >= 200 && res.status < 300) {
      const loc = res.headers.get('location');
      let location: string | null = null;
      if (loc) {
        try {
          location = resolveHref(href, loc);
        } catch {
          location = null;
        }
      }
      return { ok: true, location };
    }
    const parsed = parseErrorBody(res.text, res.headers.get('content-type'));
    return {
      ok: false,
      error: {
        status: res.status,
        code: parsed?.code ?? `Http${res.status}`,
        subcode: parsed?.subcode ?? null,
        message: `${what}: ${describeUcwaError(res.status, parsed)}`,
      },
    };
  } catch (err) {
    return { ok: false, error: failureOf(err, what) };
  }
}

export function asCapability(r: { ok: true } | { ok: false; error: AccountError }): CapabilityResult {
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}

const XML_NS = 'http://schemas.microsoft.com/rtc/2012/03/ucwa';

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** An input document: JSON `{...props, _links}` or XML `<input>` with properties and links [PayloadFormat.md]. */
export function inputBody(
  format: 'json' | 'xml',
  props: Record<string, string>,
  links: Record<string, string> = {},
): { body: string; contentType: string } {
  if (format === 'xml') {
    const p = Object.entries(props)
      .map(([k, v]) => `<property name="${k}">${xmlEscape(v)}</property>`)
      .join('');
    const l = Object.entries(links)
      .map(([rel, href]) => `<link rel="${rel}" href="${xmlEscape(href)}"/>`)
      .join('');
    return {
      contentType: 'application/xml',
      body: `<?xml version="1.0" encoding="utf-8"?><input xmlns="${XML_NS}">${l}${p}</input>`,
    };
  }
  const json: Record<string, unknown> = { ...props };
  if (Object.keys(links).length > 0)
    json._links = Object.fromEntries(Object.entries(links).map(([rel, href]) => [rel, { href }]));
  return { contentType: 'application/json', body: JSON.stringify(json) };
}
