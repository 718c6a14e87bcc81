// The bench worker's own messages (npm run bench): a `benchmark` request and its reply, on top of the app's protocol.
// Only the bench worker (bench.worker.ts, BenchHost) and the bench harness page speak them; the app's worker treats
// them as the malformed messages they are to it.
import type { BenchResult } from '../engine/benchmark';
import { ENUM_VALUES, type BackendChoice, type StudentPreset } from '../engine/config';

/** Variants a benchmark can measure (npm run bench options); none of them is part of a training config. */
export interface BenchmarkOptions {
  /**
   * tfjs environment flags set for the benchmark and restored after it, e.g. { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 30 }.
   * Only the flags in BENCHMARK_FLAGS are accepted.
   */
  flags?: Record<string, number | boolean>;
  /** Compile the step's WebGPU shaders in parallel before the first step (BenchResult.shaderWarmupMs). */
  shaderWarmup?: boolean;
}

/** The tfjs flags a benchmark may set, with the type of their value. */
export const BENCHMARK_FLAGS = {
  WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 'number',
  WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD: 'number',
  WEBGL_FLUSH_THRESHOLD: 'number',
  /** The engine's own WebGPU kernels (engine/webgpu), on by default: false measures the plain tfjs path. */
  DEIT_WEBGPU_KERNELS: 'boolean',
} as const satisfies Record<string, 'number' | 'boolean'>;

/**
 * Measures training throughput of each preset on the backend `backend`; answered by a `backend` report (also when the
 * backend cannot be selected: then backend 'none' and the reasons) and one BenchmarkReply. Refused while a run is live.
 */
export interface BenchmarkRequest {
  type: 'benchmark';
  backend: BackendChoice;
  presets: StudentPreset[];
  batchSize: number;
  steps: number;
  warmupSteps: number;
  options?: BenchmarkOptions;
}

export interface BenchmarkReply {
  type: 'benchmark';
  results: BenchResult[];
}

export function isBenchmarkRequest(x: unknown): x is BenchmarkRequest {
  return typeof x === 'object' && x !== null && (x as { type?: unknown }).type === 'benchmark';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** What is wrong with a benchmark request (the worker never trusts `event.data`), or null. */
export function malformedBenchmark(msg: BenchmarkRequest): string | null {
  if (!(ENUM_VALUES.backend as readonly string[]).includes(msg.backend)) return `benchmark.backend must be one of ${ENUM_VALUES.backend.join(', ')}`;
  if (!Array.isArray(msg.presets) || msg.presets.length === 0 || !msg.presets.every((p) => (ENUM_VALUES.student as readonly string[]).includes(p))) {
    return `benchmark.presets must be a non-empty list of ${ENUM_VALUES.student.join(', ')}`;
  }
  if (!isInt(msg.batchSize, 1, 1024)) return 'benchmark.batchSize must be an integer in [1, 1024]';
  if (!isInt(msg.steps, 1, 1000)) return 'benchmark.steps must be an integer in [1, 1000]';
  if (!isInt(msg.warmupSteps, 0, 1000)) return 'benchmark.warmupSteps must be an integer in [0, 1000]';
  return msg.options === undefined ? null : malformedOptions(msg.options);
}

function malformedOptions(options: unknown): string | null {
  if (!isObject(options)) return 'benchmark.options must be an object';
  if (options.shaderWarmup !== undefined && typeof options.shaderWarmup !== 'boolean') return 'benchmark.options.shaderWarmup must be a boolean';
  if (options.flags === undefined) return null;
  if (!isObject(options.flags)) return 'benchmark.options.flags must be an object';
  for (const [name, value] of Object.entries(options.flags)) {
    const type = Object.hasOwn(BENCHMARK_FLAGS, name) ? (BENCHMARK_FLAGS as Record<string, string>)[name] : undefined;
    if (!type) return `benchmark.options.flags: ${name} is not one of ${Object.keys(BENCHMARK_FLAGS).join(', ')}`;
    if (typeof value !== type || (typeof value === 'number' && !Number.isFinite(value))) return `benchmark.options.flags.${name} must be a ${type}`;
  }
  return null;
}
