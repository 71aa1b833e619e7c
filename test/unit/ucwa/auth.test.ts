import { describe, expect, it } from 'vitest';
import { findMsRtcOAuth, parseWwwAuthenticate } from '../../../electron/core/ucwa/auth.js';

// The two WWW-Authenticate headers of the trace [CreateAnApplication.md], as separate values
// and as fetch's Headers.get() returns them: joined with ", ".
const BEARER =
  'Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com", client_id="00000004-0000-0ff1-ce00-000000000000"';
const MSRTC =
  'MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"';
const REQ = 'https://lyncweb.contoso.com/Autodiscover/AutodiscoverService.svc/root/oauth/user';

const expected = {
  href: 'https://lyncweb.contoso.com/WebTicket/oauthtoken',
  grantTypes: ['urn:microsoft.rtc:windows', 'urn:microsoft.rtc:anonmeeting', 'password'],
};

describe('MsRtcOAuth challenge', () => {
  it('is found among two separate WWW-Authenticate values', () => {
    expect(findMsRtcOAuth([BEARER, MSRTC], REQ)).toEqual(expected);
  });

  it('is found when fetch joined both headers with ", " (grant_type keeps its commas)', () => {
    expect(findMsRtcOAuth(`${BEARER}, ${MSRTC}`, REQ)).toEqual(expected);
    expect(findMsRtcOAuth(`${MSRTC}, ${BEARER}`, REQ)).toEqual(expected);
  });

  it('is read from real fetch Headers carrying both headers', () => {
    const h = new Headers();
    h.append('WWW-Authenticate', BEARER);
    h.append('WWW-Authenticate', MSRTC);
    expect(findMsRtcOAuth(h.get('www-authenticate'), REQ)).toEqual(expected);
  });

  it('tolerates spacing, case, unquoted values, a relative href and other schemes around it', () => {
    expect(
      findMsRtcOAuth(
        'Negotiate abc==, NTLM, msrtcoauth  HREF = /WebTicket/oauthtoken ,  Grant_Type=password, Basic realm="x"',
        REQ,
      ),
    ).toEqual({ href: 'https://lyncweb.contoso.com/WebTicket/oauthtoken', grantTypes: ['password'] });
  });

  it('keeps escaped quotes inside a quoted value', () => {
    expect(parseWwwAuthenticate('Basic realm="a \\"b\\", c"')).toEqual([
      { scheme: 'Basic', params: { realm: 'a "b", c' } },
    ]);
  });

  it('is absent when there is no MsRtcOAuth challenge or its href is unusable', () => {
    expect(findMsRtcOAuth(BEARER, REQ)).toBeNull();
    expect(findMsRtcOAuth(null, REQ)).toBeNull();
    expect(findMsRtcOAuth('MsRtcOAuth grant_type="password"', REQ)).toBeNull();
    expect(findMsRtcOAuth('MsRtcOAuth href="http://evil.example/token",grant_type="password"', REQ)).toBeNull();
  });

  it('never throws on junk', () => {
    for (const junk of ['', ',,,', '"', '= = =', 'a="', '\u0000\uffff', 'x'.repeat(10_000), '=,"a', 'A b c d, e=f=g']) {
      expect(() => parseWwwAuthenticate(junk)).not.toThrow();
    }
  });
});

describe('WWW-Authenticate parsing (property)', () => {
  it('terminates and never throws on arbitrary header text', async () => {
    const fc = (await import('fast-check')).default;
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('"', ',', '=', ' ', '\\', 'MsRtcOAuth', 'href=', 'grant_type="', 'Bearer'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
        const v = parts.join('');
        parseWwwAuthenticate(v);
        findMsRtcOAuth(v, REQ);
      }),
      { numRuns: 1000 },
    );
  });
});
