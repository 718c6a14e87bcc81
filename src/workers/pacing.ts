// Pacing of the training loop: when to read losses back (log points), how often to post messages, how to yield to
// the event loop so pause/stop/update messages are handled between steps, and a queue that keeps device work in order.
import type { MetricsPoint } from './protocol';

/** About ten log points, and at most about ten messages of each kind, a second. */
export const TARGET_INTERVAL_MS = 100;
/** Upper bound on steps between two read-backs, so a very fast backend still draws a curve with detail. */
export const MAX_STEPS_PER_POINT = 64;

/** Runs async tasks one at a time, in order: steps, evaluations, samples and disposal never interleave. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(f: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(f);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * Resolves on the next turn of the event loop. setTimeout(0) is clamped to 4 ms once nested, which would cost more
 * than a fast step, so the browser gets a MessageChannel round trip; Node (the tests) gets setImmediate, which runs
 * after pending MessagePort deliveries and keeps no handle open.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel().port2.postMessage(null);
  });
}

const waiting: (() => void)[] = [];
let yieldChannel: MessageChannel | null = null;
function channel(): MessageChannel {
  if (!yieldChannel) {
    yieldChannel = new MessageChannel();
    yieldChannel.port1.onmessage = () => waiting.shift()?.();
  }
  return yieldChannel;
}

/**
 * Chooses log points. Reading losses back waits for the device, so it is done every k steps where k adapts so that
 * points are ~100 ms apart: on a fast GPU k grows (the queue stays full), on a slow backend (steps > 100 ms) k = 1.
 * Throughput is measured over wall time between points; `restart()` after a pause or an evaluation keeps idle
 * time out of images/s.
 */
export class LogPacer {
  private every = 1;
  private since = 0;
  private lastAt: number;
  private lastImages: number;

  constructor(private readonly now: () => number, imagesSeen: number) {
    this.lastAt = now();
    this.lastImages = imagesSeen;
  }

  /** Counts a finished step; true when a read-back is due. */
  tick(): boolean {
    this.since++;
    return this.since >= this.every;
  }

  /** Steps since the last point: a forced read (eval, pause, update) is pointless when this is 0. */
  get pending(): number {
    return this.since;
  }

  /** Called after a read-back: returns images/s since the previous point and adapts k. */
  mark(imagesSeen: number): number {
    const now = this.now();
    const dt = Math.max(now - this.lastAt, 1e-3);
    const perSec = ((imagesSeen - this.lastImages) * 1000) / dt;
    if (this.since > 0) {
      const msPerStep = dt / this.since;
      this.every = Math.min(MAX_STEPS_PER_POINT, Math.max(1, Math.round(TARGET_INTERVAL_MS / msPerStep)));
    }
    this.since = 0;
    this.lastAt = now;
    this.lastImages = imagesSeen;
    return perSec;
  }

  /** Restarts the throughput clock (after time that was not spent training). */
  restart(imagesSeen: number): void {
    this.lastAt = this.now();
    this.lastImages = imagesSeen;
  }
}

/**
 * Buffers metrics points and posts them at most every TARGET_INTERVAL_MS (a timer sends a lone buffered point
 * later); flush() sends at once, before an eval, a status change or an error so the UI sees them in order.
 */
export class PointBuffer {
  private points: MetricsPoint[] = [];
  private lastSent = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly send: (points: MetricsPoint[]) => void, private readonly now: () => number) {}

  push(p: MetricsPoint): void {
    this.points.push(p);
    const wait = this.lastSent + TARGET_INTERVAL_MS - this.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.points.length === 0) return;
    const points = this.points;
    this.points = [];
    this.lastSent = this.now();
    this.send(points);
  }
}

/** Latest-wins throttle for progress messages: the first and the final update always go out. */
export class ProgressThrottle {
  private lastSent = -Infinity;

  constructor(private readonly now: () => number) {}

  due(done: number, total: number): boolean {
    const t = this.now();
    if (done >= total || t - this.lastSent >= TARGET_INTERVAL_MS) {
      this.lastSent = t;
      return true;
    }
    return false;
  }
}
