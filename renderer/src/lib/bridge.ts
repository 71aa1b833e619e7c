import type { SoftphoneBridge } from '../../../electron/contract.js';

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or by the e2e host (browser tests). */
    softphone?: SoftphoneBridge;
  }
}

/** The bridge to main, or null when the page runs outside the app. */
export function getBridge(): SoftphoneBridge | null {
  return typeof window !== 'undefined' && window.softphone ? window.softphone : null;
}
