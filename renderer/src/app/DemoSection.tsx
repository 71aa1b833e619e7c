import type { SimulateKind } from '../../../electron/contract.js';
import { useSoftphone } from '../store/context.js';

const KINDS: { kind: SimulateKind; label: string }[] = [
  { kind: 'messaging', label: 'Simulate IM' },
  { kind: 'phoneAudio', label: 'Simulate call' },
  { kind: 'audioVideo', label: 'Simulate video call' },
  { kind: 'onlineMeeting', label: 'Simulate meeting' },
  { kind: 'graphCall', label: 'Simulate Teams call' },
];

export function DemoSection() {
  const simulate = useSoftphone((s) => s.simulate);
  return (
    <section aria-labelledby="demo-h" className="panel">
      <h2 id="demo-h">Try it</h2>
      <p>Ring an invitation from the built-in simulator:</p>
      <div className="button-row">
        {KINDS.map(({ kind, label }) => (
          <button key={kind} type="button" className="btn" onClick={() => void simulate(kind)}>
            {label}
          </button>
        ))}
      </div>
    </section>
  );
}
