import { describe, expect, it } from 'vitest';
import { declineBody } from '../../../electron/core/ucwa/decline.js';

describe('decline request body', () => {
  it('is JSON {"reason": …} by default', () => {
    expect(declineBody('Global', 'json')).toEqual({ contentType: 'application/json', body: '{"reason":"Global"}' });
  });
  it('is the UCWA input document in XML when the account asks for XML', () => {
    expect(declineBody('Local', 'xml')).toEqual({
      contentType: 'application/xml',
      body: '<?xml version="1.0" encoding="utf-8"?><input xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><property name="reason">Local</property></input>',
    });
  });
});
