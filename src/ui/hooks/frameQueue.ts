// One job per animation frame, and at least `gapMs` between jobs. Chart updates go through this queue so that two
// recharts charts never re-render together: each chart update costs tens of milliseconds of main-thread time on a
// slow machine, spread over a few tasks (a time-sliced render, the commit, then recharts re-rendering its internals
// synchronously in a later animation frame), and two of those landing in one frame make a long task.

export type RequestFrame = (callback: () => void) => unknown;

export interface FrameQueue {
  /** Runs `job` in a later frame, after the jobs queued before it. Queuing a job already waiting is a no-op. */
  schedule(job: () => void): void;
  /** Drops `job` if it is still waiting (a component that unmounts). */
  cancel(job: () => void): void;
  /** Jobs waiting. */
  readonly size: number;
}

export function createFrameQueue(requestFrame: RequestFrame, gapMs = 0, now: () => number = () => performance.now()): FrameQueue {
  const waiting = new Set<() => void>();
  let framePending = false;
  let lastRun = -Infinity;
  const onFrame = () => {
    framePending = false;
    const next = waiting.values().next();
    if (next.done) return;
    const t = now();
    if (t - lastRun < gapMs) {
      request();
      return;
    }
    lastRun = t;
    waiting.delete(next.value);
    if (waiting.size > 0) request();
    next.value();
  };
  const request = () => {
    if (framePending) return;
    framePending = true;
    requestFrame(onFrame);
  };
  return {
    schedule(job) {
      waiting.add(job);
      request();
    },
    cancel(job) {
      waiting.delete(job);
    },
    get size() {
      return waiting.size;
    },
  };
}

/**
 * The app's queue for chart updates: 50 ms apart, so the three charts (each at most every 200 ms) fit in one interval.
 * Animation frames where there are any; a timer elsewhere.
 */
export const CHART_GAP_MS = 50;
export const chartFrames: FrameQueue = createFrameQueue(
  (cb) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(cb) : setTimeout(cb, 16)), CHART_GAP_MS);
