/**
 * The simulator's token authority (Microsoft Entra): the tenant's OpenID configuration and
 * keys, and the client-credentials token endpoint `/{tenant}/oauth2/v2.0/token`, which accepts
 * `client_secret` or a `client_assertion` signed with the key of a trusted certificate. It
 * also checks the Graph tokens it issued (for the Graph calls API).
 */
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { sendJson, type SimContext } from '../server.js';
import type { SigningKey } from './keys.js';
import type { TokenFailure, TokenIssue } from './types.js';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface TokenAuthorityOptions {
  origin: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenLifetimeSec: number;
  now: () => number;
}

export class TokenAuthority {
  readonly tokenUrl: string;
  readonly tokensIssued: TokenIssue[] = [];
  private readonly certificates: X509Certificate[] = [];
  private readonly tokenFailures: TokenFailure[] = [];
  private readonly origin: string;
  private readonly tenantId: string;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly tokenLifetimeSec: number;
  private readonly now: () => number;

  constructor(
    opts: TokenAuthorityOptions,
    private readonly authorityKey: SigningKey,
  ) {
    this.origin = opts.origin;
    this.tenantId = opts.tenantId;
    this.clientId = opts.clientId;
    this.clientSecret = opts.clientSecret;
    this.tokenLifetimeSec = opts.tokenLifetimeSec;
    this.now = opts.now;
    this.tokenUrl = `${this.origin}/${this.tenantId}/oauth2/v2.0/token`;
  }

  /** Accepts client assertions signed by this certificate's key. */
  trustCertificate(pem: string): void {
    this.certificates.push(new X509Certificate(pem));
  }

  /** The next `times` token requests fail with this OAuth error. */
  failTokens(failure: TokenFailure): void {
    this.tokenFailures.push({ times: 1, ...failure });
  }

  /** Routes under `/{tenant}/` (`rest` is the path after it). */
  route(ctx: SimContext, rest: string, method: string): boolean | Promise<boolean> {
    const base = `${this.origin}/${this.tenantId}`;
    if (rest === 'v2.0/.well-known/openid-configuration' && method === 'GET') {
      sendJson(ctx.res, 200, {
        token_endpoint: this.tokenUrl,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        tenant_region_scope: 'NA',
        cloud_instance_name: 'softphone.simulator',
      });
      return true;
    }
    if (rest === 'discovery/v2.0/keys' && method === 'GET') {
      sendJson(ctx.res, 200, { keys: [this.authorityKey.jwk] });
      return true;
    }
    if (rest === 'oauth2/v2.0/token' && method === 'POST') return this.tokenEndpoint(ctx);
    return false;
  }

  private async tokenEndpoint(ctx: SimContext): Promise<boolean> {
    const res = ctx.res;
    const oauthError = (status: number, error: string, description: string, headers: Record<string, string> = {}) => {
      sendJson(
        res,
        status,
        {
          error,
          error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date(this.now()).toISOString()}`,
          error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
        },
        headers,
      );
      return true;
    };
    while (this.tokenFailures[0]?.until !== undefined && this.tokenFailures[0].until <= this.now()) {
      this.tokenFailures.shift(); // an outage that is over
    }
    const failure = this.tokenFailures[0];
    if (failure) {
      if (failure.until === undefined && --failure.times! <= 0) this.tokenFailures.shift();
      if (failure.status === 'drop') {
        res.destroy();
        return true;
      }
      return oauthError(
        failure.status,
        failure.error,
        failure.description,
        failure.retryAfter !== undefined ? { 'Retry-After': failure.retryAfter } : {},
      );
    }
    const form = new URLSearchParams(ctx.body);
    if (!String(ctx.req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      return oauthError(
        400,
        'invalid_request',
        'AADSTS900144: The request body must be application/x-www-form-urlencoded.',
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(
        400,
        'unsupported_grant_type',
        `AADSTS70003: The app requested an unsupported grant type '${form.get('grant_type') ?? ''}'.`,
      );
    }
    if (form.get('client_id') !== this.clientId) {
      return oauthError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
      );
    }
    const scopes = (form.get('scope') ?? '').split(/\s+/);
    if (!scopes.includes(`${GRAPH_AUDIENCE}/.default`)) {
      return oauthError(
        400,
        'invalid_scope',
        `AADSTS1002012: The provided value for scope '${form.get('scope') ?? ''}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    let credential: TokenIssue['credential'];
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== this.clientSecret) {
        return oauthError(
          401,
          'invalid_client',
          `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`,
        );
      }
      credential = 'secret';
    } else if (assertion !== null) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
        return oauthError(
          400,
          'invalid_request',
          'AADSTS50027: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.',
        );
      }
      const problem = await this.checkAssertion(assertion);
      if (problem) return oauthError(401, 'invalid_client', problem);
      credential = 'certificate';
    } else {
      return oauthError(
        401,
        'invalid_client',
        "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const now = Math.floor(this.now() / 1000);
    const accessToken = await new SignJWT({
      aud: GRAPH_AUDIENCE,
      iss: `https://sts.windows.net/${this.tenantId}/`,
      tid: this.tenantId,
      appid: this.clientId,
      idtyp: 'app',
      roles: ['Calls.Initiate.All', 'Calls.AccessMedia.All'],
      oid: 'f3c1c8a2-3e36-4e3b-b0bb-5d9c1f8e2a11',
      iat: now,
      nbf: now,
      exp: now + this.tokenLifetimeSec,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.authorityKey.kid, typ: 'JWT' })
      .sign(this.authorityKey.privateKey);
    this.tokensIssued.push({ credential, at: this.now() });
    sendJson(res, 200, {
      token_type: 'Bearer',
      expires_in: this.tokenLifetimeSec,
      ext_expires_in: this.tokenLifetimeSec,
      access_token: accessToken,
    });
    return true;
  }

  /** Null when the client assertion is acceptable, else an AADSTS description. */
  private async checkAssertion(assertion: string): Promise<string | null> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      return 'AADSTS50027: JWT token is invalid or malformed.';
    }
    const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : null;
    const x5t = typeof header.x5t === 'string' ? header.x5t : null;
    const cert = this.certificates.find((c) => {
      const der = c.raw;
      return (
        (x5tS256 !== null && createHash('sha256').update(der).digest('base64url') === x5tS256) ||
        (x5t !== null && createHash('sha1').update(der).digest('base64url') === x5t)
      );
    });
    if (!cert) {
      return `AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${x5tS256 ?? x5t ?? ''}']`;
    }
    try {
      await jwtVerify(assertion, cert.publicKey, {
        algorithms: ['PS256', 'RS256'],
        audience: this.tokenUrl,
        issuer: this.clientId,
        subject: this.clientId,
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(this.now()),
        clockTolerance: 300,
      });
    } catch (err) {
      return `AADSTS700027: Client assertion failed signature validation or claims check. (${err instanceof Error ? err.message : String(err)})`;
    }
    return null;
  }

  async validGraphToken(authorization: string | undefined): Promise<boolean> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m?.[1]) return false;
    try {
      await jwtVerify(m[1], this.authorityKey.publicKey, {
        algorithms: ['RS256'],
        audience: [GRAPH_AUDIENCE, GRAPH_APP_ID],
        issuer: `https://sts.windows.net/${this.tenantId}/`,
        currentDate: new Date(this.now()),
      });
      return true;
    } catch {
      return false;
    }
  }
}
