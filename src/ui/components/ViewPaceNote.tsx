// Says when the live views redraw less often than usual, and why: the page widens its redraw interval while its main
// thread waits for a core (viewPace), so that a busy machine gets fewer, not longer, pauses of the page. Shown while a
// run trains (when nothing trains, nothing redraws).
import { useSyncExternalStore } from 'react';
import { useAppStore } from '../hooks/useAppStore';
import { BASE_INTERVAL_MS, onIntervalChange, viewInterval } from '../hooks/viewPace';
import { isRunning } from '../store/runModel';
import { selectActiveStatus } from '../store/selectors';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function ViewPaceNote() {
  const interval = useSyncExternalStore(onIntervalChange, viewInterval);
  const status = useAppStore(selectActiveStatus);
  const slowed = interval > BASE_INTERVAL_MS && isRunning(status);
  return (
    <p className="view-pace muted" data-testid="view-pace" data-interval={interval} hidden={!slowed}>
      {slowed ? `This machine's cores are busy: charts and tables redraw every ${seconds(interval)} instead of ${seconds(BASE_INTERVAL_MS)}, so that the page stays responsive. Training goes on at its own pace.` : ''}
    </p>
  );
}
