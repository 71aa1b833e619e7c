import { describe, expect, it } from 'vitest';
import {
  appendQuery,
  embeddedOf,
  linkOf,
  resolveHref,
  sameSite,
  UnsafeLinkError,
} from '../../../electron/core/ucwa/links.js';

const BASE = 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications';

describe('resolveHref', () => {
  it('resolves a root-relative href against the UCWA host, keeping its query byte for byte', () => {
    expect(resolveHref(BASE, '/ucwa/oauth/v1/applications/105/events?ack=1')).toBe(
      'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/105/events?ack=1',
    );
    expect(resolveHref(BASE, '/a/events?ack=5&instanceId=x%2By&filter=a+b')).toBe(
      'https://lyncweb.contoso.com/a/events?ack=5&instanceId=x%2By&filter=a+b',
    );
  });

  it('returns an absolute href exactly as the server wrote it', () => {
    const href = 'https://fe1.contoso.com:443/ucwa/oauth/v1/applications/105/events?ack=7&x=%7e';
    expect(resolveHref(BASE, href)).toBe(href);
  });

  it('resolves against the base origin even when the base has a path and query', () => {
    expect(resolveHref('https://pool.contoso.com:4443/x/y?z=1', '/ucwa/me')).toBe(
      'https://pool.contoso.com:4443/ucwa/me',
    );
  });

  it('resolves path-relative and scheme-relative hrefs like a browser would', () => {
    expect(resolveHref('https://h.contoso.com/ucwa/apps/1', 'events?ack=2')).toBe(
      'https://h.contoso.com/ucwa/apps/events?ack=2',
    );
    expect(resolveHref('https://h.contoso.com/ucwa', '//other.contoso.com/ucwa')).toBe(
      'https://other.contoso.com/ucwa',
    );
  });

  it('accepts http:// for loopback hosts only', () => {
    expect(resolveHref('http://127.0.0.1:8080/x', '/ucwa/events?ack=1')).toBe(
      'http://127.0.0.1:8080/ucwa/events?ack=1',
    );
    expect(resolveHref(BASE, 'http://localhost:1/y')).toBe('http://localhost:1/y');
    expect(resolveHref(BASE, 'http://[::1]:1/y')).toBe('http://[::1]:1/y');
  });

  it('refuses a link that downgrades to http:// on a non-loopback host', () => {
    expect(() => resolveHref(BASE, 'http://lyncweb.contoso.com/ucwa/events?ack=2')).toThrow(UnsafeLinkError);
    expect(() => resolveHref(BASE, 'http://lyncweb.contoso.com/ucwa/events?ack=2')).toThrow(/https/);
    // A relative href inherits the base's scheme: relative to a plain-http remote base is refused too.
    expect(() => resolveHref('http://evil.example/x', '/y')).toThrow(UnsafeLinkError);
  });

  it('refuses other schemes, credentials, control characters and empty links', () => {
    for (const bad of ['javascript:alert(1)', 'data:text/plain,hi', 'file:///etc/passwd', 'ftp://h/x', '']) {
      expect(() => resolveHref(BASE, bad), bad).toThrow(UnsafeLinkError);
    }
    expect(() => resolveHref(BASE, 'https://user:pw@h.contoso.com/')).toThrow(/credentials/);
    expect(() => resolveHref(BASE, '/x\r\nHost: evil')).toThrow(/control/);
  });
});

describe('appendQuery', () => {
  it('adds our parameter without touching the server ones', () => {
    expect(appendQuery('https://h/ucwa/events?ack=5', { timeout: 180 })).toBe(
      'https://h/ucwa/events?ack=5&timeout=180',
    );
    expect(appendQuery('https://h/e?ack=5&instanceId=a%2Bb&f=x+y', { timeout: 900 })).toBe(
      'https://h/e?ack=5&instanceId=a%2Bb&f=x+y&timeout=900',
    );
    expect(appendQuery('https://h/e', { timeout: 180 })).toBe('https://h/e?timeout=180');
    expect(appendQuery('https://h/e?', { timeout: 180 })).toBe('https://h/e?timeout=180');
    expect(appendQuery('https://h/e?ack=1#frag', { timeout: 180 })).toBe('https://h/e?ack=1&timeout=180#frag');
  });

  it('leaves a parameter the server already set as the server wrote it', () => {
    expect(appendQuery('https://h/e?ack=5&timeout=900', { timeout: 180 })).toBe('https://h/e?ack=5&timeout=900');
  });
});

describe('linkOf / embeddedOf', () => {
  it('reads a link given as an object or as an array, and ignores unusable values', () => {
    const r = {
      _links: {
        self: { href: '/a' },
        many: [{ nohref: 1 }, { href: '/b', title: 'B' }],
        bad: 'x',
        empty: { href: '' },
      },
    };
    expect(linkOf(r, 'self')).toEqual({ href: '/a' });
    expect(linkOf(r, 'many')).toEqual({ href: '/b', title: 'B' });
    expect(linkOf(r, 'bad')).toBeNull();
    expect(linkOf(r, 'empty')).toBeNull();
    expect(linkOf(r, 'missing')).toBeNull();
    expect(linkOf(r, 'toString')).toBeNull();
    expect(linkOf(null, 'self')).toBeNull();
    expect(linkOf({ _links: [] }, 'self')).toBeNull();
  });

  it('reads an embedded resource given as an object or as an array', () => {
    expect(embeddedOf({ _embedded: { from: { name: 'A' } } }, 'from')).toEqual({ name: 'A' });
    expect(embeddedOf({ _embedded: { from: [{ name: 'B' }] } }, 'from')).toEqual({ name: 'B' });
    expect(embeddedOf({ _embedded: { from: 'x' } }, 'from')).toBeNull();
    expect(embeddedOf({ _embedded: { from: [] } }, 'from')).toBeNull();
    expect(embeddedOf({}, 'from')).toBeNull();
  });
});

describe('sameSite', () => {
  it('matches one organisation’s hosts and nothing else', () => {
    expect(sameSite('https://lyncweb.contoso.com/x', 'https://lyncdiscover.contoso.com/y')).toBe(true);
    expect(sameSite('https://a.contoso.com', 'https://contoso.com')).toBe(true);
    expect(sameSite('http://127.0.0.1:1/a', 'http://127.0.0.1:2/b')).toBe(true);
    expect(sameSite('https://lyncweb.contoso.com', 'https://evil.example')).toBe(false);
    expect(sameSite('http://127.0.0.1:1', 'http://127.0.0.2:1')).toBe(false);
    expect(sameSite('http://localhost:1', 'http://127.0.0.1:1')).toBe(false);
    expect(sameSite('not a url', 'https://a.b')).toBe(false);
  });
});
