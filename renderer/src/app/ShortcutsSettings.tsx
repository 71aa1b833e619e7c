/**
 * Settings → Keyboard shortcuts: the global shortcuts (the toast never takes focus, so these
 * are how keyboard users act on a call). Each has an accelerator in Electron's syntax and an
 * On switch; a change is saved when the field is left or Enter is pressed. Whatever the shell
 * reported is shown beside it — above all a shortcut another application already holds.
 */
import { useState, type KeyboardEvent } from 'react';
import {
  acceleratorProblem,
  DEFAULT_SHORTCUTS,
  SHORTCUT_ACTIONS,
  type ShortcutAction,
  type ShortcutStatus,
} from '../../../electron/contract.js';
import { useSoftphone } from '../store/context.js';

const LABELS: Record<ShortcutAction, string> = {
  declineNewest: 'Decline the newest invitation',
  ignoreNewest: 'Ignore the newest invitation',
  declineAll: 'Decline all',
  showMainWindow: 'Show this window',
};

/** How a default reads on this platform (CommandOrControl is ⌘ on macOS, Ctrl elsewhere). */
export function acceleratorText(accelerator: string, mac: boolean): string {
  return accelerator
    .split('+')
    .map((p) => {
      const k = p.toLowerCase();
      if (k === 'commandorcontrol' || k === 'cmdorctrl') return mac ? '⌘' : 'Ctrl';
      if (mac && (k === 'alt' || k === 'option')) return '⌥';
      if (mac && k === 'shift') return '⇧';
      return p;
    })
    .join(mac ? '' : '+');
}

const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform || navigator.userAgent);

export function ShortcutsSettings() {
  const shortcuts = useSoftphone((s) => s.settings.shortcuts);
  const status = useSoftphone((s) => s.shortcuts);
  const save = useSoftphone((s) => s.saveSettings);

  return (
    <fieldset className="shortcuts">
      <legend>Keyboard shortcuts (work from any application)</legend>
      {SHORTCUT_ACTIONS.map((action) => (
        <ShortcutRow
          // A saved change (here or elsewhere) starts the row afresh from the settings.
          key={`${action}=${shortcuts[action] ?? 'off'}`}
          action={action}
          value={shortcuts[action]}
          status={status.find((s) => s.action === action)}
          onSave={(value) => save({ shortcuts: { ...shortcuts, [action]: value } })}
        />
      ))}
    </fieldset>
  );
}

function ShortcutRow({
  action,
  value,
  status,
  onSave,
}: {
  action: ShortcutAction;
  value: string | null;
  status: ShortcutStatus | undefined;
  onSave(value: string | null): Promise<unknown>;
}) {
  const fallback = DEFAULT_SHORTCUTS[action] ?? '';
  const [text, setText] = useState(value ?? fallback);
  const [error, setError] = useState<string | null>(null);

  const id = `shortcut-${action}`;
  const on = value !== null;

  const commit = () => {
    const next = text.trim();
    if (!on || next === value) return;
    const problem = acceleratorProblem(next);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    onSave(next).catch((err: unknown) => setError(String((err as Error)?.message ?? err)));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit();
    }
  };

  const problem = error ?? (status?.state === 'taken' || status?.state === 'failed' ? (status.message ?? null) : null);
  const describedBy = problem ? `${id}-problem` : `${id}-hint`;

  return (
    <div className={`shortcut-row field${problem ? ' has-error' : ''}`}>
      <label htmlFor={id}>{LABELS[action]}</label>
      <div className="shortcut-controls">
        <input
          id={id}
          type="text"
          value={text}
          disabled={!on}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setError(null);
          }}
          onBlur={commit}
          onKeyDown={onKeyDown}
        />
        <label className="shortcut-on">
          <input
            type="checkbox"
            checked={on}
            aria-label={`${LABELS[action]}: shortcut on`}
            onChange={(e) => {
              const enable = e.currentTarget.checked;
              const next = text.trim() || fallback;
              if (enable && acceleratorProblem(next)) {
                setError(acceleratorProblem(next));
                return;
              }
              setError(null);
              onSave(enable ? next : null).catch((err: unknown) => setError(String((err as Error)?.message ?? err)));
            }}
          />{' '}
          On
        </label>
      </div>
      {problem ? (
        <p id={`${id}-problem`} className="field-error" role="alert">
          {problem}
        </p>
      ) : (
        <p id={`${id}-hint`} className="field-hint">
          {!on
            ? 'Off.'
            : status?.state === 'registered'
              ? `Active: ${acceleratorText(value ?? '', isMac)}`
              : `Default ${acceleratorText(fallback, isMac)}`}
        </p>
      )}
    </div>
  );
}
