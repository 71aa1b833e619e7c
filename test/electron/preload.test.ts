import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fakeElectron.js'));

import { EVENT_CHANNEL, type AppEvent, type SoftphoneBridge } from '../../electron/contract.js';
import { contextBridge, ipcRenderer, resetFakes } from './fakeElectron.js';

let bridge: SoftphoneBridge;

beforeAll(async () => {
  resetFakes();
  await import('../../electron/preload/index.js');
  bridge = contextBridge.exposed.get('softphone') as SoftphoneBridge;
});

describe('the preload', () => {
  it('exposes exactly one thing to the page: window.softphone', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['softphone']);
    expect(Object.keys(bridge).sort()).toEqual(
      [
        'declineAll',
        'decline',
        'forward',
        'onEvent',
        'removeAccount',
        'reportToastSize',
        'saveAccount',
        'saveSettings',
        'setDnd',
        'showMainWindow',
        'simulate',
        'snapshot',
        // issue 9
        'composeReply',
        'refreshForwarding',
        'reply',
        'setForwarding',
        // issue 7
        'retryAccount',
      ].sort(),
    );
  });

  it('exposes no ipcRenderer, channel name or Node object, only functions', () => {
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/ipc|invoke|send|require/i);
  });

  it('turns bridge calls into ipcRenderer.invoke on the contract channels', async () => {
    ipcRenderer.invocations.length = 0;
    await bridge.decline('inv-1', 'Local');
    await bridge.setDnd(true);
    await bridge.reportToastSize({ width: 380, height: 0 });
    expect(ipcRenderer.invocations).toEqual([
      ['softphone:decline', { id: 'inv-1', reason: 'Local' }],
      ['softphone:setDnd', { on: true }],
      ['softphone:toastSize', { width: 380, height: 0 }],
    ]);
  });

  it('delivers pushed events without the IPC event object, and unsubscribes', () => {
    const got: AppEvent[] = [];
    const off = bridge.onEvent((e) => got.push(e));
    const listeners = [...(ipcRenderer.listeners.get(EVENT_CHANNEL) ?? [])];
    expect(listeners).toHaveLength(1);
    listeners[0]!({ sender: 'secret internals' }, { type: 'dnd', on: true });
    expect(got).toEqual([{ type: 'dnd', on: true }]);
    off();
    expect(ipcRenderer.listeners.get(EVENT_CHANNEL)?.size).toBe(0);
  });
});
