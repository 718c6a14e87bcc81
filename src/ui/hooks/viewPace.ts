// How often the throttled views redraw, shared by all of them: every 200 ms while the main thread gets a core when it
// asks for one, and less often (400, then 800 ms) while it does not. On a machine whose cores are all busy (the
// software GPU, the training worker, other programs), every task the page runs may wait tens of milliseconds for a
// core, and a frame of 5 ms of work becomes a 60 ms freeze; the page cannot make the machine less busy, but it can
// ask for fewer frames. The signal is the views' own timers: a tick that fires late waited for a core.

/** The interval on a machine with a core to spare: five redraws a second. */
export const BASE_INTERVAL_MS = 200;
/** The widest interval: the views still move more than once a second. */
export const MAX_INTERVAL_MS = 800;
/** A tick later than this waited for a core (a timer on an idle main thread fires within a few ms). */
export const LATE_MS = 20;
/** On-time ticks in a row before the interval narrows again (one step at a time). */
export const CALM_TICKS = 5;
/** A sample this long after the previous one starts from the base interval: what was measured then is stale. */
export const STALE_MS = 5000;

export interface ViewPace {
  intervalMs: number;
  /** On-time ticks in a row at this interval. */
  onTime: number;
  /** The tick the last sample belonged to (several views fire on one tick, which counts once), and whether it was late. */
  tickAt: number;
  tickLate: boolean;
}

export const INITIAL_PACE: ViewPace = { intervalMs: BASE_INTERVAL_MS, onTime: 0, tickAt: -Infinity, tickLate: false };

/**
 * The pace after a timer meant for `tickAt` fired `latenessMs` late. A late tick doubles the interval (up to
 * MAX_INTERVAL_MS) at once; CALM_TICKS on-time ticks in a row halve it (down to BASE_INTERVAL_MS). A tick counts once
 * however many views fire on it: late if any of them was. After STALE_MS without a sample (nothing to redraw), the
 * count starts again from the base interval.
 */
export function nextPace(pace: ViewPace, tickAt: number, latenessMs: number): ViewPace {
  if (tickAt - pace.tickAt > STALE_MS) pace = INITIAL_PACE;
  const late = latenessMs > LATE_MS;
  if (tickAt === pace.tickAt && (pace.tickLate || !late)) return pace;
  if (late) return { intervalMs: Math.min(MAX_INTERVAL_MS, pace.intervalMs * 2), onTime: 0, tickAt, tickLate: true };
  const onTime = pace.onTime + 1;
  if (onTime >= CALM_TICKS && pace.intervalMs > BASE_INTERVAL_MS) return { intervalMs: pace.intervalMs / 2, onTime: 0, tickAt, tickLate: false };
  return { intervalMs: pace.intervalMs, onTime, tickAt, tickLate: false };
}

let pace = INITIAL_PACE;
const listeners = new Set<(intervalMs: number) => void>();

/** The views' interval now. */
export function viewInterval(): number {
  return pace.intervalMs;
}

/** Records how late a view's timer for `tickAt` fired. */
export function noteTick(tickAt: number, latenessMs: number): void {
  const before = pace.intervalMs;
  pace = nextPace(pace, tickAt, latenessMs);
  if (pace.intervalMs !== before) for (const l of listeners) l(pace.intervalMs);
}

/** Calls `listener` with the new interval whenever it changes; returns the unsubscribe. */
export function onIntervalChange(listener: (intervalMs: number) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Back to the start (tests). */
export function resetViewPace(): void {
  pace = INITIAL_PACE;
}
