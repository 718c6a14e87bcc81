// The share-URL parameter table: one readable key per TrainConfig field, with a strict parser and a formatter for
// each value. No window, no DOM: the codec (shareCodec.ts) and its tests build on this table alone.
import { BOOLEAN_KEYS, ENUM_VALUES, NUMERIC_RANGES, checkField, type TrainConfig } from '../engine/config';

/**
 * URL key for every config field. A mapped type, so adding a field to TrainConfig without a key is a compile error.
 * Order here is the order in the written hash: the experiment's headline parameters first.
 */
const URL_KEYS: { [K in keyof TrainConfig]: string } = {
  student: 'student',
  distillation: 'distillation',
  tau: 'tau',
  alpha: 'alpha',
  lr: 'lr',
  batchSize: 'batch',
  epochs: 'epochs',
  seed: 'seed',
  distToken: 'distToken',
  dataset: 'dataset',
  teacher: 'teacher',
  teacherModel: 'teacherModel',
  teacherEpochs: 'teacherEpochs',
  weightDecay: 'weightDecay',
  warmupSteps: 'warmup',
  minLrRatio: 'minLrRatio',
  clipNorm: 'clip',
  labelSmoothing: 'labelSmoothing',
  trainSubset: 'trainSubset',
  evalSubset: 'evalSubset',
  testSubset: 'testSubset',
  evalInterval: 'evalInterval',
  augment: 'augment',
  hflip: 'hflip',
  precomputeTeacher: 'precompute',
  backend: 'backend',
};

export type ParamKind = 'number' | 'enum' | 'boolean';

export interface ParamSpec {
  /** The key as written in the URL. */
  key: string;
  field: keyof TrainConfig;
  kind: ParamKind;
}

function kindOf(field: keyof TrainConfig): ParamKind {
  if (field in NUMERIC_RANGES) return 'number';
  if (field in ENUM_VALUES) return 'enum';
  if ((BOOLEAN_KEYS as readonly string[]).includes(field)) return 'boolean';
  throw new Error(`config field ${field} has no range, enum or boolean type`);
}

/** The parameter table, in writing order. */
export const SHARE_PARAMS: readonly ParamSpec[] = (Object.keys(URL_KEYS) as (keyof TrainConfig)[]).map((field) => ({
  key: URL_KEYS[field],
  field,
  kind: kindOf(field),
}));

/** Lookup by URL key. A Map, so "__proto__" or "constructor" can never resolve to a parameter. */
export const PARAM_BY_KEY: ReadonlyMap<string, ParamSpec> = new Map(SHARE_PARAMS.map((p) => [p.key, p]));

export type ValueResult = { ok: true; value: TrainConfig[keyof TrainConfig] } | { ok: false; reason: string };

/** Plain decimal or scientific notation only: no hex, no "Infinity", no whitespace, no empty string. */
const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Parses one raw (already percent-decoded) value for `spec`: the URL syntax here (plain numbers, true/false or 1/0),
 * then the config's own per-field check (range, integrality, enum membership).
 */
export function parseValue(spec: ParamSpec, raw: string): ValueResult {
  let value: unknown = raw;
  if (spec.kind === 'number') {
    if (!NUMBER_RE.test(raw)) return { ok: false, reason: 'is not a number' };
    value = Object.is(Number(raw), -0) ? 0 : Number(raw);
  } else if (spec.kind === 'boolean') {
    value = raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  }
  const reason = checkField(spec.field, value);
  return reason === null ? { ok: true, value: value as TrainConfig[keyof TrainConfig] } : { ok: false, reason };
}

/** Writes a value so that parseValue reads it back exactly (String(number) round-trips every finite double). */
export function formatValue(spec: ParamSpec, value: TrainConfig[keyof TrainConfig]): string {
  if (spec.kind === 'boolean') return value ? 'true' : 'false';
  return encodeURIComponent(String(value));
}
