// The insight views re-read the runs only when what they draw changes: evaluations, samples, images, status.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../engine/config';
import { newRun, type Run } from '../store/runModel';
import { evalPoint, metricsPoint, sample } from '../testing/fakeWorker';
import { insightSignature } from './useChartRuns';

const state = (runs: Run[]) => ({ runs: Object.fromEntries(runs.map((r) => [r.id, r])), runOrder: runs.map((r) => r.id) });

describe('insightSignature', () => {
  it('ignores metric points and progress; changes with an evaluation, a sample, test images, a status or a new run', () => {
    const base = { ...newRun('run-1', 1, DEFAULT_CONFIG, 'manual', 0), status: 'student' as const };
    const sig = insightSignature(state([base]));
    expect(insightSignature(state([{ ...base, metrics: [metricsPoint(1), metricsPoint(2)], step: 2, imagesSeen: 128 }]))).toBe(sig);
    expect(insightSignature(state([{ ...base, progress: { student: { done: 2, total: 10, detail: '' } } }]))).toBe(sig);
    const changed: Run[] = [
      { ...base, evals: [evalPoint(4)] },
      { ...base, sample: sample({ step: 4 }) },
      { ...base, sample: sample({ step: 4, index: 9 }) },
      { ...base, strip: [1, 2, 3] },
      { ...base, images: { 5: { index: 5, label: 1, pixels: [], imageSize: 28 } } },
      { ...base, status: 'done' },
    ];
    const sigs = changed.map((r) => insightSignature(state([r])));
    for (const s of sigs) expect(s).not.toBe(sig);
    expect(new Set(sigs).size).toBe(sigs.length);
    expect(insightSignature(state([base, newRun('run-2', 2, DEFAULT_CONFIG, 'sweep', 0)]))).not.toBe(sig);
  });
});
