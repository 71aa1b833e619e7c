/**
 * The e2e stand-in for the preload: bundled (by globalSetup) into an init script that runs in
 * the page before any of its scripts. It builds `window.softphone` with the contract's real
 * `createBridge`, over a transport whose invoke is a Playwright binding into the test process
 * (where the real SoftphoneApp validates and dispatches it) and whose events are pushed by the
 * test process calling `window.__softphoneEmit(event)`.
 */
import { createBridge, type AppEvent, type InvokeChannel } from '../../electron/contract.js';

interface E2eWindow {
  __softphoneInvoke(channel: InvokeChannel, payload: unknown): Promise<unknown>;
  __softphoneEmit(event: AppEvent): void;
  softphone?: unknown;
}

const w = window as unknown as E2eWindow;
const listeners = new Set<(event: AppEvent) => void>();

w.__softphoneEmit = (event) => {
  for (const l of [...listeners]) {
    try {
      l(event);
    } catch (err) {
      console.error('softphone event listener threw', err);
    }
  }
};

w.softphone = Object.freeze(
  createBridge({
    invoke: (channel, payload) => w.__softphoneInvoke(channel, payload),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  }),
);
