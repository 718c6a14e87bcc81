// Checks of what arrives from the main thread: message shapes beyond the `type` tag, and live-parameter patches
// against the same ranges the UI and the share-URL codec use.
import { ENUM_VALUES, LIVE_KEYS, fieldError, type LiveKey } from '../engine/config';
import { BENCHMARK_FLAGS, MAX_IMAGE_REQUEST, type ToWorker } from './protocol';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;

/** The largest `step` request: a typo of 1e9 should not lock the worker for a day. */
export const MAX_STEP_REQUEST = 100_000;

/** Why a message that passed isToWorker is still malformed, or null. Config values are checked by validateConfig. */
export function malformed(msg: ToWorker): string | null {
  switch (msg.type) {
    case 'init':
      if (typeof msg.version !== 'number') return 'init.version must be a number';
      if (typeof msg.runId !== 'string' || msg.runId === '') return 'init.runId must be a non-empty string';
      if (typeof msg.baseUrl !== 'string') return 'init.baseUrl must be a string';
      if (msg.options !== undefined) {
        if (!isObject(msg.options)) return 'init.options must be an object';
        const limit = msg.options.testLimit;
        if (limit !== undefined && !isCount(limit, Number.MAX_SAFE_INTEGER)) return 'init.options.testLimit must be a positive integer';
        const file = msg.options.teacherFile;
        if (file !== undefined && (!isObject(file) || typeof file.name !== 'string' || typeof file.json !== 'string' || !(file.weights instanceof ArrayBuffer))) {
          return 'init.options.teacherFile must be { name, json (text), weights (ArrayBuffer) }';
        }
      }
      return null;
    case 'exportWeights':
      return msg.which === 'student' || msg.which === 'teacher' ? null : "exportWeights.which must be 'student' or 'teacher'";
    case 'step':
      return isCount(msg.n, MAX_STEP_REQUEST) ? null : `step.n must be an integer in [1, ${MAX_STEP_REQUEST}]`;
    case 'update':
      return isObject(msg.patch) ? null : 'update.patch must be an object';
    case 'requestSample':
      if (msg.index !== undefined && (typeof msg.index !== 'number' || !Number.isInteger(msg.index) || msg.index < 0)) {
        return 'requestSample.index must be a non-negative integer';
      }
      return null;
    case 'requestImages':
      if (!Array.isArray(msg.indices) || msg.indices.length === 0 || msg.indices.length > MAX_IMAGE_REQUEST) {
        return `requestImages.indices must be a list of 1 to ${MAX_IMAGE_REQUEST} test-image indices`;
      }
      return msg.indices.every((i) => typeof i === 'number' && Number.isInteger(i) && i >= 0) ? null : 'requestImages.indices must be non-negative integers';
    case 'probe':
      if (typeof msg.version !== 'number') return 'probe.version must be a number';
      return (ENUM_VALUES.backend as readonly string[]).includes(msg.backend) ? null : `probe.backend must be one of ${ENUM_VALUES.backend.join(', ')}`;
    case 'benchmark':
      if (!(ENUM_VALUES.backend as readonly string[]).includes(msg.backend)) return `benchmark.backend must be one of ${ENUM_VALUES.backend.join(', ')}`;
      if (!Array.isArray(msg.presets) || msg.presets.length === 0 || !msg.presets.every((p) => (ENUM_VALUES.student as readonly string[]).includes(p))) {
        return `benchmark.presets must be a non-empty list of ${ENUM_VALUES.student.join(', ')}`;
      }
      if (!isCount(msg.batchSize, 1024)) return 'benchmark.batchSize must be an integer in [1, 1024]';
      if (!isCount(msg.steps, 1000)) return 'benchmark.steps must be an integer in [1, 1000]';
      if (!(Number.isInteger(msg.warmupSteps) && msg.warmupSteps >= 0 && msg.warmupSteps <= 1000)) return 'benchmark.warmupSteps must be an integer in [0, 1000]';
      return msg.options === undefined ? null : malformedBenchmarkOptions(msg.options);
    default:
      return null;
  }
}

function malformedBenchmarkOptions(options: unknown): string | null {
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

/** Problems with a live patch (unknown keys, wrong types, out-of-range values); empty when it can be applied. */
export function validatePatch(patch: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const keys = Object.keys(patch);
  if (keys.length === 0) errors.push('the update changes nothing');
  for (const key of keys) {
    if (!(LIVE_KEYS as readonly string[]).includes(key)) {
      errors.push(`"${key}" cannot change during a run (live: ${LIVE_KEYS.join(', ')})`);
      continue;
    }
    const message = fieldError(key as LiveKey, patch[key]);
    if (message) errors.push(message);
  }
  return errors;
}
