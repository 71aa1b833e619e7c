/**
 * The fallback for where the toast window cannot stay on top (native Wayland): one OS
 * notification per ringing invitation, closed when it stops ringing, with a Decline action
 * where the platform has notification actions (macOS, Windows; Electron has none on Linux,
 * where clicking the notification opens the main window instead). The tray shows that
 * something rings ("tray attention") while any of them is up.
 */
import type { Notification as ElectronNotification, NotificationConstructorOptions } from 'electron';
import type { AppEvent, Invitation } from '../../contract.js';
import type { Logger } from '../../core/deps.js';

export interface RingNotificationsOptions {
  Notification: {
    new (options: NotificationConstructorOptions): ElectronNotification;
    isSupported(): boolean;
  };
  platform: NodeJS.Platform;
  logger: Logger;
  decline(id: string): Promise<unknown>;
  showMainWindow(): void;
  /** Told whenever the set of ringing invitations changes (tray attention). */
  onRinging(ringing: Invitation[]): void;
}

export function notificationActionsSupported(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

const KIND: Record<Invitation['modality'], string> = {
  messaging: 'Message',
  audio: 'Call',
  video: 'Video call',
  meeting: 'Meeting invitation',
  call: 'Teams call',
};

export function notificationContent(inv: Invitation): { title: string; body: string } {
  const who = inv.from.name || inv.from.uri || 'Unknown caller';
  const importance = inv.importance === 'normal' ? '' : ` (${inv.importance === 'urgent' ? 'Urgent' : 'Emergency'})`;
  const body = [inv.subject, inv.message, inv.from.name ? inv.from.uri : ''].filter((s) => s).join('\n');
  return { title: `${KIND[inv.modality]} from ${who}${importance}`, body };
}

export class RingNotifications {
  private readonly shown = new Map<string, { invitation: Invitation; notification: ElectronNotification | null }>();
  private readonly log: Logger;
  private readonly supported: boolean;

  constructor(private readonly opts: RingNotificationsOptions) {
    this.log = opts.logger.child('notifications');
    this.supported = opts.Notification.isSupported();
    if (!this.supported) this.log.warn('OS notifications are not supported here; only the tray shows ringing');
  }

  /** Feed every AppEvent; also call with the start snapshot's ringing invitations. */
  handle(event: AppEvent): void {
    if (event.type === 'invitation') this.ring(event.invitation);
    else if (event.type === 'ended') this.stop(event.id);
  }

  ring(invitation: Invitation): void {
    if (this.shown.has(invitation.id)) return;
    let notification: ElectronNotification | null = null;
    if (this.supported) {
      const { title, body } = notificationContent(invitation);
      const withActions = notificationActionsSupported(this.opts.platform);
      notification = new this.opts.Notification({
        title,
        body,
        urgency: invitation.importance === 'normal' ? 'normal' : 'critical',
        timeoutType: 'never',
        ...(withActions ? { actions: [{ type: 'button' as const, text: 'Decline' }] } : {}),
      });
      notification.on('action', () => {
        void this.opts
          .decline(invitation.id)
          .catch((err: unknown) => this.log.warn('decline from a notification failed', { id: invitation.id, err }));
      });
      notification.on('click', () => this.opts.showMainWindow());
      notification.show();
    }
    this.shown.set(invitation.id, { invitation, notification });
    this.changed();
  }

  stop(id: string): void {
    const entry = this.shown.get(id);
    if (!entry) return;
    this.shown.delete(id);
    entry.notification?.close();
    this.changed();
  }

  closeAll(): void {
    for (const id of [...this.shown.keys()]) this.stop(id);
  }

  private changed(): void {
    this.opts.onRinging([...this.shown.values()].map((e) => e.invitation));
  }
}
