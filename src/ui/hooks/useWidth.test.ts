// The queue behind useWidth's first measurements: each in a macrotask of its own, in the order they were queued, so
// that the charts of a page mount one per task.
import { describe, expect, it } from 'vitest';
import { queueFirst } from './useWidth';

const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

describe('queueFirst', () => {
  it('runs the queued calls in order, one per macrotask, none synchronously', async () => {
    const log: string[] = [];
    for (const name of ['a', 'b', 'c']) queueFirst(() => log.push(name));
    expect(log).toEqual([]);
    // Each macrotask between the checks lets at most one more call run.
    const seen: number[] = [];
    for (let i = 0; i < 6 && log.length < 3; i++) {
      await macrotask();
      seen.push(log.length);
    }
    expect(log).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('starts again after the queue ran dry', async () => {
    const log: number[] = [];
    queueFirst(() => log.push(1));
    for (let i = 0; i < 3; i++) await macrotask();
    queueFirst(() => log.push(2));
    for (let i = 0; i < 3; i++) await macrotask();
    expect(log).toEqual([1, 2]);
  });
});
