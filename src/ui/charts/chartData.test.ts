// Chart data: series per run and head, muted untrained distillation head, decimation, markers, teacher lines.
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../engine/config';
import { newRun, type Run } from '../store/runModel';
import { evalPoint, metricsPoint, teacherInfo } from '../testing/fakeWorker';
import { accuracySeries, chartRuns, decimate, distHeadUntrained, lossSeries, markerLines, sameRecords, sameSeries, teacherLines, throughputSeries, xAxisEnd } from './chartData';

const ALL = { cls: true, dist: true, fused: true };

function run(n: number, mode: 'none' | 'soft' | 'hard', over: Partial<Run> = {}): Run {
  return { ...newRun(`run-${n}`, n, withDefaults({ distillation: mode }), 'manual', 0), status: 'student', ...over };
}

describe('chart data', () => {
  it('builds one accuracy series per run and head in percent, from subset evaluations only', () => {
    const r = run(1, 'hard', { evals: [evalPoint(25), evalPoint(50), evalPoint(50, { split: 'test' })] });
    const s = accuracySeries([r], ALL, 'step', null);
    expect(s.map((x) => x.part)).toEqual(['fused', 'cls', 'dist']);
    expect(s[0]!.data).toEqual([{ x: 25, y: (0.53 + 0.025) * 100 }, { x: 50, y: (0.53 + 0.05) * 100 }]);
    expect(s.every((x) => x.count === 2 && !x.muted)).toBe(true);
    expect(s[0]!.name).toBe('#1 hard α=0.5 · fused');
  });

  it('mutes the distillation head of a none run', () => {
    const s = accuracySeries([run(1, 'none', { evals: [evalPoint(25)] })], ALL, 'images', null);
    const dist = s.find((x) => x.part === 'dist')!;
    expect(dist.muted).toBe(true);
    expect(dist.name).toMatch(/untrained head/);
    expect(dist.data[0]!.x).toBe(25 * 64);
  });

  it('hides heads and loss parts that are switched off, and the zero distillation term of none runs', () => {
    const r = run(1, 'none', { metrics: [metricsPoint(1), metricsPoint(2)] });
    expect(accuracySeries([r], { cls: false, dist: false, fused: true }, 'step', null).map((x) => x.part)).toEqual(['fused']);
    expect(lossSeries([r], { total: true, base: true, distill: true }, 'step', null).map((x) => x.part)).toEqual(['total', 'base']);
  });

  it('labels a run without the distillation token: no dist line points, fused is the class head, loss terms on the class head', () => {
    const noToken = { ...run(1, 'hard'), config: withDefaults({ distillation: 'hard', distToken: false }) };
    const r = { ...noToken, evals: [evalPoint(25, { distAcc: null })], metrics: [metricsPoint(1)] };
    const s = accuracySeries([r], ALL, 'step', null);
    const dist = s.find((x) => x.part === 'dist')!;
    expect(dist.name).toBe('#1 hard α=0.5 · no dist. token · no distillation token');
    expect(dist.data).toEqual([]);
    expect(dist.muted).toBe(false);
    expect(s.find((x) => x.part === 'fused')!.name).toMatch(/fused \(= class token: no distillation token\)$/);
    const loss = lossSeries([r], { total: true, base: true, distill: true }, 'step', null);
    expect(loss.map((x) => x.name.split(' · ').pop())).toEqual(['total', 'base CE (class head)', 'distillation term (class head)']);
    // A none run without the token has no untrained head to mute (it has no such head at all).
    expect(distHeadUntrained({ ...r, config: withDefaults({ distillation: 'none', distToken: false }) })).toBe(false);
  });

  it('decimates long series but keeps the last point and the true count', () => {
    const metrics = Array.from({ length: 1001 }, (_, i) => metricsPoint(i));
    const s = throughputSeries([run(1, 'soft', { metrics })], 'step', null, 100);
    expect(s[0]!.data.length).toBeLessThanOrEqual(102);
    expect(s[0]!.data.at(-1)!.x).toBe(1000);
    expect(s[0]!.count).toBe(1001);
    expect(decimate([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });

  it('places markers at the step or images seen', () => {
    const r = run(2, 'soft', { markers: [{ step: 40, imagesSeen: 2560, patch: { tau: 5 }, label: 'τ 3 → 5' }] });
    expect(markerLines([r], 'step')).toMatchObject([{ x: 40, label: 'τ 3 → 5' }]);
    expect(markerLines([r], 'images')[0]!.x).toBe(2560);
  });

  it('draws one teacher line per distinct accuracy', () => {
    const a = run(1, 'soft', { teacher: teacherInfo({ evalAccuracy: 0.878 }) });
    const b = run(2, 'hard', { teacher: teacherInfo({ evalAccuracy: 0.878 }) });
    const c = run(3, 'hard', { evals: [evalPoint(10, { teacherAcc: 0.9 })] });
    expect(teacherLines([a, b, c]).map((t) => t.label)).toEqual(['teacher 87.8%', 'teacher 90.0%']);
  });

  it('shows started, visible runs only', () => {
    const runs = { 'run-1': run(1, 'none'), 'run-2': run(2, 'soft', { status: 'queued' }), 'run-3': run(3, 'hard') };
    expect(chartRuns(runs, ['run-1', 'run-2', 'run-3'], { 'run-3': true }).map((r) => r.id)).toEqual(['run-1']);
  });

  it('ends the x axis at the planned length of the longest run shown, in steps or images', () => {
    const short = { ...run(1, 'soft'), config: withDefaults({ trainSubset: 96, batchSize: 8, epochs: 1 }) };
    const long = { ...run(2, 'hard'), config: withDefaults({ trainSubset: 640, batchSize: 16, epochs: 2 }) };
    expect(xAxisEnd([short], 'step')).toBe(12);
    expect(xAxisEnd([short, long], 'step')).toBe(80);
    expect(xAxisEnd([short, long], 'images')).toBe(1280);
    expect(xAxisEnd([], 'step')).toBe(0);
  });

  it('gives the same point arrays back while a run\'s source arrays are unchanged, new ones when points arrive', () => {
    const r1 = run(1, 'soft', { evals: [evalPoint(10)], metrics: [metricsPoint(1), metricsPoint(2)] });
    // A metrics point arrives: the store replaces `metrics`, `evals` stays the same array.
    const r2 = { ...r1, metrics: [...r1.metrics, metricsPoint(3)] };
    const acc1 = accuracySeries([r1], ALL, 'step', null);
    const acc2 = accuracySeries([r2], ALL, 'step', null);
    expect(acc2.map((s) => s.data)).toEqual(acc1.map((s) => s.data));
    acc2.forEach((s, i) => expect(s.data).toBe(acc1[i]!.data));
    expect(sameSeries(acc1, acc2)).toBe(true);

    const loss1 = lossSeries([r1], { total: true, base: true, distill: true }, 'step', null);
    const loss2 = lossSeries([r2], { total: true, base: true, distill: true }, 'step', null);
    expect(loss2[0]!.data).not.toBe(loss1[0]!.data);
    expect(loss2[0]!.data.map((p) => p.x)).toEqual([1, 2, 3]);
    expect(sameSeries(loss1, loss2)).toBe(false);
    // The x axis is part of the key: the other mode is its own array.
    expect(accuracySeries([r1], ALL, 'images', null)[0]!.data).not.toBe(acc1[0]!.data);
    // A style change (focus) is a different chart even with the same points.
    expect(sameSeries(acc1, accuracySeries([r1], ALL, 'step', r1.id))).toBe(false);
  });

  it('compares reference and marker lines by value', () => {
    const r = run(2, 'soft', { markers: [{ step: 40, imagesSeen: 2560, patch: { tau: 5 }, label: 'τ 3 → 5' }] });
    expect(sameRecords(markerLines([r], 'step'), markerLines([r], 'step'))).toBe(true);
    expect(sameRecords(markerLines([r], 'step'), markerLines([r], 'images'))).toBe(false);
    expect(sameRecords([], markerLines([r], 'step'))).toBe(false);
  });
});
