// First: zod must be jitless before any schema is built (CSP without 'unsafe-eval').
import '../lib/zodJitless.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../styles/base.css';
import '../styles/app.css';
import { getBridge } from '../lib/bridge.js';
import { StoreProvider } from '../store/context.js';
import { createSoftphoneStore, perFrame } from '../store/store.js';
import { App } from './App.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const bridge = getBridge();
if (!bridge) {
  const p = document.createElement('p');
  p.className = 'notice notice-error';
  p.textContent = 'This page runs inside Softphone: the connection to the app (window.softphone) is missing.';
  root.replaceChildren(p);
} else {
  const store = createSoftphoneStore(bridge, { batchEvents: perFrame() });
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
  void store.getState().start();
}
