// The strict shape of a saved run (valibot): what storage and JSON files hold is checked against it before it reaches
// the store. Strict objects (no unknown keys), finite numbers in stated ranges, bounded arrays and strings; the
// config is checked by engine/config's validateConfig, the one per-field check of the app.
import * as v from 'valibot';
import { DEFAULT_CONFIG, LIVE_KEYS, validateConfig, type LiveParams, type TrainConfig } from '../../engine/config';
import type { Run } from './runModel';

/** Points per curve a file or a stored run may hold (a 100-epoch run on 60k images at batch 1 logs far fewer). */
export const MAX_POINTS = 200_000;
const MAX_TEXT = 2000;

const num = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const text = (max = MAX_TEXT) => v.pipe(v.string(), v.maxLength(max));
const list = <T extends v.GenericSchema>(item: T, max = MAX_POINTS) => v.pipe(v.array(item), v.maxLength(max));
const fraction = v.nullable(num(0, 1));
const BIG = 1e12;
const STEPS = int(0, 1e9);

const metricsPoint = v.strictObject({
  phase: v.picklist(['teacher', 'student']),
  step: STEPS, totalSteps: STEPS, epoch: int(0, 1e6), imagesSeen: int(0, BIG),
  loss: v.strictObject({ total: num(-1e6, 1e6), base: num(-1e6, 1e6), distill: num(-1e6, 1e6) }),
  gradNorm: num(0, BIG), lr: num(0, 10), imagesPerSec: num(0, BIG), numTensors: int(0, BIG), numBytes: num(0, 1e15),
  time: num(0, BIG),
});

const evalPoint = v.strictObject({
  phase: v.picklist(['teacher', 'student']), step: STEPS, imagesSeen: int(0, BIG), split: v.picklist(['subset', 'test']),
  count: int(0, 1e6), clsAcc: fraction, distAcc: fraction, fusedAcc: fraction, teacherAcc: fraction,
  agreement: v.nullable(v.strictObject({ cls: num(0, 1), dist: fraction, fused: num(0, 1) })),
  loss: num(-1e6, 1e6),
  tokenCosine: v.nullable(v.strictObject({ layers: list(num(-1, 1), 100), params: num(-1, 1), count: int(0, 1e6) })),
  confusion: v.nullable(v.strictObject({
    numClasses: int(1, 100),
    counts: v.record(v.picklist(['fused', 'cls', 'dist', 'teacher']), list(int(0, 1e6), 10_000)),
    examples: v.record(v.picklist(['fused', 'cls', 'dist', 'teacher']), list(list(int(0, 1e6), 100), 10_000)),
  })),
});

/** A live change: only live keys, each value valid for the run's config (checked in runSchema below). */
const marker = v.strictObject({
  step: STEPS, imagesSeen: int(0, BIG),
  patch: v.pipe(
    v.record(v.string(), v.union([v.number(), v.string()])),
    v.check((p) => Object.keys(p).every((k) => (LIVE_KEYS as readonly string[]).includes(k)), `may only change ${LIVE_KEYS.join(', ')}`),
  ),
  label: text(200),
});

const live = v.strictObject({
  distillation: v.picklist(['none', 'soft', 'hard']), tau: num(0, 1000), alpha: num(0, 1), lr: num(0, 10), evalInterval: int(1, 1e9),
});

const teacher = v.nullable(v.strictObject({
  source: v.picklist(['pretrained', 'train', 'file']), fileName: v.optional(text(200)), family: v.optional(v.picklist(['cnn', 'vit'])), parameters: int(0, 1e10), evalAccuracy: num(0, 1), checkpointAccuracy: fraction,
  checkpointImages: v.optional(int(1, 1e7)),
}));

const backend = v.nullable(v.strictObject({
  requested: v.picklist(['auto', 'webgpu', 'webgl', 'wasm', 'cpu']), backend: text(40),
  adapter: v.nullable(v.strictObject({
    vendor: text(200), architecture: text(200), device: text(200), description: text(200), isFallbackAdapter: v.nullable(v.boolean()),
  })),
  tfjsVersion: text(40), fallbackReason: v.nullable(text()),
  attempts: list(v.strictObject({ backend: text(40), ok: v.boolean(), reason: v.nullable(text()) }), 10),
  convImpl: v.picklist(['native', 'im2col']),
}));

const error = v.nullable(v.strictObject({
  code: v.picklist(['bad-config', 'dataset', 'teacher-file', 'non-finite-loss', 'device-lost', 'backend-init', 'internal', 'protocol', 'crash']),
  message: text(), step: v.nullable(STEPS),
}));

const probs = list(num(0, 1), 100);
const pixels = list(int(0, 255), 4096);
const sample = v.nullable(v.strictObject({
  index: int(0, 1e6), label: int(0, 999), image: pixels, imageSize: int(1, 64),
  teacherLogits: v.nullable(list(num(-1e6, 1e6), 100)), clsProbs: probs, distProbs: v.nullable(probs), fusedProbs: probs,
  // [layer][token][head][T]
  attention: list(list(list(list(num(0, 1), 4096), 64), 2), 64), gridSize: int(1, 64), step: STEPS,
}));
const testImage = v.strictObject({ index: int(0, 1e6), label: int(0, 999), pixels, imageSize: int(1, 64) });

const progress = v.record(
  v.picklist(['dataset', 'teacher', 'precompute', 'student']),
  v.strictObject({ done: num(0, BIG), total: num(0, BIG), detail: text(200) }),
);

/**
 * A config: an object whose every field passes validateConfig (unknown fields are an error there too). A field added
 * to the config after the run was saved or exported (e.g. `distToken`) takes its default, which is what that run
 * trained with; a field present with a bad value is still an error.
 */
const config = v.pipe(
  v.record(v.string(), v.unknown()),
  v.transform((c) => ({ ...DEFAULT_CONFIG, ...c })),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const p of validateConfig(dataset.value)) addIssue({ message: `${p.field === 'config' ? '' : `${p.field}: `}${p.message}` });
  }),
  v.transform((c) => c as unknown as TrainConfig),
);

const STATUSES = ['idle', 'loading', 'teacher', 'student', 'paused', 'done', 'error', 'queued', 'initializing', 'stopped', 'interrupted'] as const;
const ORIGINS = ['manual', 'sweep', 'link', 'imported', 'results-link'] as const;
const time = v.nullable(num(0, 1e14));

/** Every field of a Run; `progress`, `sample`, `strip` and `images` may be left out (a file need not carry them). */
export const runSchema = v.pipe(
  v.strictObject({
    id: v.pipe(text(40), v.regex(/^run-\d{1,9}$/)), number: int(1, 1e9), origin: v.picklist(ORIGINS),
    config, live, status: v.picklist(STATUSES), step: STEPS, totalSteps: STEPS, epoch: int(0, 1e6), imagesSeen: int(0, BIG),
    metrics: list(metricsPoint), teacherMetrics: list(metricsPoint), evals: list(evalPoint), teacherEvals: list(evalPoint),
    markers: list(marker, 10_000), teacher, backend, progress: v.optional(progress, {}), error, sample: v.optional(sample, null),
    strip: v.optional(list(int(0, 1e6), 100), []), images: v.optional(v.record(v.string(), testImage), {}),
    createdAt: num(0, 1e14), startedAt: time, endedAt: time,
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    dataset.value.markers.forEach((m, i) => {
      const problems = validateConfig({ ...dataset.value.config, ...(m.patch as Partial<LiveParams>) });
      if (problems.length > 0) addIssue({ message: `markers[${i}].patch: ${problems.map((p) => p.message).join('; ')}` });
    });
  }),
);

/** One valibot issue as "runs[2].metrics[0].loss.total: Invalid value: Expected ...". */
export function describeIssue(issue: v.BaseIssue<unknown>, prefix = ''): string {
  let path = prefix;
  for (const item of issue.path ?? []) {
    const key = (item as { key?: unknown }).key;
    path += typeof key === 'number' ? `[${key}]` : `${path ? '.' : ''}${String(key)}`;
  }
  const got = issue.received ? ` (got ${issue.received.slice(0, 40)})` : '';
  return `${path || 'file'}: ${issue.message.replace(/ but received .*$/, '')}${got}`;
}

/** Checks one run; returns it typed, or the first few problems named by path. */
export function checkRun(x: unknown, prefix = 'run'): { run: Run } | { problems: string[] } {
  const r = v.safeParse(runSchema, x);
  if (r.success) return { run: r.output as Run };
  return { problems: r.issues.slice(0, 5).map((i) => describeIssue(i, prefix)) };
}
