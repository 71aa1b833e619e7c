/**
 * The tray's issue-9 items, built apart from tray.ts so both stay small: timed Do Not
 * Disturb (30 minutes, 1 hour, until tomorrow 08:00, until turned off) and, per Skype for
 * Business account, its call forwarding (Off / To voicemail / To a saved contact / To
 * delegates) with a check mark on the state the server last confirmed — never on a state
 * merely asked for. Pure: tests read the templates and click their items.
 */
import type { MenuItemConstructorOptions } from 'electron';
import {
  DND_CHOICE_LABELS,
  DND_CHOICES,
  dndEndFor,
  formatDndRemaining,
  type AppSnapshot,
  type ForwardingView,
} from '../contract.js';

export interface TrayFeatureActions {
  /** Turns DND on until `until` (ms since the epoch), or until turned off (null). */
  setDndUntil?(until: number | null): void;
  setForwarding?(accountId: string, to: string): void;
}

export interface TrayForwardingRow {
  accountId: string;
  label: string;
  connected: boolean;
  /** What the server last confirmed; null: not known (yet). */
  state: ForwardingView | null;
  contacts: { label: string; sipUri: string }[];
}

/** The UCWA accounts' forwarding rows of a snapshot. */
export function forwardingRows(snapshot: AppSnapshot): TrayForwardingRow[] {
  return snapshot.accountConfigs.flatMap((c) => {
    if (c.provider !== 'ucwa') return [];
    return [
      {
        accountId: c.id,
        label: c.displayName || c.sipAddress.replace(/^sip:/i, ''),
        connected: snapshot.accounts.some((a) => a.accountId === c.id && a.state === 'connected'),
        state: snapshot.forwarding?.find((f) => f.accountId === c.id) ?? null,
        contacts: c.forwardContacts ?? [],
      },
    ];
  });
}

/** "Do Not Disturb for…" submenu. */
export function timedDndItem(
  dndUntil: number | null | undefined,
  dnd: boolean,
  actions: TrayFeatureActions,
  now: number,
): MenuItemConstructorOptions[] {
  if (!actions.setDndUntil) return [];
  const setUntil = actions.setDndUntil;
  return [
    {
      id: 'dnd-timed',
      label: dnd && dndUntil ? `Do Not Disturb: ${formatDndRemaining(dndUntil, now)}` : 'Do Not Disturb for…',
      submenu: DND_CHOICES.map((c) => ({
        id: `dnd-${c}`,
        label: DND_CHOICE_LABELS[c],
        click: () => setUntil(dndEndFor(c, Date.now())),
      })),
    },
  ];
}

/** One "Call forwarding" submenu per Skype for Business account. */
export function forwardingItems(
  rows: TrayForwardingRow[],
  actions: TrayFeatureActions,
  text: (s: string) => string,
): MenuItemConstructorOptions[] {
  if (!actions.setForwarding || rows.length === 0) return [];
  const set = actions.setForwarding;
  return rows.map((row): MenuItemConstructorOptions => {
    const s = row.state;
    const enabled = row.connected && s !== null;
    const item = (id: string, label: string, checked: boolean, to: string | null): MenuItemConstructorOptions => ({
      id: `fwd-${row.accountId}-${id}`,
      label,
      type: 'checkbox',
      checked,
      enabled: enabled && to !== null,
      click: () => {
        if (to !== null && !checked) set(row.accountId, to);
      },
    });
    const savedTarget = s?.state === 'contact' ? row.contacts.find((c) => sameUri(c.sipUri, s.target)) : undefined;
    const submenu: MenuItemConstructorOptions[] = [
      item('off', 'Off', s?.state === 'off', 'off'),
      item('voicemail', 'To voicemail', s?.state === 'voicemail', 'voicemail'),
      ...row.contacts.map((c, i) => item(`contact-${i}`, `To ${text(c.label)}`, savedTarget === c, c.sipUri)),
    ];
    // States this menu cannot set are still shown, checked, when the server reports them.
    if (s?.state === 'contact' && !savedTarget)
      submenu.push(item('contact-other', `To ${text(s.target ?? 'a contact')}`, true, null));
    if (s?.state === 'delegates') submenu.push(item('delegates', 'To delegates', true, null));
    if (!enabled)
      submenu.unshift({ label: row.connected ? 'Reading the current setting…' : 'Not signed in', enabled: false });
    return { id: `fwd-${row.accountId}`, label: `Call forwarding — ${text(row.label)}`, submenu };
  });
}

/** The tooltip part for DND: "Do Not Disturb (25 min left)". */
export function dndTooltip(dndUntil: number | null | undefined, now: number): string {
  return dndUntil ? `Do Not Disturb (${formatDndRemaining(dndUntil, now)})` : 'Do Not Disturb';
}

function sameUri(a: string, b: string | undefined): boolean {
  return b !== undefined && a.toLowerCase() === b.toLowerCase();
}
