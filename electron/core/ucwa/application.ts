/**
 * The UCWA application: create it (POST applications with userAgent/endpointId/culture and a
 * per-account persisted endpointId), make the user reachable (makeMeAvailable), keep it alive
 * (reportMyActivity at least every 4 minutes — we use 3), delete it on sign-out
 * [PROTOCOL.md §5, §6, §11].
 */
import { randomUUID } from 'node:crypto';
import type { Clock, KeyValueStore, Logger, TimerHandle } from '../deps.js';
import { parseErrorBody, toUcwaError, UcwaError } from './errors.js';
import type { HttpResult, UcwaHttp } from './http.js';
import { embeddedOf, linkOf, resolveHref } from './links.js';

export const ACTIVITY_INTERVAL_MS = 3 * 60_000;

export interface ApplicationLinks {
  /** Absolute self href (DELETE target). */
  self: string;
  /** Absolute first events (P-GET) href. */
  events: string;
  makeMeAvailable: string | null;
  reportMyActivity: string | null;
}

export function endpointIdKey(accountId: string): string {
  return `ucwa.${accountId}.endpointId`;
}

/** The account's endpointId: read from the store, or a new GUID that is stored at once. */
export async function loadEndpointId(store: KeyValueStore, accountId: string, log: Logger): Promise<string> {
  const key = endpointIdKey(accountId);
  let stored: string | undefined;
  try {
    stored = await store.get(key);
  } catch (err) {
    log.warn('could not read the stored endpoint id; using a new one', { err });
  }
  if (stored && /^[\w-]{1,100}$/.test(stored)) return stored;
  const id = randomUUID();
  try {
    await store.set(key, id);
  } catch (err) {
    log.warn('could not store the endpoint id', { err });
  }
  return id;
}

/** Reads the links we need out of an application resource. Throws UcwaError when unusable. */
export function applicationLinksOf(resource: unknown, base: string): ApplicationLinks {
  const self = linkOf(resource, 'self');
  const events = linkOf(resource, 'events');
  if (!self || !events) {
    throw new UcwaError(
      null,
      'InvalidApplication',
      null,
      'The server answered with an application that has no self or events link.',
    );
  }
  const me = embeddedOf(resource, 'me');
  const opt = (rel: string): string | null => {
    const l = linkOf(me, rel);
    if (!l) return null;
    try {
      return resolveHref(base, l.href);
    } catch {
      return null;
    }
  };
  try {
    return {
      self: resolveHref(base, self.href),
      events: resolveHref(base, events.href),
      makeMeAvailable: opt('makeMeAvailable'),
      reportMyActivity: opt('reportMyActivity'),
    };
  } catch (err) {
    throw new UcwaError(
      null,
      'UnsafeLink',
      null,
      `The server sent an application link this app will not follow: ${(err as Error).message}.`,
    );
  }
}

function fail(res: HttpResult, context: Parameters<typeof toUcwaError>[2]): never {
  throw toUcwaError(res.status, parseErrorBody(res.text, res.headers.get('content-type')), context);
}

export interface CreateApplicationInput {
  userAgent: string;
  endpointId: string;
  culture: string;
}

export async function createApplication(
  http: UcwaHttp,
  applicationsUrl: string,
  input: CreateApplicationInput,
  signal?: AbortSignal,
): Promise<ApplicationLinks> {
  const res = await http.request('POST', applicationsUrl, {
    body: JSON.stringify({ userAgent: input.userAgent, endpointId: input.endpointId, culture: input.culture }),
    contentType: 'application/json',
    signal,
  });
  if (res.status !== 201 && res.status !== 200) fail(res, 'application');
  return applicationLinksOf(res.json, applicationsUrl);
}

/** GET the application again (after makeMeAvailable the `me` links grow reportMyActivity). */
export async function getApplication(http: UcwaHttp, selfUrl: string, signal?: AbortSignal): Promise<ApplicationLinks> {
  const res = await http.request('GET', selfUrl, { signal });
  if (res.status !== 200) fail(res, 'application');
  return applicationLinksOf(res.json, selfUrl);
}

export async function makeMeAvailable(http: UcwaHttp, href: string, signal?: AbortSignal): Promise<void> {
  const res = await http.request('POST', href, {
    body: JSON.stringify({ supportedModalities: ['Messaging', 'PhoneAudio'], supportedMessageFormats: ['Plain'] }),
    contentType: 'application/json',
    signal,
  });
  if (res.status === 204 || res.status === 200) return;
  const body = parseErrorBody(res.text, res.headers.get('content-type'));
  if (res.status === 409 && body?.subcode === 'AlreadyExists') return; // already available
  throw toUcwaError(res.status, body, 'makeMeAvailable');
}

export async function reportMyActivity(http: UcwaHttp, href: string, signal?: AbortSignal): Promise<void> {
  const res = await http.request('POST', href, { signal });
  if (res.status === 204 || res.status === 200) return;
  fail(res, 'reportMyActivity');
}

/** DELETE the application (sign-out). Errors are logged, never thrown. */
export async function deleteApplication(http: UcwaHttp, selfUrl: string, log: Logger): Promise<void> {
  try {
    const res = await http.request('DELETE', selfUrl, { timeoutMs: 10_000 });
    if (res.status === 204 || res.status === 200 || res.status === 404 || res.status === 410) {
      log.info('application deleted', { status: res.status });
    } else {
      log.warn('application delete refused', { status: res.status });
    }
  } catch (err) {
    log.warn('application delete failed', { err });
  }
}

export interface ActivityReporterOptions {
  clock: Clock;
  log: Logger;
  intervalMs?: number;
  /** One report; throws UcwaError on failure. */
  report: () => Promise<void>;
  /** A report failed with a UcwaError (the owner decides: re-create, error, ignore). */
  onError: (err: unknown) => void;
}

/** Calls `report` every `intervalMs` on the injected clock until stopped. */
export class ActivityReporter {
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly o: ActivityReporterOptions) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => void this.tick(), this.o.intervalMs ?? ACTIVITY_INTERVAL_MS);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    try {
      await this.o.report();
      this.o.log.debug('reported activity');
    } catch (err) {
      if (!this.stopped) this.o.onError(err);
    }
    this.schedule();
  }
}
