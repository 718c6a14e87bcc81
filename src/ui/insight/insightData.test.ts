// The insight views' data: token-similarity lines per layer (none runs left out, with the reason), agreement lines
// per head, the latest confusion and per-class accuracy by hand, and attention grids of a sample.
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../engine/config';
import type { Confusion } from '../../workers/protocol';
import { newRun, type Run } from '../store/runModel';
import { evalPoint, sample } from '../testing/fakeWorker';
import { agreementSeries, attentionGrid, cosineLayers, latestConfusion, perClassAccuracy, tokenCosineMissing, tokenCosineNow, tokenCosineSeries } from './insightData';

function run(n: number, mode: 'none' | 'soft' | 'hard', over: Partial<Run> = {}): Run {
  return { ...newRun(`run-${n}`, n, withDefaults({ distillation: mode }), 'manual', 0), status: 'student', ...over };
}

const cos = (layers: number[], params = 0.05) => ({ tokenCosine: { layers, params, count: 256 } });

describe('insight data', () => {
  it('draws one token-similarity line per layer and one for the token parameters, from subset evaluations', () => {
    const r = run(1, 'hard', { evals: [evalPoint(25, cos([0.1, 0.4, 0.9])), evalPoint(50, cos([0.2, 0.5, 0.95], 0.07)), evalPoint(50, { split: 'test' })] });
    expect(cosineLayers(r)).toBe(3);
    const s = tokenCosineSeries([r], 'step', null);
    expect(s.map((x) => x.part)).toEqual(['layer-0', 'layer-1', 'layer-2', 'params']);
    expect(s[2]!.data).toEqual([{ x: 25, y: 0.9 }, { x: 50, y: 0.95 }]);
    expect(s[3]!.data.map((p) => p.y)).toEqual([0.05, 0.07]);
    expect(s[2]!.name).toBe('#1 hard α=0.5 · final norm');
    // Later layers are drawn more opaque; the same evals give the very same arrays (charts compare by identity).
    expect(s[0]!.opacity).toBeLessThan(s[2]!.opacity);
    expect(tokenCosineSeries([r], 'step', null)[1]!.data).toBe(s[1]!.data);
    expect(tokenCosineNow([r])).toEqual([{ run: r, layers: [0.2, 0.5, 0.95], params: 0.07, step: 50 }]);
  });

  it('leaves none runs out of the token similarity and says why', () => {
    const r = run(2, 'none', { evals: [evalPoint(25, cos([0.1, 0.2]))] });
    expect(tokenCosineSeries([r], 'step', null)).toEqual([]);
    expect(tokenCosineNow([r])).toEqual([]);
    expect(tokenCosineMissing(r)).toMatch(/none mode the distillation token gets no training signal/);
    expect(tokenCosineMissing(run(3, 'soft'))).toBeNull();
    const noToken = { ...run(4, 'hard'), config: withDefaults({ distillation: 'hard', distToken: false }) };
    expect(tokenCosineMissing(noToken)).toMatch(/no distillation token/);
    expect(tokenCosineSeries([noToken], 'step', null)).toEqual([]);
    // Agreement without the token: the class head and the fused prediction only.
    const a = agreementSeries([{ ...noToken, evals: [evalPoint(5, { agreement: { cls: 0.5, dist: null, fused: 0.5 } })] }], 'step', null);
    expect(a.map((x) => x.part)).toEqual(['fused', 'cls']);
  });

  it('draws agreement per head in percent, none runs included with the untrained head muted', () => {
    const r = run(1, 'none', { evals: [evalPoint(25), evalPoint(25, { split: 'test' })] });
    const s = agreementSeries([r], 'step', 'run-1');
    expect(s.map((x) => x.part)).toEqual(['fused', 'cls', 'dist']);
    expect(s.map((x) => x.data.map((p) => p.x))).toEqual([[25], [25], [25]]);
    [60, 58, 62].forEach((y, i) => expect(s[i]!.data[0]!.y).toBeCloseTo(y, 10));
    expect(s[2]!.muted).toBe(true);
  });

  it('finds the latest confusion and computes per-class accuracy by hand', () => {
    // 3 classes; rows true: [2 right, 1 as class 1], [0, 0, 0] (empty), [1 as class 0, 0, 3 right].
    const counts = [2, 1, 0, 0, 0, 0, 1, 0, 3];
    const confusion: Confusion = { numClasses: 3, counts: { fused: counts }, examples: { fused: counts.map(() => []) } };
    const r = run(1, 'hard', { evals: [evalPoint(10, { split: 'test', confusion }), evalPoint(12)] });
    expect(latestConfusion(r)!.step).toBe(10);
    expect(latestConfusion(run(2, 'hard'))).toBeNull();
    expect(perClassAccuracy(counts, 3)).toEqual([2 / 3, null, 3 / 4]);
  });

  it('takes a token’s patch attention from a sample: one head, or the mean over heads, and the share on the tokens', () => {
    // One layer, 2 heads, a 1x1 grid: rows over [cls, dist, the patch].
    const real = sample({ gridSize: 1, attention: [[[[0.2, 0.3, 0.5], [0.4, 0.4, 0.2]], [[1, 0, 0], [0, 1, 0]]]] });
    const mean = attentionGrid(real, 0, 0, 'mean')!;
    expect(mean.grid[0]).toBeCloseTo(0.35, 12);
    expect(mean.onTokens).toBeCloseTo(0.65, 12);
    expect(attentionGrid(real, 0, 0, 1)!.grid).toEqual([0.2]);
    expect(attentionGrid(real, 0, 1, 'mean')!.grid).toEqual([0]);
    expect(attentionGrid(real, 3, 0, 'mean')).toBeNull();
  });
});
