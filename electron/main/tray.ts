/**
 * The tray: every action lives in its context menu, because Linux (AppIndicator /
 * StatusNotifierItem) ignores clicks on the icon. The icon tells Do Not Disturb, missed
 * invitations (a badge dot, the tooltip, and the title on macOS) and, where toasts fall back
 * to OS notifications, that something is ringing.
 */
import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { AppSnapshot, HistoryEntry, Invitation, Outcome, SimulateKind } from '../contract.js';
import type { Logger } from '../core/deps.js';
import { ConnectionHealth } from './trayHealth.js';
import {
  dndTooltip,
  forwardingItems,
  forwardingRows,
  timedDndItem,
  type TrayFeatureActions,
  type TrayForwardingRow,
} from './trayFeatures.js';

export interface TrayActions extends TrayFeatureActions {
  setDnd(on: boolean): void;
  /** The menu is about to open: re-read what may have changed elsewhere (call forwarding). */
  menuWillShow?(): void;
  declineAll(): void;
  showMainWindow(): void;
  simulate(kind: SimulateKind): void;
  quit(): void;
}

/** Outcomes listed under "recent" in the menu. */
const RECENT_OUTCOMES: readonly Outcome[] = ['declined', 'missed', 'timedOut', 'cancelled'];
/** Outcomes counted as missed on the badge: it rang, nobody acted here. */
const MISSED_OUTCOMES: readonly Outcome[] = ['missed', 'timedOut', 'cancelled'];
export const RECENT_LIMIT = 5;

export interface TrayState {
  dnd: boolean;
  demo: boolean;
  /** Invitations that can still be declined. */
  ringing: number;
  /** Missed since the user last opened the main window. */
  missed: number;
  recent: HistoryEntry[];
  /** Ringing invitations shown as OS notifications (native Wayland): the icon asks for attention. */
  attention: Invitation[];
  /** An account has been reconnecting or in error for more than 30 s (see trayHealth.ts). */
  offline?: boolean;
  /** Timed DND's end (ms since the epoch). */
  dndUntil?: number | null;
  /** Call forwarding per Skype for Business account. */
  forwarding?: TrayForwardingRow[];
}

export function trayState(snapshot: AppSnapshot, seenAt: number, attention: Invitation[] = []): TrayState {
  return {
    dnd: snapshot.dnd,
    demo: snapshot.demo,
    ringing: snapshot.ringing.filter((r) => r.phase === 'ringing').length,
    missed: snapshot.history.filter((h) => MISSED_OUTCOMES.includes(h.outcome) && h.endedAt > seenAt).length,
    recent: snapshot.history.filter((h) => RECENT_OUTCOMES.includes(h.outcome)).slice(0, RECENT_LIMIT),
    attention,
    dndUntil: snapshot.dnd ? (snapshot.dndUntil ?? null) : null,
    forwarding: forwardingRows(snapshot),
  };
}

export type TrayIconName = 'tray' | 'tray-dnd' | 'tray-badge' | 'tray-dnd-badge' | 'tray-ringing' | 'tray-offline';

export function trayIconName(state: TrayState): TrayIconName {
  if (state.attention.length > 0 && !state.dnd) return 'tray-ringing';
  if (state.offline) return 'tray-offline';
  if (state.dnd) return state.missed > 0 ? 'tray-dnd-badge' : 'tray-dnd';
  return state.missed > 0 ? 'tray-badge' : 'tray';
}

export function trayTooltip(state: TrayState, now = Date.now()): string {
  const parts = ['Softphone' + (state.demo ? ' (demo)' : '')];
  if (state.offline) parts.push('Not connected');
  if (state.attention.length > 0) {
    const first = state.attention[0]!;
    parts.push(
      `Ringing: ${callerOf(first)}${state.attention.length > 1 ? ` and ${state.attention.length - 1} more` : ''}`,
    );
  } else if (state.ringing > 0) {
    parts.push(`${state.ringing} ringing`);
  }
  if (state.dnd) parts.push(dndTooltip(state.dndUntil, now));
  if (state.missed > 0) parts.push(`${state.missed} missed`);
  return parts.join(' — ');
}

function callerOf(inv: Invitation): string {
  return inv.from.name || inv.from.uri || 'Unknown caller';
}

const OUTCOME_LABEL: Partial<Record<Outcome, string>> = {
  declined: 'declined',
  missed: 'missed',
  timedOut: 'missed',
  cancelled: 'missed',
};

/**
 * Untrusted text (a caller's display name) made safe for a menu label: no control
 * characters, bounded length, and `&` not taken as a mnemonic marker on Windows and Linux.
 */
export function menuText(text: string, platform: NodeJS.Platform, max = 40): string {
  let t = text
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length > max) t = t.slice(0, max - 1) + '…';
  return platform === 'darwin' ? t : t.replace(/&/g, '&&');
}

export function defaultFormatTime(epochMs: number, now = Date.now()): string {
  const d = new Date(epochMs);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === d.toDateString()
    ? time
    : `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`;
}

export const SIMULATE_ITEMS: ReadonlyArray<{ label: string; kind: SimulateKind }> = [
  { label: 'Simulate incoming IM', kind: 'messaging' },
  { label: 'Simulate incoming call', kind: 'phoneAudio' },
  { label: 'Simulate incoming meeting', kind: 'onlineMeeting' },
  { label: 'Simulate incoming Teams call', kind: 'graphCall' },
];

export interface TemplateOptions {
  platform: NodeJS.Platform;
  now?: number;
  formatTime?(epochMs: number): string;
}

/** The whole context menu, as a template (pure: tests read it and click its items). */
export function trayMenuTemplate(
  state: TrayState,
  actions: TrayActions,
  opts: TemplateOptions,
): MenuItemConstructorOptions[] {
  const fmt = opts.formatTime ?? ((t: number) => defaultFormatTime(t));
  const items: MenuItemConstructorOptions[] = [];
  items.push({ label: state.demo ? 'Softphone — demo mode' : 'Softphone', enabled: false });
  items.push({ type: 'separator' });
  items.push({
    id: 'dnd',
    label: 'Do Not Disturb',
    type: 'checkbox',
    checked: state.dnd,
    click: () => actions.setDnd(!state.dnd),
  });
  items.push(...timedDndItem(state.dndUntil, state.dnd, actions, opts.now ?? Date.now()));
  items.push({
    id: 'declineAll',
    label: state.ringing > 0 ? `Decline all ringing (${state.ringing})` : 'Decline all ringing',
    enabled: state.ringing > 0,
    click: () => actions.declineAll(),
  });
  const forwarding = forwardingItems(state.forwarding ?? [], actions, (t) => menuText(t, opts.platform));
  if (forwarding.length) items.push({ type: 'separator' }, ...forwarding);
  items.push({ type: 'separator' });
  if (state.recent.length === 0) {
    items.push({ id: 'recent-none', label: 'No missed or declined invitations', enabled: false });
  } else {
    items.push({ label: 'Recent missed and declined', enabled: false });
    state.recent.forEach((h, i) => {
      const who = menuText(callerOf(h.invitation), opts.platform);
      items.push({
        id: `recent-${i}`,
        label: `${who} · ${fmt(h.endedAt)} · ${OUTCOME_LABEL[h.outcome] ?? h.outcome}`,
        click: () => actions.showMainWindow(),
      });
    });
  }
  if (state.demo) {
    items.push({ type: 'separator' });
    for (const s of SIMULATE_ITEMS) {
      items.push({ id: `simulate-${s.kind}`, label: s.label, click: () => actions.simulate(s.kind) });
    }
  }
  items.push({ type: 'separator' });
  items.push({ id: 'show', label: 'Show window', click: () => actions.showMainWindow() });
  items.push({ id: 'quit', label: 'Quit', click: () => actions.quit() });
  return items;
}

export interface TrayControllerOptions {
  /** Directory holding tray*.png (with @2x variants). */
  iconDir: string;
  actions: TrayActions;
  logger: Logger;
  platform?: NodeJS.Platform;
  now?(): number;
  formatTime?(epochMs: number): string;
}

/** Owns the Tray object: rebuilds menu, icon and tooltip from each new snapshot. */
export class TrayController {
  readonly tray: Tray;
  private readonly platform: NodeJS.Platform;
  private readonly images = new Map<TrayIconName, NativeImage>();
  private readonly log: Logger;
  private seenAt: number;
  private attention: Invitation[] = [];
  private last: AppSnapshot | null = null;
  private iconName: TrayIconName | null = null;
  private readonly health = new ConnectionHealth();
  private healthTimer: ReturnType<typeof setTimeout> | null = null;
  /** Refreshes the tooltip's remaining DND time while timed DND is on. */
  private tick: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: TrayControllerOptions) {
    this.platform = opts.platform ?? process.platform;
    this.log = opts.logger.child('tray');
    this.seenAt = (opts.now ?? Date.now)();
    this.tray = new Tray(this.image('tray'));
    this.iconName = 'tray';
    this.tray.setToolTip('Softphone');
    // Windows: a left click shows the window (the menu is on the right button). macOS opens
    // the context menu on a click and would ALSO emit 'click', raising the window under the
    // menu; Linux (StatusNotifierItem) emits no click. There the menu has "Show window".
    if (this.platform === 'win32') this.tray.on('click', () => opts.actions.showMainWindow());
  }

  /** Rebuilds everything from the current snapshot. */
  update(snapshot: AppSnapshot): void {
    this.last = snapshot;
    const state = { ...trayState(snapshot, this.seenAt, this.attention), offline: this.offline(snapshot) };
    const template = trayMenuTemplate(state, this.opts.actions, {
      platform: this.platform,
      ...(this.opts.formatTime ? { formatTime: this.opts.formatTime } : {}),
    });
    const menu = Menu.buildFromTemplate(template);
    const willShow = this.opts.actions.menuWillShow;
    if (willShow && typeof (menu as Partial<Menu>).on === 'function') menu.on('menu-will-show', () => willShow());
    this.tray.setContextMenu(menu);
    this.tray.setToolTip(trayTooltip(state));
    this.scheduleTick(state);
    if (this.platform === 'darwin') this.tray.setTitle(state.missed > 0 ? String(state.missed) : '');
    const name = trayIconName(state);
    if (name !== this.iconName) {
      this.tray.setImage(this.image(name));
      this.iconName = name;
    }
  }

  /** The user opened the main window: missed invitations so far count as seen. */
  markSeen(): void {
    this.seenAt = (this.opts.now ?? Date.now)();
    if (this.last) this.update(this.last);
  }

  /** Ringing invitations that only an OS notification shows (native Wayland). */
  setAttention(ringing: Invitation[]): void {
    this.attention = ringing;
    if (this.last) this.update(this.last);
  }

  private scheduleTick(state: TrayState): void {
    if (this.tick) clearTimeout(this.tick);
    this.tick = null;
    if (!state.dnd || !state.dndUntil) return;
    this.tick = setTimeout(() => {
      this.tick = null;
      if (this.last) this.update(this.last);
    }, 60_000);
    this.tick.unref?.();
  }

  destroy(): void {
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = null;
    if (this.tick) clearTimeout(this.tick);
    this.tick = null;
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  /** Feeds the account states to ConnectionHealth and re-checks when its verdict may change. */
  private offline(snapshot: AppSnapshot): boolean {
    const now = (this.opts.now ?? Date.now)();
    this.health.observe(snapshot.accounts ?? [], now);
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = null;
    const next = this.health.nextChangeIn(now);
    if (next !== null && !this.tray.isDestroyed()) {
      this.healthTimer = setTimeout(() => this.last && this.update(this.last), next);
      this.healthTimer.unref?.();
    }
    return this.health.offline(now);
  }

  private image(name: TrayIconName): NativeImage {
    let img = this.images.get(name);
    if (!img) {
      img = nativeImage.createFromPath(join(this.opts.iconDir, `${name}.png`));
      if (img.isEmpty()) this.log.warn('tray icon missing', { name, dir: this.opts.iconDir });
      this.images.set(name, img);
    }
    return img;
  }
}
