import { CALL_DECLINE_REASONS, GRAPH_REJECT_REASONS, type Settings } from '../../../electron/contract.js';
import { reasonLabel } from '../lib/labels.js';
import { useSoftphone } from '../store/context.js';
import { ShortcutsSettings } from './ShortcutsSettings.js';

export function SettingsSection() {
  const settings = useSoftphone((s) => s.settings);
  const save = useSoftphone((s) => s.saveSettings);
  const update = (patch: Partial<Settings>) => void save(patch).catch(() => undefined);

  return (
    <section aria-labelledby="settings-h" className="panel">
      <h2 id="settings-h">Settings</h2>
      <div className="form-grid">
        <label htmlFor="set-ucwa-reason">Decline reason for Skype for Business</label>
        <select
          id="set-ucwa-reason"
          value={settings.ucwaDeclineReason}
          onChange={(e) => update({ ucwaDeclineReason: e.currentTarget.value as Settings['ucwaDeclineReason'] })}
        >
          {CALL_DECLINE_REASONS.map((r) => (
            <option key={r} value={r}>
              {reasonLabel('ucwa', r)}
            </option>
          ))}
        </select>

        <label htmlFor="set-graph-reason">Decline reason for Teams calls</label>
        <select
          id="set-graph-reason"
          value={settings.graphDeclineReason}
          onChange={(e) => update({ graphDeclineReason: e.currentTarget.value as Settings['graphDeclineReason'] })}
        >
          {GRAPH_REJECT_REASONS.map((r) => (
            <option key={r} value={r}>
              {r === 'none' ? 'Decline (no reason)' : reasonLabel('graph', r)}
            </option>
          ))}
        </select>
      </div>
      <div className="checks">
        <label>
          <input
            type="checkbox"
            checked={settings.ringtone}
            onChange={(e) => update({ ringtone: e.currentTarget.checked })}
          />{' '}
          Play a ringtone
        </label>
        <label>
          <input
            type="checkbox"
            checked={settings.startAtLogin}
            onChange={(e) => update({ startAtLogin: e.currentTarget.checked })}
          />{' '}
          Start at login
        </label>
      </div>
      <ShortcutsSettings />
    </section>
  );
}
