/**
 * Autodiscovery and MsRtcOAuth (WebTicket) authentication, after RootURL.md,
 * CreateAnApplication.md and AuthenticationInUCWA.md: root (optionally behind `redirect`
 * hops), user resource (401 with two WWW-Authenticate headers without a valid token;
 * `applications` or a pool `redirect` with one), password grant at /WebTicket/oauthtoken.
 * Tokens are per pool: a main-pool token is not accepted by /pool2.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../server.js';
import type { IdSource } from './ids.js';
import type { Pool, ResolvedUser } from './resources.js';

export const ROOT_PATH = '/autodiscover/autodiscoverservice.svc/root';
export const USER_PATH = `${ROOT_PATH}/oauth/user`;
export const XFRAME_PATH = '/autodiscover/xframe/xframe.html';
export const TOKEN_PATH = '/WebTicket/oauthtoken';
export const APPLICATIONS_PATH = '/ucwa/oauth/v1/applications';
const ORIGINAL_DOMAIN = '?originalDomain=softphone.test';

interface IssuedToken {
  username: string;
  pool: Pool;
  expiresAt: number;
}

export interface AuthConfig {
  origin: string;
  ids: IdSource;
  now: () => number;
  tokenLifetimeSec: () => number;
  rootRedirects: () => number;
  userRedirect: () => false | 'root' | 'user';
}

const IIS_401 =
  '<!DOCTYPE html><html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head>' +
  '<body><div id="header"><h1>Server Error</h1></div><div id="content"><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2>' +
  '<h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3></div></body></html>';

export class AuthService {
  readonly users = new Map<string, ResolvedUser>();
  private readonly tokens = new Map<string, IssuedToken>();
  /** Misbehaviour: this many more requests bearing a valid token get 401 (and the token is revoked). */
  revokeNext = 0;

  constructor(private readonly cfg: AuthConfig) {}

  /** Absolute URL of the token endpoint of a pool. */
  tokenUrl(pool: Pool): string {
    return `${this.cfg.origin}${pool}${TOKEN_PATH}`;
  }

  /** The user a request's bearer token belongs to, or null (missing, unknown, expired, other pool). */
  authenticate(req: IncomingMessage, pool: Pool): ResolvedUser | null {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m) return null;
    const t = this.tokens.get(m[1]!);
    if (!t || t.pool !== pool) return null;
    if (t.expiresAt <= this.cfg.now()) {
      this.tokens.delete(m[1]!);
      return null;
    }
    if (this.revokeNext > 0) {
      this.revokeNext--;
      this.tokens.delete(m[1]!);
      return null;
    }
    return this.users.get(t.username) ?? null;
  }

  /** 401 with the two challenge headers of the CreateAnApplication trace and an IIS HTML body. */
  challenge(res: ServerResponse, pool: Pool): void {
    res.writeHead(401, {
      'Content-Type': 'text/html',
      'Content-Length': Buffer.byteLength(IIS_401),
      'WWW-Authenticate': [
        'Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@softphone.test", client_id="00000004-0000-0ff1-ce00-000000000000"',
        `MsRtcOAuth href="${this.tokenUrl(pool)}",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"`,
      ],
    });
    res.end(IIS_401);
  }

  private pruneExpired(): void {
    if (this.tokens.size < 256) return;
    const now = this.cfg.now();
    for (const [t, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(t);
  }

  expireAll(): void {
    this.tokens.clear();
  }

  /** GET root. `hop` counts redirect hops already taken (0 = the discovery URL itself). */
  root(res: ServerResponse, pool: Pool, hop: number): void {
    const o = this.cfg.origin;
    const hopPrefix = (n: number): string => (n === 0 ? '' : `/hop${n}`);
    if (pool === '' && hop < this.cfg.rootRedirects()) {
      sendJson(res, 200, { _links: { redirect: { href: `${o}${hopPrefix(hop + 1)}${ROOT_PATH}${ORIGINAL_DOMAIN}` } } });
      return;
    }
    sendJson(res, 200, {
      _links: {
        self: { href: `${o}${pool}${hopPrefix(hop)}${ROOT_PATH}${ORIGINAL_DOMAIN}` },
        user: { href: `${o}${pool}${USER_PATH}${ORIGINAL_DOMAIN}` },
        xframe: { href: `${o}${pool}${XFRAME_PATH}` },
      },
    });
  }

  /** GET user: 401 challenge, a pool redirect, or the applications link (always absolute). */
  user(req: IncomingMessage, res: ServerResponse, pool: Pool): void {
    if (!this.authenticate(req, pool)) return this.challenge(res, pool);
    const o = this.cfg.origin;
    const self = { href: `${o}${pool}${USER_PATH}${ORIGINAL_DOMAIN}` };
    const xframe = { href: `${o}${pool}${XFRAME_PATH}` };
    const redirect = this.cfg.userRedirect();
    if (pool === '' && redirect) {
      const target = redirect === 'user' ? USER_PATH : ROOT_PATH;
      sendJson(res, 200, {
        rel: 'user',
        _links: { self, redirect: { href: `${o}/pool2${target}${ORIGINAL_DOMAIN}` }, xframe },
      });
      return;
    }
    sendJson(res, 200, {
      rel: 'user',
      _links: { self, applications: { href: `${o}${pool}${APPLICATIONS_PATH}` }, xframe },
    });
  }

  /** POST token: password grant (x-www-form-urlencoded). Errors are 400 `{error}` as AuthenticationInUCWA.md lists. */
  token(req: IncomingMessage, res: ServerResponse, body: string, pool: Pool): void {
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (req.method !== 'POST' || ct !== 'application/x-www-form-urlencoded') {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'POST application/x-www-form-urlencoded expected',
      });
      return;
    }
    const form = new URLSearchParams(body);
    const grant = form.get('grant_type');
    if (!grant) return sendJson(res, 400, { error: 'invalid_request', error_description: 'grant_type is missing' });
    if (grant !== 'password')
      return sendJson(res, 400, {
        error: 'unsupported_grant_type',
        error_description: `grant_type ${grant} is not supported by the simulator`,
      });
    const user = this.users.get((form.get('username') ?? '').replace(/^sip:/i, '').toLowerCase());
    if (!user || form.get('password') !== user.password) {
      sendJson(res, 400, { error: 'invalid_grant', error_description: 'invalid username or password' });
      return;
    }
    this.pruneExpired();
    const token = this.cfg.ids.token();
    const lifetime = this.cfg.tokenLifetimeSec();
    this.tokens.set(token, {
      username: user.username.toLowerCase(),
      pool,
      expiresAt: this.cfg.now() + lifetime * 1000,
    });
    sendJson(
      res,
      200,
      { access_token: token, expires_in: lifetime, ms_rtc_identityscope: 'local', token_type: 'Bearer' },
      { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    );
  }
}
