/**
 * Certificates made with node:crypto alone (no openssl, no library). The simulator's own
 * certificate authority: a CA certificate (basicConstraints CA, keyCertSign) and a server certificate for
 * 127.0.0.1 / localhost signed by it. A simulator started with `tls: serverTls(ca)` speaks
 * HTTPS; a client trusts it through the CA's PEM only (an account's `caFile`, undici's
 * `connect.ca`), so tests run the real certificate checks, not `rejectUnauthorized: false`.
 */
import { X509Certificate, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const tlv = (tag: number, body: Buffer): Buffer => {
  const len = body.length;
  const head =
    len < 0x80
      ? Buffer.from([tag, len])
      : len < 0x100
        ? Buffer.from([tag, 0x81, len])
        : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, body]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const int = (bytes: Buffer) => tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const nul = () => Buffer.from([0x05, 0x00]);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const octets = (b: Buffer) => tlv(0x04, b);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk: number[] = [];
    let v = n;
    do {
      chunk.unshift(v & 0x7f);
      v >>>= 7;
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

const extension = (id: string, critical: boolean, value: Buffer) =>
  critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value));

const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), nul());

function certificate(opts: {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signer: KeyObject;
  extensions: Buffer[];
  days: number;
}): string {
  const now = Date.now();
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    SHA256_WITH_RSA,
    name(opts.issuer),
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + opts.days * 86_400_000))),
    name(opts.subject),
    opts.publicKey.export({ type: 'spki', format: 'der' }),
    ...(opts.extensions.length > 0 ? [explicit(3, seq(...opts.extensions))] : []),
  );
  const der = seq(tbs, SHA256_WITH_RSA, bits(sign('sha256', tbs, opts.signer)));
  const text = pem('CERTIFICATE', der);
  new X509Certificate(text); // throws if the encoding is wrong
  return text;
}

export interface SelfSigned {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), the same key. */
  rsaKeyPem: string;
}

/**
 * A self-signed RSA certificate without extensions: a Graph bot's app credential (X509Certificate,
 * msal-node's thumbprint, the simulator verifying client assertions with it).
 */
export function selfSignedCertificate(commonName = 'softphone-test-bot', days = 2): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certPem = certificate({
    subject: commonName,
    issuer: commonName,
    publicKey,
    signer: privateKey,
    days,
    extensions: [],
  });
  return {
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    rsaKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

export interface SimCertificateAuthority {
  /** The CA certificate (PEM): what a client trusts. */
  caPem: string;
  /** The server certificate for 127.0.0.1 and localhost (PEM), signed by the CA. */
  certPem: string;
  /** The server certificate's private key (PKCS#8 PEM). */
  keyPem: string;
}

/** A fresh CA and a loopback server certificate signed by it (valid for `days`, default 2). */
export function simCertificateAuthority(days = 2): SimCertificateAuthority {
  const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const caName = 'Softphone Simulator Test CA';
  const caPem = certificate({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    days,
    extensions: [
      extension('2.5.29.19', true, seq(TRUE)), // basicConstraints: CA
      extension('2.5.29.15', true, bits(Buffer.from([0x06]), 1)), // keyUsage: keyCertSign, cRLSign
    ],
  });
  const san = seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from('localhost', 'ascii')));
  const certPem = certificate({
    subject: '127.0.0.1',
    issuer: caName,
    publicKey: server.publicKey,
    signer: ca.privateKey,
    days,
    extensions: [
      extension('2.5.29.19', true, seq()), // basicConstraints: not a CA
      extension('2.5.29.15', true, bits(Buffer.from([0xa0]), 5)), // keyUsage: digitalSignature, keyEncipherment
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.17', false, san), // subjectAltName: IP 127.0.0.1, DNS localhost
    ],
  });
  return { caPem, certPem, keyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
