import type { Invitation } from '../../electron/core/invitation.js';
import type { DeclineResult, Provider, ProviderSink, WakeReason } from '../../electron/core/provider.js';

/**
 * A provider whose server side the test scripts by hand. It stands in for the network so that
 * the engine's own policies (lifecycle, DND, decline all, history) are what is under test.
 * The protocols themselves are tested against the real simulator in test/integration.
 */
export class ScriptedProvider implements Provider {
  readonly kind: 'ucwa' | 'graph';
  sink!: ProviderSink;
  readonly declines: { id: string; reason: string }[] = [];
  stopped = false;
  /** What the next declines answer (default: accepted). */
  answers: DeclineResult[] = [];
  private pending: ((r: DeclineResult) => void)[] = [];
  /** When true, declines wait until `release()` is called. */
  hold = false;

  constructor(
    readonly accountId = 'acc',
    kind: 'ucwa' | 'graph' = 'ucwa',
  ) {
    this.kind = kind;
  }

  async start(sink: ProviderSink): Promise<void> {
    this.sink = sink;
    sink.state('connected');
  }

  readonly wakes: WakeReason[] = [];

  wake(reason: WakeReason): void {
    this.wakes.push(reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  decline(invitation: Invitation, reason: string): Promise<DeclineResult> {
    this.declines.push({ id: invitation.id, reason });
    const answer = this.answers.shift() ?? { ok: true };
    if (!this.hold) return Promise.resolve(answer);
    return new Promise((resolve) => this.pending.push(() => resolve(answer)));
  }

  release(): void {
    for (const p of this.pending.splice(0)) p({ ok: true });
  }
}

let n = 0;
export function sampleInvitation(over: Partial<Invitation> = {}): Invitation {
  n += 1;
  return {
    id: `acc:inv-${n}`,
    accountId: 'acc',
    provider: 'ucwa',
    modality: 'messaging',
    from: { name: 'Lene Aaling', uri: 'sip:lenea@contoso.com' },
    subject: '',
    importance: 'normal',
    message: 'Hi Tosh',
    receivedAt: Date.UTC(2026, 10, 21, 9, 0, 0),
    expiresAt: null,
    declineReasons: ['Global', 'Local'],
    defaultDeclineReason: 'Global',
    ...over,
  };
}
