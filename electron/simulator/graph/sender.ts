/**
 * Microsoft's notification sender, as the simulator plays it: signs callback tokens with the
 * callback key (published at `/aps/v1/.well-known/OpenIdConfiguration` → `/aps/v1/keys`),
 * forges them on command, and POSTs notifications to the receiver, recording each one.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { sendJson, type SimContext } from '../server.js';
import { deletedCallBody } from './shapes.js';
import { newSigningKey, type SigningKey } from './keys.js';
import {
  OTHER_TENANT_ID,
  type ForgeKind,
  type NotificationResult,
  type SentNotification,
  type SimGraphCall,
} from './types.js';

export interface NotificationSenderOptions {
  origin: string;
  tenantId: string;
  clientId: string;
  callbackIssuer: string;
  now: () => number;
}

export class NotificationSender {
  readonly notifications: SentNotification[] = [];
  readonly openIdConfigUrl: string;
  readonly jwksUrl: string;
  closed = false;
  private readonly tenantId: string;
  private readonly clientId: string;
  private readonly callbackIssuer: string;
  private readonly now: () => number;

  /** Keys still published after a rotation (newest last). */
  private readonly retiredKeys: SigningKey[] = [];
  private keysPublished = true;

  constructor(
    opts: NotificationSenderOptions,
    private callbackKey: SigningKey,
    private readonly attackerKey: SigningKey,
  ) {
    this.tenantId = opts.tenantId;
    this.clientId = opts.clientId;
    this.callbackIssuer = opts.callbackIssuer;
    this.now = opts.now;
    this.openIdConfigUrl = `${opts.origin}/aps/v1/.well-known/OpenIdConfiguration`;
    this.jwksUrl = `${opts.origin}/aps/v1/keys`;
  }

  /** The signer's OpenID configuration and key set. */
  route(ctx: SimContext): boolean {
    const p = ctx.url.pathname;
    const m = ctx.req.method ?? 'GET';
    if (/^\/aps\/v1\/\.well-known\/openidconfiguration$/i.test(p) && m === 'GET') {
      sendJson(ctx.res, 200, {
        issuer: 'https://api.botframework.com',
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: this.jwksUrl,
        id_token_signing_alg_values_supported: ['RSA256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
      return true;
    }
    if (p === '/aps/v1/keys' && m === 'GET') {
      const published = this.keysPublished ? [...this.retiredKeys, this.callbackKey] : this.retiredKeys;
      sendJson(ctx.res, 200, { keys: published.map((k) => ({ ...k.jwk, endorsements: ['msteams'] })) });
      return true;
    }
    return false;
  }

  /** A callback token as Microsoft signs it; `claims` override (undefined deletes a claim). */
  /**
   * Key rotation: a new signing key is made and used from now on. `publish` (default true)
   * puts it in the key set at once; false signs with it before it is published (then call
   * `publishKey()`), the way a token can name a key newer than a client's last fetch. The old
   * key stays published unless `retireOld`.
   */
  async rotateKey(opts: { publish?: boolean; retireOld?: boolean } = {}): Promise<string> {
    if (!opts.retireOld) this.retiredKeys.push(this.callbackKey);
    this.callbackKey = await newSigningKey();
    this.keysPublished = opts.publish ?? true;
    return this.callbackKey.kid;
  }

  /** Publishes the key made by `rotateKey({ publish: false })`. */
  publishKey(): void {
    this.keysPublished = true;
  }

  /** The kid notifications are signed with now. */
  get currentKid(): string {
    return this.callbackKey.kid;
  }

  async signCallbackToken(
    claims: Record<string, unknown> = {},
    key: SigningKey = this.callbackKey,
    header: { kid?: boolean } = {},
  ): Promise<string> {
    const now = Math.floor(this.now() / 1000);
    const payload: JWTPayload = {
      iss: this.callbackIssuer,
      aud: this.clientId,
      tid: this.tenantId,
      appid: 'e6c1e4e5-8c35-4f0c-a3a3-6a5f2c4ba0b2',
      nbf: now - 5,
      exp: now + 300,
    };
    for (const [k, v] of Object.entries(claims)) {
      if (v === undefined) delete payload[k];
      else payload[k] = v;
    }
    // Real calling tokens carry cty "JWT" and no iat (PROTOCOL.md §6.1).
    return new SignJWT(payload)
      .setProtectedHeader(
        header.kid === false
          ? { alg: 'RS256', typ: 'JWT', cty: 'JWT' }
          : { alg: 'RS256', kid: key.kid, typ: 'JWT', cty: 'JWT' },
      )
      .sign(key.privateKey);
  }

  sendDeleted(call: SimGraphCall): Promise<NotificationResult> {
    return this.post(call.receiverUrl, deletedCallBody(call.shape, call.id), call.id, 'deleted', null);
  }

  async post(
    url: string,
    body: string,
    callId: string,
    changeType: SentNotification['changeType'],
    forge: ForgeKind | null,
    claims: Record<string, unknown> = {},
  ): Promise<NotificationResult> {
    let token: string | null;
    switch (forge) {
      case null:
        token = await this.signCallbackToken(claims);
        break;
      case 'otherTenant':
        token = await this.signCallbackToken({ tid: OTHER_TENANT_ID });
        break;
      case 'noToken':
        token = null;
        break;
      case 'badSignature':
        // Our kid, somebody else's key.
        token = await this.signCallbackToken({}, { ...this.attackerKey, kid: this.callbackKey.kid });
        break;
      case 'unknownKey':
        token = await this.signCallbackToken({}, this.attackerKey);
        break;
      case 'wrongAudience':
        token = await this.signCallbackToken({ aud: 'b1b0d6f4-0000-4000-8000-000000000000' });
        break;
      case 'wrongIssuer':
        token = await this.signCallbackToken({ iss: 'https://sts.windows.net/attacker/' });
        break;
      case 'expired': {
        const now = Math.floor(this.now() / 1000);
        token = await this.signCallbackToken({ nbf: now - 3600, exp: now - 600 });
        break;
      }
      case 'noTid':
        token = await this.signCallbackToken({ tid: undefined });
        break;
    }
    return this.deliver(url, body, token, callId, changeType, forge);
  }

  async deliver(
    url: string,
    body: string,
    token: string | null,
    callId: string,
    changeType: SentNotification['changeType'],
    forge: ForgeKind | null,
  ): Promise<NotificationResult> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      Accept: 'application/json',
      'User-Agent': 'Microsoft-Skype/3.0,(Calling/1.0)',
      'X-Microsoft-Skype-Chain-ID': randomUUID(),
      'X-Microsoft-Skype-Message-ID': randomUUID(),
      'Scenario-ID': randomUUID(),
    };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const sent: SentNotification = { callId, changeType, forged: forge, status: null, at: this.now() };
    this.notifications.push(sent);
    if (this.closed) return { callId, status: null, body: '' };
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      sent.status = res.status;
      return { callId, status: res.status, body: await res.text() };
    } catch {
      return { callId, status: null, body: '' };
    }
  }
}
