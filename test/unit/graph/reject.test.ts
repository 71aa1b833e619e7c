import { describe, expect, it } from 'vitest';
import { rejectUrl, retryAfterMs } from '../../../electron/core/graph/reject.js';

describe('Graph reject URL', () => {
  it('defaults to v1.0 /communications on graph.microsoft.com', () => {
    expect(rejectUrl({}, 'abc')).toBe('https://graph.microsoft.com/v1.0/communications/calls/abc/reject');
  });

  it('uses beta /communications when asked', () => {
    expect(rejectUrl({ apiVersion: 'beta' }, 'abc')).toBe(
      'https://graph.microsoft.com/beta/communications/calls/abc/reject',
    );
  });

  it('uses the seed’s beta /app path for rejectPath "app", whatever the version', () => {
    expect(rejectUrl({ rejectPath: 'app', apiVersion: 'v1.0' }, '57DAB8B1894C409AB240BD8BEAE78896')).toBe(
      'https://graph.microsoft.com/beta/app/calls/57DAB8B1894C409AB240BD8BEAE78896/reject',
    );
  });

  it('honours graphBaseUrl (with or without a trailing slash) and escapes the id', () => {
    expect(rejectUrl({ graphBaseUrl: 'http://127.0.0.1:8080/graph/' }, 'a/b c')).toBe(
      'http://127.0.0.1:8080/graph/v1.0/communications/calls/a%2Fb%20c/reject',
    );
  });
});

describe('Retry-After', () => {
  it('reads fractional seconds', () => {
    expect(retryAfterMs('2.128', 0)).toBe(2128);
    expect(retryAfterMs('0', 0)).toBe(0);
    expect(retryAfterMs(' 3 ', 0)).toBe(3000);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Sat, 21 Nov 2026 09:00:00 GMT');
    expect(retryAfterMs('Sat, 21 Nov 2026 09:00:04 GMT', now)).toBe(4000);
    expect(retryAfterMs('Sat, 21 Nov 2026 08:59:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable value', () => {
    expect(retryAfterMs(null, 0)).toBeNull();
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs('-1', 0)).toBeNull();
  });
});
