// One job per animation frame, and at least `gapMs` between jobs. Chart updates go through this queue so that the
// charts never re-render in the same frame: on a machine whose CPU also runs the GPU (software WebGPU) a few
// milliseconds of work can take ten times as long in wall time, so the page keeps each frame's work small rather than
// doing the five charts' updates at once. (Before SeriesChart drew its lines itself, one recharts update alone was
// 10-35 ms of main-thread time.)

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
 * The app's queue for chart updates: 50 ms apart, so the charts (each at most every 200 ms) take turns.
 * Animation frames where there are any; a timer elsewhere.
 */
export const CHART_GAP_MS = 50;
export const chartFrames: FrameQueue = createFrameQueue(
  (cb) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(cb) : setTimeout(cb, 16)), CHART_GAP_MS);
