import { describe, expect, it } from 'vitest';
import { createFrameQueue } from './frameQueue';

/** A fake frame clock: frames run only when the test says so. */
function fakeFrames() {
  let pending: (() => void)[] = [];
  return {
    request: (cb: () => void) => void pending.push(cb),
    frame() {
      const now = pending;
      pending = [];
      for (const cb of now) cb();
    },
    get requested() {
      return pending.length;
    },
  };
}

describe('createFrameQueue', () => {
  it('runs one job per frame, in the order they were queued', () => {
    const frames = fakeFrames();
    const q = createFrameQueue(frames.request);
    const ran: string[] = [];
    q.schedule(() => ran.push('a'));
    q.schedule(() => ran.push('b'));
    q.schedule(() => ran.push('c'));
    expect(ran).toEqual([]);
    expect(frames.requested).toBe(1);
    frames.frame();
    expect(ran).toEqual(['a']);
    frames.frame();
    expect(ran).toEqual(['a', 'b']);
    frames.frame();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(q.size).toBe(0);
    expect(frames.requested).toBe(0);
  });

  it('queues a waiting job once, and a cancelled job never runs', () => {
    const frames = fakeFrames();
    const q = createFrameQueue(frames.request);
    let a = 0;
    let b = 0;
    const jobA = () => void a++;
    const jobB = () => void b++;
    q.schedule(jobA);
    q.schedule(jobA);
    q.schedule(jobB);
    q.cancel(jobB);
    expect(q.size).toBe(1);
    frames.frame();
    frames.frame();
    expect([a, b]).toEqual([1, 0]);
    expect(frames.requested).toBe(0);
  });

  it('a job may queue itself again for a later frame', () => {
    const frames = fakeFrames();
    const q = createFrameQueue(frames.request);
    let n = 0;
    const job = () => {
      n++;
      if (n < 3) q.schedule(job);
    };
    q.schedule(job);
    frames.frame();
    frames.frame();
    frames.frame();
    frames.frame();
    expect(n).toBe(3);
  });

  it('keeps jobs at least gapMs apart, waiting frames in between', () => {
    const frames = fakeFrames();
    let t = 0;
    const q = createFrameQueue(frames.request, 50, () => t);
    const ran: number[] = [];
    q.schedule(() => ran.push(t));
    q.schedule(() => ran.push(t));
    for (let i = 0; i < 10; i++) {
      t += 16;
      frames.frame();
    }
    expect(ran).toEqual([16, 80]); // 16 + 50 = 66 falls between frames: the next frame at 80 runs it
    expect(frames.requested).toBe(0);
  });
});
