// The memo rules of SeriesChart: the chart re-renders only when something it draws changed, and its recharts frame
// only when the x range or the markers change: not on each new point, nor when the y range or a reference line moves
// (the live layer draws those).
import { describe, expect, it } from 'vitest';
import type { LineSeries } from './chartData';
import { sameChartProps, sameFrame, yAxisOf, type SeriesChartProps } from './SeriesChart';

const data = [{ x: 1, y: 2 }];
const line = (over: Partial<LineSeries> = {}): LineSeries => ({
  key: 'run-1:total', runId: 'run-1', runNumber: 1, name: '#1 soft · total', part: 'total', color: '#123', dash: undefined,
  width: 2, opacity: 1, muted: false, count: 1, data, ...over,
});
const tick = (v: number) => String(v);
const props = (over: Partial<SeriesChartProps> = {}): SeriesChartProps => ({
  series: [line()], xMode: 'step', yDomain: [0, 'auto'], yTickFormat: tick, yLabel: 'loss', xEnd: 10,
  refs: [{ key: 't', y: 90, label: 'teacher 90.0%' }], ...over,
});

describe('sameChartProps', () => {
  it('is true for fresh objects that draw the same thing', () => {
    expect(sameChartProps(props(), props({ series: [line()], yDomain: [0, 'auto'], refs: [{ key: 't', y: 90, label: 'teacher 90.0%' }] }))).toBe(true);
  });

  it('is false when points, styles, lines, axes or formatters change', () => {
    const base = props();
    expect(sameChartProps(base, props({ series: [line({ data: [...data] })] }))).toBe(false); // new points array
    expect(sameChartProps(base, props({ series: [line({ width: 2.5 })] }))).toBe(false);
    expect(sameChartProps(base, props({ series: [] }))).toBe(false);
    expect(sameChartProps(base, props({ refs: [{ key: 't', y: 91, label: 'teacher 91.0%' }] }))).toBe(false);
    expect(sameChartProps(base, props({ markers: [{ key: 'm', x: 3, color: '#000', label: 'τ 3 → 5' }] }))).toBe(false);
    expect(sameChartProps(base, props({ yDomain: [20, 'auto'] }))).toBe(false);
    expect(sameChartProps(base, props({ xMode: 'images' }))).toBe(false);
    expect(sameChartProps(base, props({ xEnd: 20 }))).toBe(false);
    expect(sameChartProps(base, props({ yTickFormat: (v) => String(v) }))).toBe(false);
  });
});

describe('sameFrame', () => {
  it('holds while new points stay inside the rounded axis ranges', () => {
    const before = props({ series: [line({ data: [{ x: 1, y: 2.31 }] })], refs: [] });
    const after = props({ series: [line({ data: [{ x: 1, y: 2.31 }, { x: 2, y: 1.9 }, { x: 10, y: 2.45 }] })], refs: [] });
    expect(sameChartProps(before, after)).toBe(false); // the lines re-render
    expect(sameFrame(before, after)).toBe(true); // the axes do not
  });

  it('holds when a point leaves the y range or a reference line changes: the live layer redraws those', () => {
    const before = props({ series: [line({ data: [{ x: 1, y: 2.31 }] })], refs: [] });
    const higher = props({ series: [line({ data: [{ x: 1, y: 2.31 }, { x: 2, y: 2.6 }] })], refs: [] });
    expect(sameFrame(before, higher)).toBe(true);
    expect(yAxisOf(before)).toMatchObject({ y0: 0, y1: 2.5 });
    expect(yAxisOf(higher)).toMatchObject({ y0: 0, y1: 3 });
    expect(sameChartProps(before, higher)).toBe(false);
    const teacher = { ...before, refs: [{ key: 't', y: 91, label: 'teacher 91.0%' }] };
    expect(sameFrame(before, teacher)).toBe(true);
    expect(yAxisOf(teacher).y1).toBe(100);
  });

  it('breaks when a point goes past the planned x end, a marker is added, or the y label changes', () => {
    const before = props({ series: [line({ data: [{ x: 1, y: 2.31 }] })], refs: [] });
    expect(sameFrame(before, props({ series: [line({ data: [{ x: 1, y: 2.31 }, { x: 12, y: 2 }] })], refs: [] }))).toBe(false);
    expect(sameFrame(before, { ...before, markers: [{ key: 'm', x: 3, color: '#000', label: 'τ 3 → 5' }] })).toBe(false);
    expect(sameFrame(before, { ...before, yLabel: 'other' })).toBe(false);
  });
});
