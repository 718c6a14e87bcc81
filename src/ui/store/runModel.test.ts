// Run-model helpers that the UI derives from a run's points.
import { describe, expect, it } from 'vitest';
import { metricsPoint } from '../testing/fakeWorker';
import { studentTimeLeftMs } from './runModel';

describe('studentTimeLeftMs', () => {
  it('extrapolates the pace between the first and latest points, first step excluded', () => {
    // Step 1 at 5 s (shader compilation), then 100 steps in 20 s: 0.2 s a step, 200 steps left.
    const metrics = [metricsPoint(1, { time: 5_000, totalSteps: 301 }), metricsPoint(101, { time: 25_000, totalSteps: 301 })];
    expect(studentTimeLeftMs({ metrics })).toBeCloseTo(40_000, 6);
  });

  it('counts evaluation pauses between points as part of the pace', () => {
    const metrics = [metricsPoint(1, { time: 0, totalSteps: 21 }), metricsPoint(10, { time: 900 }), metricsPoint(11, { time: 3_000, totalSteps: 21 })];
    expect(studentTimeLeftMs({ metrics })).toBeCloseTo(3_000, 6); // 10 steps in 3 s, 10 left
  });

  it('is null with one point, no progress, or nothing left', () => {
    expect(studentTimeLeftMs({ metrics: [] })).toBeNull();
    expect(studentTimeLeftMs({ metrics: [metricsPoint(1)] })).toBeNull();
    expect(studentTimeLeftMs({ metrics: [metricsPoint(3, { time: 10 }), metricsPoint(3, { time: 20 })] })).toBeNull();
    expect(studentTimeLeftMs({ metrics: [metricsPoint(1, { totalSteps: 5 }), metricsPoint(5, { totalSteps: 5 })] })).toBeNull();
  });
});
