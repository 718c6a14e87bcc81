// Checks of what arrives from the main thread: message shapes beyond the `type` tag, and live-parameter patches
// against the same ranges the UI and the share-URL codec use.
import { ENUM_VALUES, LIVE_KEYS, fieldError, type LiveKey } from '../engine/config';
import { MAX_IMAGE_REQUEST, type ToWorker } from './protocol';

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
    default:
      return null;
  }
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
