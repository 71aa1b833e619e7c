/**
 * Timed Do Not Disturb in the main window: "for 30 minutes", "for 1 hour", "until tomorrow
 * 08:00" or "until turned off", and how long a timed one has left. The engine ends it by
 * itself (from the wall clock), so this only asks and shows.
 */
import {
  DND_CHOICE_LABELS,
  DND_CHOICES,
  dndEndFor,
  formatDndRemaining,
  type DndChoice,
} from '../../../electron/contract.js';
import { useNow } from '../lib/useNow.js';
import { useSoftphone } from '../store/context.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

export function DndTimedControls() {
  const status = useSoftphone((s) => s.status);
  const dnd = useSoftphone((s) => s.dnd);
  const until = useSoftphone((s) => s.dndUntil);
  const setDnd = useSoftphone((s) => s.setDnd);
  const now = useNow(dnd && until !== null);
  return (
    <div className="dnd-timed">
      <label htmlFor="dnd-for">Do Not Disturb for</label>
      <select
        id="dnd-for"
        value=""
        disabled={status !== 'ready'}
        onChange={(e) => {
          const choice = e.currentTarget.value as DndChoice;
          if (DND_CHOICES.includes(choice)) void setDnd(true, dndEndFor(choice, Date.now()));
        }}
      >
        <option value="" disabled>
          Choose…
        </option>
        {DND_CHOICES.map((c) => (
          <option key={c} value={c}>
            {DND_CHOICE_LABELS[c]}
          </option>
        ))}
      </select>
      {dnd && until !== null && (
        <span className="dnd-remaining" role="status">
          Until <time dateTime={new Date(until).toISOString()}>{timeFormat.format(until)}</time> (
          {formatDndRemaining(until, now)})
        </span>
      )}
    </div>
  );
}
