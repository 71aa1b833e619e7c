/**
 * The engine's HTTP in the desktop app: Electron's `net.fetch`, which goes through Chromium's
 * network stack — the system proxy settings (PAC/WPAD included) and the OS certificate store,
 * where on-premises Skype for Business pools' enterprise-CA certificates usually live.
 */
import { net } from 'electron';
import type { Fetch } from '../core/deps.js';

export function createNetFetch(netModule: Pick<typeof net, 'fetch'> = net): Fetch {
  return (input, init) => netModule.fetch(typeof input === 'string' ? input : input.href, init);
}
