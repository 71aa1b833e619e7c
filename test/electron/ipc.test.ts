import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import type { WebContents } from 'electron';
import { EVENT_CHANNEL, invokeSchemas, type InvokeHandlers } from '../../electron/contract.js';
import { broadcast, registerIpc } from '../../electron/main/ipc.js';
import { mayCall, TOAST_CHANNELS } from '../../electron/main/ipcAccess.js';
import { FakeWebContents, FakeWebFrame, ipcMain, resetFakes } from './fakeElectron.js';
import { builtPages, recordingLogger } from './helpers.js';

const TOAST_URL = 'file:///opt/softphone/resources/app/out/renderer/toast.html';
const INDEX_URL = 'file:///opt/softphone/resources/app/out/renderer/index.html';

/** Handlers that only record that they ran. */
function recordingHandlers() {
  const calls: Array<[string, unknown]> = [];
  const handlers = Object.fromEntries(
    Object.keys(invokeSchemas).map((channel) => [
      channel,
      (payload: unknown) => {
        calls.push([channel, payload]);
        return channel === 'softphone:decline' ? { status: 'sent' } : undefined;
      },
    ]),
  ) as unknown as InvokeHandlers;
  return { handlers, calls };
}

function setup() {
  resetFakes();
  const own = [new FakeWebContents(), new FakeWebContents()];
  own[0]!.mainFrame.url = INDEX_URL;
  own[1]!.mainFrame.url = TOAST_URL;
  const log = recordingLogger();
  const { handlers, calls } = recordingHandlers();
  const unregister = registerIpc({
    ipcMain: ipcMain as never,
    handlers,
    logger: log,
    roleOf: (wc: WebContents) => ((wc as unknown) === own[0] ? 'main' : (wc as unknown) === own[1] ? 'toast' : null),
    isAppUrl: builtPages().isAppUrl,
  });
  const invoke = (
    channel: string,
    payload: unknown,
    from: { sender?: FakeWebContents; frame?: FakeWebFrame | null } = {},
  ) => {
    // By default each channel comes from a window allowed to call it.
    const sender = from.sender ?? (TOAST_CHANNELS.has(channel as never) ? own[1]! : own[0]!);
    const senderFrame = from.frame === undefined ? sender.mainFrame : from.frame;
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler({ sender, senderFrame }, payload) as Promise<{
      ok: boolean;
      value?: unknown;
      error?: { code: string; message: string };
    }>;
  };
  return { own, log, calls, invoke, unregister };
}

beforeEach(() => resetFakes());

describe('IPC registration', () => {
  it('registers one handler for every channel of the contract, and nothing else', () => {
    const { unregister } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.keys(invokeSchemas).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('a valid call from the toast window reaches its handler with the parsed payload', async () => {
    const { invoke, calls } = setup();
    const res = await invoke('softphone:decline', { id: 'inv-1', reason: 'Local' });
    expect(res).toEqual({ ok: true, value: { status: 'sent' } });
    expect(calls).toEqual([['softphone:decline', { id: 'inv-1', reason: 'Local' }]]);
  });
});

describe('payload validation', () => {
  it('a payload failing the schema is rejected, the handler not called, and the rejection logged', async () => {
    const { invoke, calls, log } = setup();
    const bad: Array<[string, unknown]> = [
      ['softphone:decline', { id: '' }],
      ['softphone:decline', { id: 'x', reason: 'Global', extra: true }],
      ['softphone:decline', 'inv-1'],
      ['softphone:setDnd', { on: 'yes' }],
      ['softphone:toastSize', { width: -1, height: 10 }],
      ['softphone:toastSize', { width: 10.5, height: 10 }],
      ['softphone:simulate', { kind: 'rm -rf' }],
      ['softphone:snapshot', { sneaky: 1 }],
      ['softphone:retryAccount', { accountId: '' }],
      ['softphone:retryAccount', { id: 'work' }],
      ['softphone:saveSettings', { ringtone: true, __proto__: { polluted: true }, unknown: 1 }],
    ];
    for (const [channel, payload] of bad) {
      const res = await invoke(channel, payload);
      expect(res.ok, `${channel} ${JSON.stringify(payload)}`).toBe(false);
      expect(res.error?.code).toBe('InvalidPayload');
    }
    expect(calls).toEqual([]);
    const warnings = log.lines.filter((l) => l.msg === 'rejected an invalid IPC payload');
    expect(warnings).toHaveLength(bad.length);
    expect(warnings[0]!.fields).toMatchObject({ channel: 'softphone:decline' });
  });

  it('the error names the field that is wrong', async () => {
    const { invoke } = setup();
    const res = await invoke('softphone:setDnd', { on: 'yes' });
    expect(res.error?.message).toMatch(/^softphone:setDnd: on: /);
  });

  it('never lets a secret from a rejected payload into the log', async () => {
    const { invoke, log } = setup();
    await invoke('softphone:saveAccount', {
      account: { id: 'a', provider: 'ucwa', sipAddress: 'nope', username: 'u' },
      secret: 'hunter2-very-secret',
    });
    expect(JSON.stringify(log.lines)).not.toContain('hunter2-very-secret');
  });
});

describe('sender checks', () => {
  it('a sender frame from another origin is rejected before validation, and the handler not called', async () => {
    const { invoke, calls, log, own } = setup();
    for (const url of ['https://evil.example/', 'file:///tmp/index.html', 'http://localhost:5173/toast.html']) {
      const res = await invoke('softphone:decline', { id: 'inv-1' }, { sender: own[0], frame: new FakeWebFrame(url) });
      expect(res).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    }
    expect(calls).toEqual([]);
    expect(log.lines.filter((l) => l.msg === 'rejected IPC from an untrusted sender')).toHaveLength(3);
  });

  it('a subframe of our own page is rejected', async () => {
    const { invoke, calls, own } = setup();
    const sub = new FakeWebFrame(TOAST_URL, own[1]!.mainFrame);
    const res = await invoke('softphone:declineAll', {}, { frame: sub });
    expect(res.error?.code).toBe('Forbidden');
    expect(calls).toEqual([]);
  });

  it('a frame that is gone (navigated or destroyed) is rejected', async () => {
    const { invoke, calls } = setup();
    const res = await invoke('softphone:setDnd', { on: true }, { frame: null });
    expect(res.error?.code).toBe('Forbidden');
    expect(calls).toEqual([]);
  });

  it('our page loaded in a window the app did not create is rejected', async () => {
    const { invoke, calls } = setup();
    const stranger = new FakeWebContents();
    stranger.mainFrame.url = TOAST_URL;
    const res = await invoke('softphone:setDnd', { on: true }, { sender: stranger });
    expect(res.error?.code).toBe('Forbidden');
    expect(res.error?.message).toMatch(/window the app did not create/);
    expect(calls).toEqual([]);
  });

  it('both windows of the app are accepted for what both may call', async () => {
    const { invoke, calls, own } = setup();
    await invoke('softphone:snapshot', undefined, { sender: own[0] });
    await invoke('softphone:snapshot', undefined, { sender: own[1] });
    expect(calls).toHaveLength(2);
  });
});

describe('least privilege: each window gets its own channels', () => {
  const channels = Object.keys(invokeSchemas) as Array<keyof typeof invokeSchemas>;
  const valid: Record<string, unknown> = {
    'softphone:snapshot': undefined,
    'softphone:decline': { id: 'inv-1' },
    'softphone:declineAll': {},
    'softphone:forward': { id: 'inv-1', target: { label: 'Reception', phone: '+14255550100' } },
    'softphone:setDnd': { on: true },
    'softphone:reply': { id: 'inv-1', text: 'In a meeting' },
    'softphone:setForwarding': { accountId: 'a', to: 'voicemail' },
    'softphone:refreshForwarding': undefined,
    'softphone:composeReply': { id: 'inv-1' },
    'softphone:saveAccount': {
      account: {
        id: 'a',
        provider: 'ucwa',
        sipAddress: 'u@evil.example',
        username: 'u',
        discoveryUrl: 'https://evil.example/',
      },
    },
    'softphone:removeAccount': { accountId: 'a' },
    'softphone:retryAccount': { accountId: 'a' },
    'softphone:saveSettings': { ringtone: false },
    'softphone:simulate': { kind: 'messaging' },
    'softphone:showMainWindow': undefined,
    'softphone:toastSize': { width: 380, height: 100 },
  };

  it('the toast window may call snapshot, decline, declineAll, forward, reply, composeReply, toastSize and showMainWindow — and is refused the rest', async () => {
    const { invoke, calls, own, log } = setup();
    const allowed: string[] = [];
    for (const channel of channels) {
      const res = await invoke(channel, valid[channel], { sender: own[1] });
      if (res.ok) allowed.push(channel);
      else
        expect(res.error, channel).toMatchObject({
          code: 'Forbidden',
          message: `${channel}: the toast window may not call this`,
        });
    }
    expect(allowed.sort()).toEqual(
      [
        'softphone:snapshot',
        'softphone:decline',
        'softphone:declineAll',
        'softphone:forward',
        'softphone:reply',
        'softphone:composeReply',
        'softphone:toastSize',
        'softphone:showMainWindow',
      ].sort(),
    );
    expect(calls.map(([c]) => c).sort()).toEqual(allowed.sort());
    expect(log.lines.filter((l) => l.msg === 'rejected IPC the window is not allowed')).toHaveLength(
      channels.length - 8,
    );
  });

  it('the toast window cannot point an account at another server', async () => {
    const { invoke, calls, own } = setup();
    const res = await invoke('softphone:saveAccount', valid['softphone:saveAccount'], { sender: own[1] });
    expect(res.error?.code).toBe('Forbidden');
    expect(calls).toEqual([]);
  });

  it('the main window may call everything but the toast’s own channel', async () => {
    const { invoke, calls, own } = setup();
    const refused: string[] = [];
    for (const channel of channels) {
      const res = await invoke(channel, valid[channel], { sender: own[0] });
      if (!res.ok) refused.push(channel);
    }
    expect(refused).toEqual(['softphone:toastSize']);
    expect(calls).toHaveLength(channels.length - 1);
  });

  it('a channel nobody granted is the main window’s only', () => {
    const future = 'softphone:somethingNew' as never;
    expect(mayCall('toast', future)).toBe(false);
    expect(mayCall('main', future)).toBe(true);
    expect([...TOAST_CHANNELS].every((c) => c in invokeSchemas)).toBe(true);
  });
});

describe('pushed events', () => {
  it('go to every live window on the event channel, skipping destroyed ones', () => {
    const a = new FakeWebContents();
    const b = new FakeWebContents();
    b.destroyed = true;
    broadcast([a, b] as unknown as WebContents[], { type: 'dnd', on: true }, recordingLogger());
    expect(a.sent).toEqual([[EVENT_CHANNEL, { type: 'dnd', on: true }]]);
    expect(b.sent).toEqual([]);
  });
});
