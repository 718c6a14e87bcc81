// Helpers shared by the WebGPU kernel tests (*.webgpu.test.ts): element-wise closeness and deterministic inputs.
import { expect } from 'vitest';

/** Every element within atol + rtol * |expected|; the first one that is not (or is NaN) fails with its index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol = 1e-7): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`element ${i}: got ${a}, expected ${e}`);
  }
}

/** Deterministic, varied values in roughly [-1.3, 1.3] * scale. */
export function wave(n: number, phase: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => scale * (Math.sin(1.3 * i + phase) + 0.3 * Math.cos(0.7 * i * phase)));
}
