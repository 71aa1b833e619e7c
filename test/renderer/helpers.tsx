/**
 * Test helpers for the renderer: invitations and snapshots as the engine sends them, and a
 * bridge built with the contract's real `createBridge` + `dispatchInvoke` (so every payload the
 * renderer sends is validated by the real channel schemas), whose handlers record the calls.
 */
import { cleanup, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach } from 'vitest';
import {
  DEFAULT_QUICK_REPLIES,
  CALL_DECLINE_REASONS,
  DEFAULT_SHORTCUTS,
  createBridge,
  dispatchInvoke,
  type AppEvent,
  type AppSnapshot,
  type DeclineCommandResult,
  type InvokeHandlers,
  type Invitation,
  type ReplyCommandResult,
  type SoftphoneBridge,
} from '../../electron/contract.js';
import { StoreProvider } from '../../renderer/src/store/context.js';
import { createSoftphoneStore, type StoreOptions } from '../../renderer/src/store/store.js';

afterEach(() => cleanup());

let n = 0;
export function invitation(over: Partial<Invitation> = {}): Invitation {
  n += 1;
  return {
    id: `inv-${n}`,
    accountId: 'alice',
    provider: 'ucwa',
    modality: 'audio',
    from: { name: `Caller ${n}`, uri: `sip:caller${n}@contoso.com` },
    subject: '',
    importance: 'normal',
    message: '',
    receivedAt: 1_700_000_000_000,
    expiresAt: null,
    declineReasons: [...CALL_DECLINE_REASONS],
    defaultDeclineReason: 'Global',
    ...over,
  };
}

export function graphInvitation(over: Partial<Invitation> = {}): Invitation {
  const base = invitation({
    accountId: 'teams',
    provider: 'graph',
    modality: 'call',
    from: { name: 'Teams Caller', uri: '8:orgid:1234' },
    declineReasons: ['none', 'busy', 'forbidden'],
    defaultDeclineReason: 'none',
  });
  return { ...base, expiresAt: base.receivedAt + 15_000, ...over };
}

export function snapshot(over: Partial<AppSnapshot> = {}): AppSnapshot {
  return {
    accounts: [{ accountId: 'alice', provider: 'ucwa', state: 'connected', error: null, lastHeardAt: null }],
    ringing: [],
    history: [],
    dnd: false,
    settings: {
      ucwaDeclineReason: 'Global',
      graphDeclineReason: 'none',
      ringtone: true,
      startAtLogin: false,
      shortcuts: DEFAULT_SHORTCUTS,
      quickReplies: [...DEFAULT_QUICK_REPLIES],
    },
    accountConfigs: [
      {
        id: 'alice',
        provider: 'ucwa',
        displayName: 'Alice at Contoso',
        sipAddress: 'alice@contoso.com',
        username: 'alice',
        hasSecret: true,
      },
    ],
    demo: false,
    notices: [],
    shortcuts: [],
    ...over,
  };
}

export interface Call {
  channel: string;
  payload: unknown;
}

export interface TestBridge {
  bridge: SoftphoneBridge;
  calls: Call[];
  callsOn(channel: string): unknown[];
  emit(event: AppEvent): void;
  /** Replace what a decline answers (default: `{status:'sent'}`). */
  declineResult: (id: string, reason?: string) => DeclineCommandResult | Promise<DeclineCommandResult>;
  /** Replace what a reply answers (default: `{status:'sent'}`). */
  replyResult: (id: string, text: string) => ReplyCommandResult | Promise<ReplyCommandResult>;
  snap: AppSnapshot;
}

export function testBridge(snap: AppSnapshot = snapshot()): TestBridge {
  const listeners = new Set<(e: AppEvent) => void>();
  const t: TestBridge = {
    calls: [],
    snap,
    callsOn: (channel) => t.calls.filter((c) => c.channel === channel).map((c) => c.payload),
    emit: (event) => {
      for (const l of [...listeners]) l(event);
    },
    declineResult: () => ({ status: 'sent' }),
    replyResult: () => ({ status: 'sent' }),
    bridge: null as unknown as SoftphoneBridge,
  };
  const handlers: InvokeHandlers = {
    'softphone:snapshot': () => t.snap,
    'softphone:decline': (p) => t.declineResult(p.id, p.reason),
    'softphone:declineAll': () => [],
    'softphone:forward': () => ({ status: 'sent' }),
    'softphone:setDnd': () => undefined,
    'softphone:saveAccount': (p) => ({ ...p.account, hasSecret: Boolean(p.secret) }),
    'softphone:removeAccount': () => undefined,
    'softphone:retryAccount': () => undefined,
    'softphone:saveSettings': (p) => ({ ...t.snap.settings, ...p }),
    'softphone:simulate': () => undefined,
    'softphone:showMainWindow': () => undefined,
    'softphone:toastSize': () => undefined,
    'softphone:reply': (p) => t.replyResult(p.id, p.text),
    'softphone:setForwarding': () => ({ ok: true }),
    'softphone:refreshForwarding': () => undefined,
    'softphone:composeReply': () => undefined,
  };
  t.bridge = createBridge({
    invoke: async (channel, payload) => {
      t.calls.push({ channel, payload });
      return dispatchInvoke(handlers, channel, payload);
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  return t;
}

/** Renders `ui` with a started store over `tb`'s bridge. */
export async function renderWithStore(ui: ReactElement, tb: TestBridge, opts: StoreOptions = {}) {
  const store = createSoftphoneStore(tb.bridge, opts);
  await store.getState().start();
  const result = render(<StoreProvider store={store}>{ui}</StoreProvider>);
  return { ...result, store };
}
