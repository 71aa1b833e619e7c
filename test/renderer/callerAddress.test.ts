import { describe, expect, it } from 'vitest';
import { callerAddress } from '../../renderer/src/lib/labels.js';

const graph = (name: string, uri: string) => ({
  provider: 'graph' as const,
  from: { name, uri },
});
const ucwa = (name: string, uri: string) => ({
  provider: 'ucwa' as const,
  from: { name, uri },
});

describe('the address line under a caller’s name', () => {
  it('hides a Graph caller’s directory object id: a GUID means nothing to a person', () => {
    expect(callerAddress(graph('Adele Vance', '112f7296-5fa4-42ca-bae8-6a692b15d4b8'))).toBe('');
    expect(callerAddress(graph('Bot', '{112F7296-5FA4-42CA-BAE8-6A692B15D4B8}'))).toBe('');
  });

  it('shows a phone caller’s number without tel:, and only when it is not already the name', () => {
    expect(callerAddress(graph('Reception', 'tel:+14255550123'))).toBe('+14255550123');
    expect(callerAddress(graph('+14255550123', 'tel:+14255550123'))).toBe('');
  });

  it('keeps other addresses as they are', () => {
    expect(callerAddress(graph('Teams Caller', '8:orgid:1234'))).toBe('8:orgid:1234');
    expect(callerAddress(ucwa('Alice', 'sip:alice@contoso.test'))).toBe('sip:alice@contoso.test');
    expect(callerAddress(ucwa('sip:alice@contoso.test', 'sip:alice@contoso.test'))).toBe('');
    expect(callerAddress(ucwa('Alice', ''))).toBe('');
  });
});
