import { useCallback, useEffect, useMemo } from 'react';
import type { SoftphoneBridge } from '../../../electron/contract.js';
import { ToastStack } from '../components/ToastStack.js';
import { Ringtone } from '../lib/ringtone.js';
import { useSoftphone } from '../store/context.js';
import { shouldRing } from '../store/reducer.js';

export function ToastApp({ bridge, ringtone }: { bridge: SoftphoneBridge; ringtone?: Ringtone }) {
  const ring = useSoftphone(shouldRing);
  const tone = useMemo(() => ringtone ?? new Ringtone(), [ringtone]);
  const reportSize = useCallback((size: { width: number; height: number }) => bridge.reportToastSize(size), [bridge]);

  useEffect(() => {
    tone.setActive(ring);
  }, [ring, tone]);
  useEffect(() => () => tone.dispose(), [tone]);

  return (
    <main className="toast-root" aria-labelledby="toast-root-h">
      <h1 id="toast-root-h" className="visually-hidden">
        Incoming invitations
      </h1>
      <ToastStack reportSize={reportSize} />
    </main>
  );
}
