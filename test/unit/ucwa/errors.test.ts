import { describe, expect, it } from 'vitest';
import {
  describeUcwaError,
  parseErrorBody,
  reasonOf,
  toAccountError,
  toDeclineError,
} from '../../../electron/core/ucwa/errors.js';

describe('UCWA error bodies', () => {
  it('parses the JSON error shape', () => {
    expect(
      parseErrorBody(
        '{"code":"Conflict","subcode":"PGetReplaced","message":"replaced","debugInfo":{}}',
        'application/json; charset=utf-8',
      ),
    ).toEqual({ code: 'Conflict', subcode: 'PGetReplaced', message: 'replaced' });
    expect(parseErrorBody('{"code":"NotFound"}', 'application/json')).toEqual({
      code: 'NotFound',
      subcode: null,
      message: null,
    });
  });

  it('parses the XML error shape', () => {
    const xml =
      '<?xml version="1.0" encoding="utf-8"?><reason xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa">' +
      '<property name="code">ServiceFailure</property><property name="subcode">CallbackChannelError</property>' +
      '<property name="message">a &amp; b</property></reason>';
    expect(parseErrorBody(xml, 'application/xml')).toEqual({
      code: 'ServiceFailure',
      subcode: 'CallbackChannelError',
      message: 'a & b',
    });
  });

  it('does not mistake a proxy page or junk for a UCWA error', () => {
    expect(parseErrorBody('<html><body>502 Bad Gateway</body></html>', 'text/html')).toBeNull();
    expect(parseErrorBody('{"nocode":1}', 'application/json')).toBeNull();
    expect(parseErrorBody('{', 'application/json')).toBeNull();
    expect(parseErrorBody('', null)).toBeNull();
  });

  it('reads an event reason block', () => {
    expect(reasonOf({ code: 'RemoteFailure', subcode: 'Canceled', message: 'gone' })).toEqual({
      code: 'RemoteFailure',
      subcode: 'Canceled',
      message: 'gone',
    });
    expect(reasonOf({ subcode: 'Missed' })).toEqual({ code: 'None', subcode: 'Missed', message: null });
    expect(reasonOf('x')).toBeNull();
    expect(reasonOf({})).toBeNull();
  });
});

describe('messages a person understands', () => {
  it("says the server could not reach this device's event channel for 500 CallbackChannelError", () => {
    const e = toDeclineError(500, { code: 'ServiceFailure', subcode: 'CallbackChannelError', message: 'x' });
    expect(e).toEqual({
      status: 500,
      code: 'ServiceFailure',
      subcode: 'CallbackChannelError',
      message: expect.stringContaining("The server could not reach this device's event channel"),
    });
  });

  it('explains the event channel failures by subcode', () => {
    expect(toAccountError(409, { code: 'Conflict', subcode: 'PGetReplaced', message: null }, 'events').message).toMatch(
      /Another copy of this app/,
    );
    expect(
      toAccountError(410, { code: 'Gone', subcode: 'InactiveApplicationExpired', message: null }, 'events'),
    ).toMatchObject({
      status: 410,
      code: 'Gone',
      subcode: 'InactiveApplicationExpired',
      message: expect.stringMatching(/inactive/),
    });
  });

  it('falls back to the status, names the server code, and blames a proxy for non-UCWA bodies', () => {
    expect(describeUcwaError(409, { code: 'Conflict', subcode: 'Whatever', message: 'busy' }, 'decline')).toBe(
      'Decline failed: the server reported a conflict with the current state (Conflict/Whatever: busy)',
    );
    expect(describeUcwaError(502, null, 'events')).toMatch(/proxy or gateway .* HTTP 502/);
    expect(describeUcwaError(null, null, 'request')).toMatch(/No answer came from the server/);
    expect(toDeclineError(404, null)).toMatchObject({
      code: 'NotFound',
      subcode: null,
      message: expect.stringMatching(/no longer exists/),
    });
    expect(toDeclineError(418, null).code).toBe('Http418');
  });
});
