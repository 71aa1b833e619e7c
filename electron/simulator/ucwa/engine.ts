/**
 * The UCWA simulator's state and request handling: users/tokens (AuthService), live
 * applications and their event channels, tombstones of removed ones, the misbehaviour queues,
 * the recordings, and the top-level router. `UcwaSimulator` (../ucwa.ts) is its public facade.
 */
import type { ServerResponse } from 'node:http';
import { sendJson, type SimContext, type SimServer } from '../server.js';
import { routeApplication, type AppRouteHost } from './appRoutes.js';
import { APPLICATIONS_PATH, AuthService, ROOT_PATH, TOKEN_PATH, USER_PATH, XFRAME_PATH } from './auth.js';
import { CallBook } from './calls.js';
import { EventChannel, type PgetMods } from './channel.js';
import { FeatureBook } from './features.js';
import { FAIL, parseInput, sendFailure } from './http.js';
import { IdSource } from './ids.js';
import { applicationJson, type Linker, type Pool, type ResolvedUser, type SimApp } from './resources.js';
import type {
  ActivityRecord,
  ApplicationRecord,
  DeclineRecord,
  DeletedApplicationRecord,
  DropMode,
  PgetRecord,
  RingHandle,
  RingOptions,
  SimFailure,
  SimRoute,
  SimUser,
  UcwaSimOptions,
} from './types.js';

export type PgetAction =
  | { type: 'drop'; mode: DropMode }
  | { type: 'delay'; ms: number }
  | { type: 'resync' }
  | { type: 'resume' }
  | { type: 'malformed'; raw: string };

export type Tunables = Required<Pick<UcwaSimOptions, 'absoluteLinks' | 'tokenLifetimeSec' | 'rootRedirects'>> & {
  maxHoldMs?: number;
  userRedirect: false | 'root' | 'user';
};

const MAX_TOMBSTONES = 1000;

export class UcwaEngine {
  readonly opts: Tunables = { absoluteLinks: false, tokenLifetimeSec: 28_800, rootRedirects: 0, userRedirect: false };
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly auth: AuthService;
  readonly calls: CallBook;
  readonly features: FeatureBook;
  readonly apps = new Map<string, SimApp>();
  readonly failures: Array<{ route: SimRoute; failure: SimFailure; left: number }> = [];
  readonly pgetActions: PgetAction[] = [];
  duplicates = 0;
  declineResets = 0;
  readonly timers = new Set<NodeJS.Timeout>();
  readonly waiters = new Set<{ check: () => boolean; fail: (e: Error) => void }>();
  readonly log = {
    declines: [] as DeclineRecord[],
    created: [] as ApplicationRecord[],
    deleted: [] as DeletedApplicationRecord[],
    activity: [] as ActivityRecord[],
    pgets: [] as PgetRecord[],
  };
  closed = false;
  private readonly maxRecords: number;
  private readonly tombstones = new Map<string, SimFailure>();
  private readonly hung = new Set<ServerResponse>();
  private readonly host: AppRouteHost;

  constructor(
    readonly server: SimServer,
    opts: UcwaSimOptions,
  ) {
    this.ids = new IdSource(opts.seed ?? 'softphone-simulator');
    this.maxRecords = opts.maxRecords ?? 10_000;
    this.clock = opts.now ?? Date.now;
    this.auth = new AuthService({
      origin: server.origin,
      ids: this.ids,
      now: this.clock,
      tokenLifetimeSec: () => this.opts.tokenLifetimeSec,
      rootRedirects: () => this.opts.rootRedirects,
      userRedirect: () => this.opts.userRedirect,
    });
    this.calls = new CallBook(this.ids, (app) => this.linkFor(app));
    this.features = new FeatureBook({
      now: this.clock,
      linkFor: (app) => this.linkFor(app),
      takeFailure: (route) => this.takeFailure(route),
      appsOf: (username) =>
        [...this.apps.values()].filter((a) => a.user.username.toLowerCase() === username.toLowerCase()),
      addTimer: (fn, ms) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          fn();
          this.changed();
        }, ms);
        this.timers.add(t);
      },
    });
    this.host = {
      calls: this.calls,
      features: this.features,
      now: this.clock,
      linkFor: (app) => this.linkFor(app),
      takeFailure: (route) => this.takeFailure(route),
      runPget: (ctx, app, rec, go) => this.runPget(ctx, app, rec, go),
      deleteApplication: (app) => this.dropApplication(app, 'client'),
      recordActivity: (app) => this.record(this.log.activity, { at: this.clock(), appId: app.id }),
      recordDecline: (rec) => this.record(this.log.declines, rec),
      recordPget: (rec) => this.record(this.log.pgets, rec),
      changed: () => this.changed(),
      takeDeclineReset: () => (this.declineResets > 0 ? (this.declineResets--, true) : false),
    };
  }

  addUser(user: SimUser): void {
    if (!user.username?.includes('@'))
      throw new Error(
        `UcwaSimulator.addUser: username must look like user@domain, got ${JSON.stringify(user.username)}`,
      );
    if (!user.password) throw new Error(`UcwaSimulator.addUser: user ${user.username} needs a password`);
    const resolved: ResolvedUser = {
      username: user.username,
      password: user.password,
      name: user.name ?? user.username.split('@')[0]!,
      uri: user.sipUri ? (/^sip:/i.test(user.sipUri) ? user.sipUri : `sip:${user.sipUri}`) : `sip:${user.username}`,
      ...(user.absoluteLinks !== undefined ? { absoluteLinks: user.absoluteLinks } : {}),
    };
    this.auth.users.set(user.username.toLowerCase(), resolved);
  }

  /** Appends to a recording, keeping at most `maxRecords` (oldest dropped) so long runs stay bounded. */
  record<T>(log: T[], entry: T): void {
    log.push(entry);
    if (log.length > this.maxRecords) log.splice(0, log.length - this.maxRecords);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const app of this.apps.values()) app.channel.close();
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    for (const w of [...this.waiters]) w.fail(new Error('UcwaSimulator.waitFor: simulator closed'));
  }

  handle(ctx: SimContext): boolean {
    if (this.closed) return false;
    const { req, res } = ctx;
    let path = ctx.url.pathname;
    let pool: Pool = '';
    let hop = 0;
    if (/^\/pool2\//i.test(path)) {
      pool = '/pool2';
      path = path.slice(6);
    } else {
      const m = /^\/hop(\d+)(\/.*)$/i.exec(path);
      if (m) {
        hop = Number(m[1]);
        path = m[2]!;
      }
    }
    const lower = path.toLowerCase().replace(/\/+$/, '');
    const route: SimRoute | null =
      lower === ROOT_PATH
        ? 'root'
        : lower === USER_PATH
          ? 'user'
          : lower === TOKEN_PATH.toLowerCase()
            ? 'token'
            : lower === APPLICATIONS_PATH || lower.startsWith(`${APPLICATIONS_PATH}/`)
              ? 'applications'
              : null;
    if (route === null && lower !== XFRAME_PATH) return false;
    try {
      if (lower === XFRAME_PATH) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><head><title>XFrame</title></head><body></body></html>');
        return true;
      }
      if (route === 'root' || route === 'user' || route === 'token') {
        const f = this.takeFailure(route);
        if (f && route === 'token') sendJson(res, f.status, { error: f.code, error_description: f.message ?? f.code });
        else if (f) sendFailure(res, f);
        else if (route === 'root') this.auth.root(res, pool, hop);
        else if (route === 'user') this.auth.user(req, res, pool);
        else this.auth.token(req, res, ctx.body, pool);
        return true;
      }
      const user = this.auth.authenticate(req, pool);
      if (!user) {
        this.auth.challenge(res, pool);
        return true;
      }
      const segments = path.slice(APPLICATIONS_PATH.length).split('/').filter(Boolean);
      if (segments.length === 0) {
        this.createApplication(ctx, pool, user);
        return true;
      }
      const [id, ...sub] = segments as [string, ...string[]];
      const app = this.apps.get(id);
      if (!app || app.pool !== pool || app.user !== user) {
        sendFailure(res, this.tombstones.get(id) ?? FAIL.applicationNotFound());
        return true;
      }
      const any = this.takeFailure('any');
      if (any) sendFailure(res, any);
      else routeApplication(this.host, ctx, app, sub);
      return true;
    } finally {
      this.changed();
    }
  }

  createApplication(ctx: SimContext, pool: Pool, user: ResolvedUser): void {
    const { req, res } = ctx;
    if (req.method !== 'POST') return sendFailure(res, FAIL.methodNotAllowed(req.method ?? ''));
    const f = this.takeFailure('applications');
    if (f) return sendFailure(res, f);
    const input = parseInput(req.headers['content-type'], ctx.body);
    if (!input.ok) return sendFailure(res, input.failure);
    const values: Record<string, string> = {};
    const missing: string[] = [];
    for (const name of ['userAgent', 'endpointId', 'culture']) {
      const v = input.props.get(name.toLowerCase());
      if (typeof v !== 'string' || v.trim() === '') missing.push(name);
      else if (v.length > 100) return sendFailure(res, FAIL.badParameter(`${name} must be at most 100 characters`));
      else values[name] = v;
    }
    if (missing.length > 0)
      return sendFailure(res, FAIL.badParameter(`Missing required parameter(s): ${missing.join(', ')}`));
    const existing = [...this.apps.values()].find(
      (a) => a.user === user && a.pool === pool && a.endpointId === values.endpointId,
    );
    const app = existing ?? this.newApplication(pool, user, values.endpointId!, values.userAgent!, values.culture!);
    const status = existing ? 200 : 201;
    this.record(this.log.created, {
      at: this.clock(),
      appId: app.id,
      username: user.username,
      endpointId: app.endpointId,
      userAgent: app.userAgent,
      culture: app.culture,
      status,
      href: this.linkFor(app)(app.base),
    });
    sendJson(res, status, applicationJson(app, this.linkFor(app)));
  }

  newApplication(pool: Pool, user: ResolvedUser, endpointId: string, userAgent: string, culture: string): SimApp {
    const id = this.ids.hex('app');
    const base = `${pool}${APPLICATIONS_PATH}/${id}`;
    const salt = this.ids.int('ack-salt', 10_000);
    const hex = this.ids.hex('put-key');
    const putKey = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    const app = {
      id,
      pool,
      user,
      endpointId,
      userAgent,
      culture,
      base,
      absolute: user.absoluteLinks ?? this.opts.absoluteLinks,
      available: false,
      legs: new Map(),
      putKey,
      etag: this.ids.int('etag', 4_000_000_000),
    } as Omit<SimApp, 'channel'> as SimApp;
    app.channel = new EventChannel(
      {
        eventsHref: (token) => this.linkFor(app)(`${base}/events?ack=${token}`),
        maxHoldMs: () => this.opts.maxHoldMs,
        takeDuplicate: () => (this.duplicates > 0 ? (this.duplicates--, true) : false),
        onResume: () => {
          for (const leg of [...app.legs.values()]) this.calls.dropLeg(leg);
        },
        onStateChange: () => this.changed(),
      },
      salt,
    );
    this.apps.set(id, app);
    return app;
  }

  runPget(ctx: SimContext, app: SimApp, rec: PgetRecord, go: (mods: PgetMods) => void): void {
    const action = this.pgetActions.shift();
    if (!action) return go({});
    switch (action.type) {
      case 'resync':
        return go({ resync: true });
      case 'resume':
        return go({ resume: true });
      case 'malformed':
        rec.outcome = 'malformed';
        ctx.res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(action.raw),
        });
        return void ctx.res.end(action.raw);
      case 'drop':
        if (action.mode === 'lostResponse') return go({ loseResponse: true });
        rec.outcome = 'dropped';
        if (action.mode === 'reset') return void ctx.req.socket.destroy();
        this.hung.add(ctx.res);
        return void ctx.res.once('close', () => this.hung.delete(ctx.res));
      case 'delay': {
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (ctx.res.destroyed || ctx.res.writableEnded) return;
          if (this.apps.get(app.id) !== app)
            return void sendFailure(ctx.res, this.tombstones.get(app.id) ?? FAIL.applicationNotFound());
          go({});
        }, action.ms);
        this.timers.add(t);
        return;
      }
    }
  }

  takeFailure(route: SimRoute): SimFailure | undefined {
    const i = this.failures.findIndex((f) => f.route === route || (f.route === 'any' && route !== 'any'));
    if (i < 0) return undefined;
    const entry = this.failures[i]!;
    if (--entry.left === 0) this.failures.splice(i, 1);
    return entry.failure;
  }

  linkFor(app: SimApp): Linker {
    return (path) => (app.absolute ? `${this.server.origin}${path}` : path);
  }

  dropApplication(app: SimApp, by: DeletedApplicationRecord['by']): void {
    this.apps.delete(app.id);
    for (const leg of [...app.legs.values()]) this.calls.dropLeg(leg);
    this.record(this.log.deleted, { at: this.clock(), appId: app.id, by });
    if (by === 'client') app.channel.close();
  }

  /** Keep an abandoned response open and unanswered (a dead connection) until close(). */
  hang(res: ServerResponse): void {
    this.hung.add(res);
    res.once('close', () => this.hung.delete(res));
  }

  killApplication(app: SimApp, failure: SimFailure, by: 'removed' | 'expired'): void {
    this.tombstones.set(app.id, failure);
    if (this.tombstones.size > MAX_TOMBSTONES) this.tombstones.delete(this.tombstones.keys().next().value!);
    this.dropApplication(app, by);
    app.channel.fail(failure);
  }

  targets(appId: string | undefined, op: string): SimApp[] {
    return appId === undefined ? [...this.apps.values()] : [this.app(appId, op)];
  }

  app(appId: string, op: string): SimApp {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`UcwaSimulator.${op}: no live application ${appId}`);
    return app;
  }

  defaultUser(): ResolvedUser | undefined {
    return this.auth.users.values().next().value;
  }

  ringTargets(opts: RingOptions): SimApp[] {
    if (opts.appId) {
      const app = this.app(opts.appId, 'ring');
      if (!app.available)
        throw new Error(`UcwaSimulator.ring: application ${opts.appId} has not called makeMeAvailable`);
      return [app];
    }
    const user = opts.user ? this.auth.users.get(opts.user.toLowerCase()) : this.defaultUser();
    if (!user) throw new Error(`UcwaSimulator.ring: unknown user ${JSON.stringify(opts.user)}`);
    const apps = [...this.apps.values()].filter((a) => a.user === user && a.available);
    if (apps.length === 0)
      throw new Error(
        `UcwaSimulator.ring: no application of ${user.username} has called makeMeAvailable yet (await waitUntilListening() first)`,
      );
    return apps;
  }

  ringingCall(handle: RingHandle | string, op: string): NonNullable<ReturnType<CallBook['find']>> {
    const id = typeof handle === 'string' ? handle : handle.id;
    const call = this.calls.find(id);
    if (!call) throw new Error(`UcwaSimulator.${op}: call ${id} is not ringing`);
    return call;
  }

  changed(): void {
    for (const w of [...this.waiters]) w.check();
  }
}

export function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new Error(`UcwaSimulator: ${name} must be a non-negative number, got ${v}`);
  return v;
}

export function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`UcwaSimulator: ${name} must be a positive number, got ${v}`);
  return v;
}
