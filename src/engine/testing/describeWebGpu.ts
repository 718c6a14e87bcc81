// A describe() for the WebGPU lane that runs on a real (or software) WebGPU adapter and otherwise skips, saying why.
import { describe } from 'vitest';
import { setupNodeWebGpu } from './nodeWebgpu';

const lane = await setupNodeWebGpu();

/** The adapter the lane runs on (e.g. 'Dawn opengles'), or null when it is skipped. */
export const webgpuAdapter: string | null = lane.ok ? lane.adapter : null;

/** `describe` when Dawn gave an adapter; otherwise a skipped suite whose name carries the reason, so the report shows it. */
export function describeWebGpu(name: string, fn: () => void): void {
  if (lane.ok) describe(`${name} [${lane.adapter}]`, fn);
  else describe.skip(`${name} [SKIPPED: ${lane.reason}]`, fn);
}
