import { describe, expect, it } from 'vitest';
import { configFileSchema, formatZodError } from '../../electron/core/config.js';
import { labelTarget, withTargetLabel } from '../../electron/core/forwardTargets.js';
import { forwardTargetText } from '../../electron/core/invitation.js';
import { invitationParticipantInfo, redirectUrl } from '../../electron/core/graph/redirect.js';

const graph = (forwardTargets: unknown) => ({
  accounts: [
    {
      id: 'teams',
      provider: 'graph',
      tenantId: 't',
      clientId: 'c',
      clientSecret: 's',
      callback: { port: 0 },
      forwardTargets,
    },
  ],
});

const problems = (config: unknown) => {
  const r = configFileSchema.safeParse(config);
  return r.success ? '' : formatZodError(r.error);
};

describe('forwardTargets in a Graph account', () => {
  it('accepts labelled user ids and E.164 numbers', () => {
    expect(
      problems(
        graph([
          { label: 'Reception', phone: '+14255550100' },
          { label: 'Lee', userId: 'abc-123' },
        ]),
      ),
    ).toBe('');
  });

  it('names the field of every problem', () => {
    expect(problems(graph([{ label: 'Reception', phone: '0425 555 0100' }]))).toMatch(
      /^accounts\[0\]\.forwardTargets\[0\]\.phone: must be an E\.164 phone number/,
    );
    expect(problems(graph([{ label: 'Nobody' }]))).toBe(
      'accounts[0].forwardTargets[0].userId: give either "userId" or "phone"',
    );
    expect(problems(graph([{ label: 'Both', userId: 'u', phone: '+14255550100' }]))).toBe(
      'accounts[0].forwardTargets[0].phone: give either "userId" or "phone", not both',
    );
    expect(problems(graph([{ label: '', userId: 'u' }]))).toBe(
      'accounts[0].forwardTargets[0].label: must not be empty',
    );
    expect(
      problems(
        graph([
          { label: 'A', userId: 'u' },
          { label: 'A', phone: '+14255550100' },
        ]),
      ),
    ).toBe('accounts[0].forwardTargets[1].label: duplicate label "A"');
    expect(problems(graph([{ label: 'A', sip: 'sip:a@b.c' }]))).toMatch(/forwardTargets\[0\]: Unrecognized key/);
  });
});

describe('forward target helpers', () => {
  const saved = [
    { label: 'Reception', phone: '+14255550100' },
    { label: 'Lee', userId: 'abc' },
  ];

  it('labels a bare target from the saved list, and leaves unknown ones bare', () => {
    expect(labelTarget(saved, { phone: '+14255550100' })).toEqual({ label: 'Reception', phone: '+14255550100' });
    expect(labelTarget(saved, { userId: 'abc' })).toEqual({ label: 'Lee', userId: 'abc' });
    expect(labelTarget(saved, { userId: 'zzz' })).toEqual({ userId: 'zzz' });
    expect(forwardTargetText({ userId: 'zzz' })).toBe('zzz');
    expect(
      withTargetLabel(
        [{ id: 'g', provider: 'graph', tenantId: 't', clientId: 'c', callback: { port: 0 }, forwardTargets: saved }],
        'g',
        { userId: 'abc' },
      ),
    ).toEqual({ label: 'Lee', userId: 'abc' });
  });

  it('builds the redirect URL beside reject’s, at each path family', () => {
    expect(redirectUrl({}, 'a/b')).toBe('https://graph.microsoft.com/v1.0/communications/calls/a%2Fb/redirect');
    expect(redirectUrl({ apiVersion: 'beta' }, 'x')).toBe(
      'https://graph.microsoft.com/beta/communications/calls/x/redirect',
    );
    expect(redirectUrl({ rejectPath: 'app', graphBaseUrl: 'http://127.0.0.1:9/graph/' }, 'x')).toBe(
      'http://127.0.0.1:9/graph/beta/app/calls/x/redirect',
    );
  });

  it('puts no label on the wire', () => {
    expect(JSON.stringify(invitationParticipantInfo({ label: 'Lee', userId: 'abc' }))).not.toContain('Lee');
  });
});
