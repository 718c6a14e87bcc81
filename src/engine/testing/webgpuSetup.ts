// Vitest setup of the WebGPU lane (*.webgpu.test.ts): tfjs on Dawn's WebGPU in Node, or a visible skip without one.
/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs';
import { afterEach } from 'vitest';
import { setupNodeWebGpu } from './nodeWebgpu';

const result = await setupNodeWebGpu();
if (!result.ok) console.warn(`[webgpu lane] SKIPPED: ${result.reason}`);

// A WebGPU validation error (an invalid pipeline or bind group) makes Dawn drop the whole command buffer: part of the
// work silently never runs. Every test of the lane fails on one, whatever its own assertions saw.
const errors: string[] = [];
if (result.ok) {
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  device.addEventListener('uncapturederror', (e) => errors.push((e as GPUUncapturedErrorEvent).error.message));
}
afterEach(async () => {
  if (result.ok) await tf.ready();
  const seen = errors.splice(0);
  if (seen.length > 0) throw new Error(`WebGPU validation error(s) during the test: ${seen.slice(0, 2).join(' | ')}`);
});
