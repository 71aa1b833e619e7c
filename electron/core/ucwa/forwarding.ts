/**
 * Call forwarding [callForwardingSettings_ref.md, immediateForwardTo*_ref.md,
 * turnOffCallForwarding_ref.md]. The state is read from `me.callForwardingSettings`
 * (`activeSetting` + the embedded `immediateForwardSettings.target`) and changed by POSTing the
 * matching action link: `turnOffCallForwarding`, `immediateForwardToVoicemail`,
 * `immediateForwardToContact` (body `target`), `immediateForwardToDelegates`. A change is
 * confirmed by reading the resource again: the state reported is always the server's.
 */
import type { CapabilityResult, ForwardingChoice, ForwardingState } from '../provider.js';
import {
  failureOf,
  inputBody,
  notConnected,
  postAction,
  type FeatureContext,
  type FeatureLinkCache,
} from './capabilities.js';
import type { Happening, Resource } from './events.js';
import { embeddedOf, linkOf, resolveHref } from './links.js';

export interface ForwardingLinks {
  turnOff: string | null;
  toVoicemail: string | null;
  toContact: string | null;
  toDelegates: string | null;
}

/** A contact link's URI: its title when that is a URI, else `sip:` + the user@domain path segment. */
function contactUri(resource: Resource | null): string | undefined {
  const l = linkOf(resource, 'contact');
  if (!l) return undefined;
  if (l.title && /^(sip|tel):/i.test(l.title)) return l.title;
  const last = decodeURIComponent(l.href.split(/[?#]/)[0]!.split('/').pop() ?? '');
  if (/^(sip|tel):/i.test(last)) return last;
  return last.includes('@') ? `sip:${last}` : undefined;
}

/** Reads the state and the action links out of a callForwardingSettings resource. */
export function parseForwarding(resource: Resource, base: string): { state: ForwardingState; links: ForwardingLinks } {
  const imm = embeddedOf(resource, 'immediateForwardSettings');
  const abs = (r: unknown, rel: string): string | null => {
    const l = linkOf(r, rel);
    if (!l) return null;
    try {
      return resolveHref(base, l.href);
    } catch {
      return null;
    }
  };
  const links: ForwardingLinks = {
    turnOff: abs(resource, 'turnOffCallForwarding'),
    toVoicemail: abs(imm, 'immediateForwardToVoicemail'),
    toContact: abs(imm, 'immediateForwardToContact'),
    toDelegates: abs(imm, 'immediateForwardToDelegates'),
  };
  let state: ForwardingState = { state: 'off' };
  if (String(resource.activeSetting ?? '') === 'ImmediateForward') {
    const target = String(imm?.target ?? '');
    if (target === 'Voicemail') state = { state: 'voicemail' };
    else if (target === 'Delegates') state = { state: 'delegates' };
    else if (target === 'Contact') {
      const uri = contactUri(imm);
      state = uri ? { state: 'contact', target: uri } : { state: 'contact' };
    }
  }
  return { state, links };
}

export class ForwardingClient {
  private links: ForwardingLinks | null = null;
  private last: ForwardingState | null = null;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly cache: FeatureLinkCache,
    private readonly report: (state: ForwardingState) => void,
  ) {}

  reset(): void {
    this.links = null;
  }

  /** GETs the resource and reports the state. */
  async refresh(): Promise<CapabilityResult> {
    const what = 'Call forwarding could not be read';
    try {
      const href = (await this.cache.get('callForwardingSettings'))?.callForwardingSettings ?? null;
      if (!this.ctx.appSelf()) return { ok: false, error: notConnected(what) };
      if (!href)
        return {
          ok: false,
          error: {
            status: null,
            code: 'NoForwarding',
            subcode: null,
            message: `${what}: the server offers no call forwarding settings.`,
          },
        };
      const res = await this.ctx.http.request('GET', href, { signal: this.ctx.signal });
      if (res.status !== 200 || !res.json || typeof res.json !== 'object') {
        return {
          ok: false,
          error: {
            status: res.status,
            code: `Http${res.status}`,
            subcode: null,
            message: `${what}: the server answered HTTP ${res.status}.`,
          },
        };
      }
      const parsed = parseForwarding(res.json as Resource, href);
      this.links = parsed.links;
      // The server names a contact by its link; when it cannot be read, keep the URI we set.
      const state =
        parsed.state.state === 'contact' && !parsed.state.target && this.last?.state === 'contact' && this.last.target
          ? { state: 'contact' as const, target: this.last.target }
          : parsed.state;
      this.last = state;
      this.report(state);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: failureOf(err, what) };
    }
  }

  /** POSTs the action for `to`, then reads the state back (what is reported is the server's). */
  async set(to: ForwardingChoice): Promise<CapabilityResult> {
    const what = 'Call forwarding was not changed';
    if (!this.links) {
      const r = await this.refresh();
      if (!r.ok)
        return {
          ok: false,
          error: { ...r.error, message: r.error.message.replace('could not be read', 'was not changed') },
        };
    }
    const links = this.links!;
    const href = to === 'off' ? links.turnOff : to === 'voicemail' ? links.toVoicemail : links.toContact;
    if (!href)
      return {
        ok: false,
        error: {
          status: null,
          code: 'NotOffered',
          subcode: null,
          message: `${what}: the server does not offer that setting now.`,
        },
      };
    const body = to === 'off' || to === 'voicemail' ? undefined : inputBody(this.ctx.payloadFormat, { target: to });
    if (body) this.last = { state: 'contact', target: to };
    const result = await postAction(this.ctx, href, what, body);
    if (!result.ok) return result;
    this.ctx.log.info('call forwarding changed', { to: to === 'off' || to === 'voicemail' ? to : 'contact' });
    return this.refresh();
  }

  /** A `callForwardingSettings` (or nested) event: read it again. True when `h` was one. */
  observe(h: Happening): boolean {
    if (h.kind !== 'resource' || !/^(callForwardingSettings|immediateForwardSettings)$/.test(h.rel)) return false;
    void this.refresh().then((r) => {
      if (!r.ok) this.ctx.log.warn('could not read call forwarding after an event', { code: r.error.code });
    });
    return true;
  }
}
