// The charts' text alternative and run tags, from series built by chartData the way the charts build them.
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../engine/config';
import { formatLoss } from '../format';
import { newRun, type Run } from '../store/runModel';
import { evalPoint, metricsPoint } from '../testing/fakeWorker';
import { accuracySeries, lossSeries, teacherLines } from './chartData';
import { chartSummary, runTags, spreadLabels, xText } from './chartSummary';

const ALL = { cls: true, dist: true, fused: true };
const pct = (y: number) => `${y.toFixed(1)}%`;

function run(n: number, mode: 'none' | 'soft' | 'hard', over: Partial<Run> = {}): Run {
  return { ...newRun(`run-${n}`, n, withDefaults({ distillation: mode }), 'manual', 0), status: 'student', ...over };
}

describe('chartSummary', () => {
  it('names each line with its latest value and where it was reached, then the teacher', () => {
    const r = run(1, 'hard', { evals: [evalPoint(25), evalPoint(50)] });
    const series = accuracySeries([r], { cls: false, dist: true, fused: true }, 'step', null);
    // evalPoint(step) (fakeWorker): fused 0.53 + step / 1000, distillation head 0.52 + step / 1000, teacher 0.88.
    expect(chartSummary('Accuracy', series, pct, 'step', teacherLines([r]))).toBe(
      'Accuracy by student step, 2 lines. Latest: #1 hard α=0.5 · fused 58.0% at step 50; ' +
      '#1 hard α=0.5 · distillation token 57.0% at step 50. Reference: teacher 88.0%.',
    );
  });

  it('says images seen on that axis, with thousands separators', () => {
    const r = run(2, 'soft', { metrics: [metricsPoint(1), metricsPoint(40)] });
    const series = lossSeries([r], { total: true, base: false, distill: false }, 'images', null);
    // metricsPoint(40): total loss 2 - 40 / 200 = 1.8, 40 * 64 images seen.
    expect(chartSummary('Loss', series, formatLoss, 'images')).toBe(
      `Loss by images seen, 1 line. Latest: ${series[0]!.name} 1.80 at 2,560 images.`,
    );
    expect(xText(2560, 'images')).toBe('2,560 images');
  });

  it('counts lines still waiting for points, and says so when nothing is drawn', () => {
    const done = run(1, 'soft', { evals: [evalPoint(10)] });
    const fresh = run(2, 'soft');
    const series = accuracySeries([done, fresh], { cls: false, dist: false, fused: true }, 'step', null);
    expect(chartSummary('Accuracy', series, pct, 'step')).toMatch(/^Accuracy by student step, 2 lines\. Latest: #1 .* at step 10\. 1 line without points yet\.$/);
    expect(chartSummary('Accuracy', accuracySeries([fresh], ALL, 'step', null), pct, 'step')).toBe('Accuracy by student step: 3 lines, no points yet.');
    expect(chartSummary('Throughput', [], pct, 'images')).toBe('Throughput by images seen: no lines shown.');
  });
});

describe('runTags', () => {
  it('tags each run at the last point of its first drawn line, with its number and colour', () => {
    const a = run(1, 'none', { evals: [evalPoint(10), evalPoint(20)] });
    const b = run(3, 'hard', { evals: [evalPoint(10)] });
    const series = accuracySeries([a, b], ALL, 'step', null);
    const tags = runTags(series);
    expect(tags.map((t) => t.text)).toEqual(['#1', '#3']);
    expect(tags[0]).toMatchObject({ x: 20, y: series[0]!.data[1]!.y, color: series[0]!.color });
    expect(tags[1]).toMatchObject({ x: 10, y: series[3]!.data[0]!.y, color: series[3]!.color });
  });

  it('skips runs without points and draws nothing for a single run', () => {
    const a = run(1, 'soft', { evals: [evalPoint(10)] });
    expect(runTags(accuracySeries([a], ALL, 'step', null))).toEqual([]);
    expect(runTags(accuracySeries([a, run(2, 'soft')], ALL, 'step', null))).toEqual([]);
  });
});

describe('spreadLabels', () => {
  const ys = (dots: { cx: number; cy: number }[], top = 0, bottom = 200) => spreadLabels(dots, 10, 30, top, bottom).map((p) => p.ly);

  it('leaves labels that do not collide on their dots', () => {
    expect(ys([{ cx: 100, cy: 50 }, { cx: 100, cy: 80 }, { cx: 20, cy: 52 }])).toEqual([50, 80, 52]);
    // Far apart horizontally, the same height: no collision either.
    expect(ys([{ cx: 100, cy: 50 }, { cx: 140, cy: 50 }])).toEqual([50, 50]);
  });

  it('spreads runs that end at the same value around it, in their input order kept by height', () => {
    // Three runs ending on one point: a block of three labels centred on it, 10 px apart.
    expect(ys([{ cx: 100, cy: 50 }, { cx: 100, cy: 50 }, { cx: 105, cy: 50 }])).toEqual([40, 50, 60]);
    // Two close dots: moved apart symmetrically, the upper one stays upper.
    expect(ys([{ cx: 100, cy: 64 }, { cx: 100, cy: 60 }])).toEqual([67, 57]);
  });

  it('merges a block into its neighbour when spreading makes them collide', () => {
    const out = ys([{ cx: 50, cy: 50 }, { cx: 50, cy: 50 }, { cx: 50, cy: 62 }]);
    const sorted = [...out].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(10 - 1e-9);
    // Least displacement: the block is centred on the dots' heights less their stacking offsets.
    expect(out.reduce((a, b) => a + b, 0) / 3).toBeCloseTo((50 + 50 + 62) / 3, 9);
  });

  it('keeps the labels inside the plot, stacking from an edge', () => {
    expect(ys([{ cx: 0, cy: 199 }, { cx: 0, cy: 199 }], 0, 200)).toEqual([190, 200]);
    expect(ys([{ cx: 0, cy: 1 }, { cx: 0, cy: 0 }, { cx: 0, cy: 2 }], 0, 200)).toEqual([10, 0, 20]);
  });

  it('chains columns: dots less than the width apart collide through their neighbours', () => {
    const out = ys([{ cx: 0, cy: 100 }, { cx: 25, cy: 100 }, { cx: 50, cy: 100 }]);
    expect([...out].sort((a, b) => a - b)).toEqual([90, 100, 110]);
  });
});

