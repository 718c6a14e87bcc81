// Vitest setup of the WebGPU lane (*.webgpu.test.ts): tfjs on Dawn's WebGPU in Node, or a visible skip without one.
import '@tensorflow/tfjs';
import { setupNodeWebGpu } from './nodeWebgpu';

const result = await setupNodeWebGpu();
if (!result.ok) console.warn(`[webgpu lane] SKIPPED: ${result.reason}`);
