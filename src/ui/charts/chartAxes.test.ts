// Axis ranges of the line charts: nice steps, fixed and 'auto' ends, reference lines inside the range, and a range
// that holds while points arrive inside it (what keeps the recharts frame from re-rendering).
import { describe, expect, it } from 'vitest';
import type { LineSeries } from './chartData';
import { niceStep, xRange, yRange, yTicks } from './chartAxes';

const line = (ys: number[], xs = ys.map((_, i) => i + 1)): LineSeries => ({
  key: 'run-1:total', runId: 'run-1', runNumber: 1, name: '#1', part: 'total', color: '#123', dash: undefined,
  width: 2, opacity: 1, muted: false, count: ys.length, data: ys.map((y, i) => ({ x: xs[i]!, y })),
});

describe('niceStep', () => {
  it('is 1, 2, 2.5 or 5 times a power of ten, at least a fifth of the span', () => {
    expect(niceStep(100)).toBe(20);
    expect(niceStep(2.4)).toBe(0.5);
    expect(niceStep(2)).toBe(0.5);
    expect(niceStep(1.5)).toBe(0.5);
    expect(niceStep(0.95)).toBe(0.2);
    expect(niceStep(1.2)).toBe(0.25);
    expect(niceStep(37)).toBe(10);
    expect(niceStep(4000)).toBe(1000);
  });
  it('falls back to 1 for an empty or non-finite span', () => {
    expect(niceStep(0)).toBe(1);
    expect(niceStep(Number.NaN)).toBe(1);
    expect(niceStep(Infinity)).toBe(1);
  });
});

describe('yRange', () => {
  it('keeps fixed ends', () => {
    expect(yRange([line([10, 30])], [0, 100])).toEqual([0, 100]);
  });
  it("rounds an 'auto' end outwards to the nice step", () => {
    expect(yRange([line([2.31, 1.9, 1.2])], [0, 'auto'])).toEqual([0, 2.5]);
    expect(yRange([line([0.06, 0.4, 0.93])], ['auto', 1])).toEqual([0, 1]);
    expect(yRange([line([-0.31, 0.7])], ['auto', 1])).toEqual([-0.5, 1]);
  });
  it('holds while points arrive inside the range and moves when one leaves it', () => {
    const before = yRange([line([2.31, 1.9])], [0, 'auto']);
    expect(yRange([line([2.31, 1.9, 1.4, 2.45])], [0, 'auto'])).toEqual(before);
    expect(yRange([line([2.31, 1.9, 2.6])], [0, 'auto'])).toEqual([0, 3]);
  });
  it('extends an auto end to the reference lines', () => {
    expect(yRange([line([0.5])], ['auto', 1], [{ key: 'p', y: 0.06, label: '' }, { key: 'q', y: -0.2, label: '' }])).toEqual([-0.25, 1]);
  });
  it("covers the `include` values before any point, so the axes are set when the first point arrives", () => {
    const start = Math.log(10);
    expect(yRange([], [0, 'auto'], [], [start])).toEqual([0, 2.5]);
    expect(yRange([line([2.31])], [0, 'auto'], [], [start])).toEqual([0, 2.5]);
    expect(yRange([line([2.31, 3.4])], [0, 'auto'], [], [start])).toEqual([0, 4]);
  });
  it('ignores non-finite points and gives a usable range without any', () => {
    expect(yRange([line([Number.NaN, 3])], [0, 'auto'])).toEqual([0, 3]);
    expect(yRange([], [0, 'auto'])).toEqual([0, 1]);
    expect(yRange([], ['auto', 1])).toEqual([0, 1]);
    expect(yRange([line([0, 0])], [0, 'auto'])).toEqual([0, 0.2]);
  });
  it('has no float noise at its ends', () => {
    const [low, high] = yRange([line([0.1, 0.7])], ['auto', 'auto']);
    expect([low, high]).toEqual([0, 0.8]);
  });
});

describe('xRange', () => {
  it("runs from 0 to the runs' planned end, or further when a line goes further", () => {
    expect(xRange([line([1, 2], [4, 8])], 16)).toEqual([0, 16]);
    expect(xRange([line([1, 2], [4, 24])], 16)).toEqual([0, 24]);
    expect(xRange([], 0)).toEqual([0, 1]);
  });
});

describe('yTicks', () => {
  it('gives the multiples of the nice step inside the range, ends included when they are multiples', () => {
    expect(yTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(yTicks(-0.5, 1)).toEqual([-0.5, 0, 0.5, 1]);
    expect(yTicks(0, 2.5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(yTicks(55, 100)).toEqual([60, 70, 80, 90, 100]);
    expect(yTicks(0, 0.8)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });
});
