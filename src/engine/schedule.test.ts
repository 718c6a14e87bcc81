// Tests for the warm-up + cosine schedule against its closed-form values.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { learningRateAt, type ScheduleOptions } from './schedule';

const opts: ScheduleOptions = { lr: 3e-3, warmupSteps: 20, totalSteps: 320, minLrRatio: 0.01 };
const minLr = opts.lr * opts.minLrRatio;

describe('learningRateAt', () => {
  it('ramps linearly during warm-up, starting above zero', () => {
    for (let s = 0; s < opts.warmupSteps; s++) {
      expect(learningRateAt(s, opts)).toBeCloseTo((opts.lr * (s + 1)) / opts.warmupSteps, 15);
    }
    expect(learningRateAt(0, opts)).toBeGreaterThan(0);
  });

  it('peaks at lr at the end of warm-up', () => {
    expect(learningRateAt(opts.warmupSteps - 1, opts)).toBeCloseTo(opts.lr, 15);
    expect(learningRateAt(opts.warmupSteps, opts)).toBeCloseTo(opts.lr, 15);
  });

  it('passes (lr + minLr) / 2 at the cosine midpoint and minLr at the end', () => {
    const mid = opts.warmupSteps + (opts.totalSteps - opts.warmupSteps) / 2;
    expect(learningRateAt(mid, opts)).toBeCloseTo((opts.lr + minLr) / 2, 15);
    expect(learningRateAt(opts.totalSteps, opts)).toBeCloseTo(minLr, 15);
  });

  it('matches the cosine formula at a quarter of the decay', () => {
    const s = opts.warmupSteps + (opts.totalSteps - opts.warmupSteps) / 4;
    const expected = minLr + (opts.lr - minLr) * (1 + Math.SQRT1_2) / 2;
    expect(learningRateAt(s, opts)).toBeCloseTo(expected, 15);
  });

  it('clamps to minLr past the end', () => {
    expect(learningRateAt(opts.totalSteps + 1, opts)).toBe(minLr);
    expect(learningRateAt(10 * opts.totalSteps, opts)).toBe(minLr);
  });

  it('decreases strictly after warm-up', () => {
    let prev = learningRateAt(opts.warmupSteps, opts);
    for (let s = opts.warmupSteps + 1; s <= opts.totalSteps; s++) {
      const cur = learningRateAt(s, opts);
      expect(cur).toBeLessThan(prev);
      prev = cur;
    }
  });

  it('starts at the peak with warmupSteps = 0', () => {
    const o = { ...opts, warmupSteps: 0 };
    expect(learningRateAt(0, o)).toBe(o.lr);
    expect(learningRateAt(o.totalSteps / 2, o)).toBeCloseTo((o.lr + minLr) / 2, 15);
    expect(learningRateAt(o.totalSteps, o)).toBeCloseTo(minLr, 15);
  });

  it('is all warm-up when warmupSteps >= totalSteps', () => {
    const o = { ...opts, warmupSteps: 50, totalSteps: 40 };
    expect(learningRateAt(0, o)).toBeCloseTo(o.lr / 50, 15);
    expect(learningRateAt(39, o)).toBeCloseTo((o.lr * 40) / 50, 15);
    expect(learningRateAt(40, o)).toBe(minLr);
    const eq = { ...opts, warmupSteps: 40, totalSteps: 40 };
    expect(learningRateAt(39, eq)).toBeCloseTo(eq.lr, 15);
    expect(learningRateAt(40, eq)).toBe(minLr);
  });

  it('stays finite and within [minLr, lr] for any valid options', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (step, warmupSteps, totalSteps, minLrRatio) => {
          const o = { lr: 1e-3, warmupSteps, totalSteps, minLrRatio };
          const v = learningRateAt(step, o);
          // During warm-up the rate may sit below the floor; otherwise it lies between the floor and the peak.
          const lo = step < warmupSteps && step < totalSteps ? 0 : o.lr * minLrRatio;
          return Number.isFinite(v) && v >= lo - 1e-18 && v <= o.lr + 1e-18;
        },
      ),
    );
  });
});
