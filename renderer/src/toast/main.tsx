// The toast page imports only types from the contract: no zod is loaded here (the bundle
// stays small, and nothing can try eval under the CSP). The main window's page does load it.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../styles/base.css';
import '../styles/toast.css';
import { getBridge } from '../lib/bridge.js';
import { StoreProvider } from '../store/context.js';
import { createSoftphoneStore, perFrame } from '../store/store.js';
import { ToastApp } from './ToastApp.js';

const root = document.getElementById('root');
const bridge = getBridge();
if (!root) throw new Error('toast.html has no #root');
if (!bridge) {
  // The toast window only ever runs inside the app; without the bridge there is nothing to show.
  console.error('window.softphone is missing: the toast page must run inside Softphone');
} else {
  const store = createSoftphoneStore(bridge, { batchEvents: perFrame() });
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={store}>
        <ToastApp bridge={bridge} />
      </StoreProvider>
    </StrictMode>,
  );
  void store.getState().start();
}
