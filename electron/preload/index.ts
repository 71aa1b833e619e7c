/**
 * The preload of every window (sandboxed, built as CommonJS). It exposes exactly one thing,
 * `window.softphone`, built by the contract's `createBridge` over ipcRenderer. No ipcRenderer,
 * no Node API and no raw channel name ever reaches page scripts.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createBridge, EVENT_CHANNEL, type AppEvent } from '../contract.js';

const bridge = createBridge({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe: (listener) => {
    // The IpcRendererEvent stays here: handing it to the page would leak `sender`.
    const onEvent = (_event: IpcRendererEvent, appEvent: AppEvent) => listener(appEvent);
    ipcRenderer.on(EVENT_CHANNEL, onEvent);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, onEvent);
    };
  },
});

contextBridge.exposeInMainWorld('softphone', bridge);
