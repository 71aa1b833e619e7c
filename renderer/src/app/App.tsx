import { Notices } from '../components/Notices.js';
import { useSoftphone } from '../store/context.js';
import { AccountsSection } from './AccountsSection.js';
import { DemoSection } from './DemoSection.js';
import { HistorySection } from './HistorySection.js';
import { RingingSection } from './RingingSection.js';
import { SettingsSection } from './SettingsSection.js';
import { DndTimedControls } from './DndTimedControls.js';

export const DEMO_BANNER =
  'Demo mode: running against the built-in simulator — add an account to connect to your server';

export function App() {
  const status = useSoftphone((s) => s.status);
  const loadError = useSoftphone((s) => s.loadError);
  const demo = useSoftphone((s) => s.demo);
  const dnd = useSoftphone((s) => s.dnd);
  const setDnd = useSoftphone((s) => s.setDnd);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Softphone</h1>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={dnd}
            disabled={status !== 'ready'}
            onChange={(e) => void setDnd(e.currentTarget.checked)}
            aria-describedby="dnd-hint"
          />
          <span>Do Not Disturb</span>
        </label>
        <span id="dnd-hint" className="visually-hidden">
          While on, invitations are declined automatically and nothing rings.
        </span>
        <DndTimedControls />
      </header>
      <main className="app-main">
        {demo && (
          <p className="banner banner-demo" role="note">
            {DEMO_BANNER}
          </p>
        )}
        {dnd && (
          <p className="banner banner-dnd" role="status">
            Do Not Disturb is on: invitations are declined automatically.
          </p>
        )}
        <Notices />
        {status === 'loading' && <p role="status">Loading…</p>}
        {status === 'failed' && (
          <p className="notice notice-error" role="alert">
            Could not load the app state: {loadError}
          </p>
        )}
        {status === 'ready' && (
          <>
            <RingingSection />
            <AccountsSection />
            {demo && <DemoSection />}
            <HistorySection />
            <SettingsSection />
          </>
        )}
      </main>
    </div>
  );
}
