import { describe, expect, it } from 'vitest';
import { decodeDataUriText, htmlToText, parseDataUri } from '../../../electron/core/ucwa/dataUri.js';

describe('data: URIs', () => {
  it('decodes the trace text: URL-encoded with + as a space (ReceiveAnIM.md step 8)', () => {
    expect(decodeDataUriText('data:text/plain;charset=utf-8,Hi+Tosh%0d%0a')).toBe('Hi Tosh\r\n');
  });

  it('keeps an encoded plus sign a plus sign', () => {
    expect(decodeDataUriText('data:text/plain;charset=utf-8,1%2B1+%3D+2')).toBe('1+1 = 2');
  });

  it('decodes base64 (reference samples), including UTF-8 text', () => {
    const text = 'Grüße – 電話 ☎';
    const b64 = Buffer.from(text, 'utf8').toString('base64');
    expect(decodeDataUriText(`data:text/plain;base64,${b64}`)).toBe(text);
    expect(decodeDataUriText(`data:text/plain;charset=utf-8;base64,${b64}`)).toBe(text);
    // '+' is part of the base64 alphabet, never a space there
    expect(decodeDataUriText(`data:text/plain;base64,${Buffer.from('>>>?').toString('base64')}`)).toBe('>>>?');
  });

  it('decodes percent-encoded UTF-8 and honours another charset', () => {
    expect(decodeDataUriText(`data:text/plain;charset=utf-8,${encodeURIComponent('café ☕')}`)).toBe('café ☕');
    expect(decodeDataUriText('data:text/plain;charset=iso-8859-1,caf%E9')).toBe('café');
  });

  it('defaults to text/plain and utf-8, and tolerates a lone percent sign', () => {
    expect(parseDataUri('data:,a%20b')).toMatchObject({
      mediaType: 'text/plain',
      charset: 'utf-8',
      base64: false,
      text: 'a b',
    });
    expect(decodeDataUriText('data:,100%+sure')).toBe('100% sure');
  });

  it('reduces an HTML message to its text', () => {
    expect(
      decodeDataUriText(`data:text/html;charset=utf-8,${encodeURIComponent('<p>Hi <b>there</b> &amp; you</p>')}`),
    ).toBe('Hi there & you');
    expect(htmlToText('a<br/>b<script>alert(1)</script>&#x263A;')).toBe('a\nb☺');
  });

  it('returns null for anything that is not a decodable data: URI', () => {
    expect(decodeDataUriText('https://h/x')).toBeNull();
    expect(decodeDataUriText('data:text/plain')).toBeNull();
    expect(decodeDataUriText('data:text/plain;base64,@@@')).toBeNull();
  });
});
