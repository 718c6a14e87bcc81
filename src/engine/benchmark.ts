// Throughput measurement of the engine on whatever tfjs backend is active: full student steps (teacher in the loop or
// precomputed), evaluation, first-step (shader compilation) time and a per-phase split. Used by the worker's
// `benchmark` message (browser backends) and by scripts/bench-node.ts (cpu, wasm). Prints nothing, asserts nothing.
import * as tf from '@tensorflow/tfjs-core';
import { DATASETS, STUDENT_PRESETS, TEACHER_ARCH, studentMacs, studentParamCount, type StudentPreset } from './config';
import { countParams, disposeParams } from './nn';
import { AdamW } from './optimizer';
import { mulberry32 } from './random';
import { compileOnly, createShadow } from './shaderWarmup';
import { createStudent, distillTarget, fuseLogits, studentForward } from './student';
import { createTeacher, teacherForward, type ConvImpl } from './teacher';
import { gradsOf, studentStep } from './train';
import { distillationLoss } from './losses';

export interface BenchOptions {
  preset: StudentPreset;
  batchSize: number;
  /** Steps run before timing (after the first, separately timed step). */
  warmupSteps: number;
  /** Timed steps per measurement. */
  steps: number;
  /** The teacher's conv (and pool) implementation; default 'native', as the app's teacher inference (INFERENCE_CONV). */
  convImpl?: ConvImpl;
  /** Compile the step's shaders in parallel before the first step (WebGPU only; see shaderWarmup.ts). */
  shaderWarmup?: boolean;
  /** tfjs environment flags set for the measurement and restored after it (e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE). */
  flags?: Record<string, number | boolean>;
}

export interface BenchResult {
  backend: string;
  preset: StudentPreset;
  batchSize: number;
  parameters: number;
  macsPerImage: number;
  /** tfjs flags that were set for this measurement (empty: tfjs defaults). */
  flags: Record<string, number | boolean>;
  /** Time of the compile-only warm-up before the first step; null when none ran (not asked for, or not WebGPU). */
  shaderWarmupMs: number | null;
  /**
   * Wall time of the very first student step including its read-back (shader compilation on GPU backends, unless a
   * warm-up compiled them). The first step a user sees takes shaderWarmupMs + firstStepMs.
   */
  firstStepMs: number;
  /** Median per-step time over timed runs, teacher forward in the loop. */
  stepMs: number;
  imagesPerSec: number;
  /** Same, with teacher logits precomputed (a gather instead of the teacher forward). */
  stepMsPrecomputed: number;
  imagesPerSecPrecomputed: number;
  /** Median per-step time, logits precomputed, with the losses read back after every step (no log-point batching). */
  stepMsReadEveryStep: number;
  /** Forward passes of student + teacher in evaluation, images per second. */
  evalImagesPerSec: number;
  /** Evaluation with the teacher's logits cached (TeacherLogitsCache: the app's subset evaluations), images per second. */
  evalImagesPerSecCachedTeacher: number;
  /** Median time of each phase, each measured alone with a read-back after it (so they sum to more than stepMs). */
  split: { teacherForwardMs: number; studentForwardBackwardMs: number; optimizerMs: number };
  numTensors: number;
  numBytes: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A fixed random batch: throughput does not depend on pixel values, and this keeps the benchmark dataset-free. */
function syntheticBatch(batchSize: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const info = DATASETS['fashion-mnist'];
  const rng = mulberry32(seed);
  const px = info.imageSize * info.imageSize * info.channels;
  const xs = Float32Array.from({ length: batchSize * px }, () => rng() * 2 - 1);
  const ys = Int32Array.from({ length: batchSize }, () => Math.floor(rng() * info.numClasses));
  return { x: tf.tensor4d(xs, [batchSize, info.imageSize, info.imageSize, info.channels]), y: tf.tensor1d(ys, 'int32') };
}

const now = () => performance.now();

/** Sets tfjs flags and returns a function that restores them. */
function setFlags(flags: Record<string, number | boolean>): () => void {
  const env = tf.env();
  const before = Object.keys(flags).map((name) => [name, env.get(name)] as const);
  for (const [name, value] of Object.entries(flags)) env.set(name, value);
  return () => {
    for (const [name, value] of before) env.set(name, value);
  };
}

/** Runs the measurements described in BenchResult. Leaves no tensors behind. */
export async function benchmarkStudent(opts: BenchOptions): Promise<BenchResult> {
  const info = DATASETS['fashion-mnist'];
  const arch = STUDENT_PRESETS[opts.preset];
  const flags = opts.flags ?? {};
  const restoreFlags = setFlags(flags);
  const convImpl = opts.convImpl ?? 'native';
  const student = createStudent(arch, info, 1);
  const teacher = createTeacher(TEACHER_ARCH, info, 2);
  const optimizer = new AdamW(student.params, { weightDecay: 0.05 });
  const { x, y } = syntheticBatch(opts.batchSize, 3);
  // Computed (and its shaders compiled) before the first step, as the app's precompute phase does.
  const cachedLogits = tf.tidy(() => teacherForward(teacher, x, convImpl));
  const stepOpts = { distillation: 'hard' as const, alpha: 0.5, tau: 3, labelSmoothing: 0, lr: 1e-4, clipNorm: 0 };
  try {
    await cachedLogits.data();
    /** n steps; losses read back once at the end (as between two log points), or after every step. */
    const runSteps = async (n: number, precomputed: boolean, readEveryStep = false) => {
      let last: tf.Scalar | null = null;
      for (let i = 0; i < n; i++) {
        const t = precomputed ? null : tf.tidy(() => teacherForward(teacher, x, convImpl));
        const l = studentStep(student, optimizer, x, y, precomputed ? cachedLogits : t, stepOpts);
        t?.dispose();
        last?.dispose();
        last = l.total;
        tf.dispose([l.base, l.distill, l.gradNorm]);
        if (readEveryStep) await last.data();
      }
      if (last) {
        await last.data(); // one sync point per timed run, as in the real loop
        last.dispose();
      }
    };
    let shaderWarmupMs: number | null = null;
    if (opts.shaderWarmup) {
      const shadow = createShadow(student, 0.05);
      try {
        shaderWarmupMs = await compileOnly(() => {
          const t = teacherForward(teacher, x, convImpl);
          return studentStep(shadow.student, shadow.optimizer, x, y, t, stepOpts);
        });
      } finally {
        shadow.dispose();
      }
    }
    let t0 = now();
    await runSteps(1, false);
    const firstStepMs = now() - t0;
    await runSteps(opts.warmupSteps, false);
    await runSteps(opts.warmupSteps, true);

    /** Median wall time of 3 runs of `f`. */
    const medianOf3 = async (f: () => Promise<void>) => {
      const runs: number[] = [];
      for (let r = 0; r < 3; r++) {
        t0 = now();
        await f();
        runs.push(now() - t0);
      }
      return median(runs);
    };
    const timed = async (precomputed: boolean, readEveryStep = false) =>
      (await medianOf3(() => runSteps(opts.steps, precomputed, readEveryStep))) / opts.steps;
    const stepMs = await timed(false);
    const stepMsPrecomputed = await timed(true);
    const stepMsReadEveryStep = await timed(true, true);

    const evalRun = (cachedTeacher: boolean) => medianOf3(async () => {
      const out = tf.tidy(() => {
        const o = studentForward(student, x);
        return tf.add(tf.argMax(fuseLogits(o), -1), tf.argMax(cachedTeacher ? cachedLogits : teacherForward(teacher, x, convImpl), -1));
      });
      await out.data();
      out.dispose();
    });
    const evalMs = await evalRun(false);
    const evalMsCached = await evalRun(true);

    const tTeacher: number[] = [];
    const tStudent: number[] = [];
    const tOpt: number[] = [];
    for (let r = 0; r < Math.max(3, opts.steps); r++) {
      t0 = now();
      const logits = tf.tidy(() => teacherForward(teacher, x, convImpl));
      await logits.data();
      tTeacher.push(now() - t0);
      t0 = now();
      const { loss, grads } = gradsOf(student.params, () => {
        const o = studentForward(student, x);
        return { loss: distillationLoss(o.cls, distillTarget(o), logits, y, { distillation: 'hard', alpha: 0.5, tau: 3 }).total, extras: {} };
      });
      await Promise.all(Object.values(grads).map((g) => g.data()));
      tStudent.push(now() - t0);
      t0 = now();
      optimizer.applyGradients(grads, 1e-4);
      await Object.values(student.params)[0]!.data();
      tOpt.push(now() - t0);
      tf.dispose([logits, loss, ...Object.values(grads)]);
    }
    const mem = tf.memory();
    return {
      backend: tf.getBackend(),
      preset: opts.preset,
      batchSize: opts.batchSize,
      parameters: countParams(student.params),
      macsPerImage: studentMacs(arch, info),
      flags,
      shaderWarmupMs,
      firstStepMs,
      stepMs,
      imagesPerSec: (opts.batchSize * 1000) / stepMs,
      stepMsPrecomputed,
      imagesPerSecPrecomputed: (opts.batchSize * 1000) / stepMsPrecomputed,
      stepMsReadEveryStep,
      evalImagesPerSec: (opts.batchSize * 1000) / evalMs,
      evalImagesPerSecCachedTeacher: (opts.batchSize * 1000) / evalMsCached,
      split: { teacherForwardMs: median(tTeacher), studentForwardBackwardMs: median(tStudent), optimizerMs: median(tOpt) },
      numTensors: mem.numTensors,
      numBytes: mem.numBytes,
    };
  } finally {
    tf.dispose([x, y, cachedLogits]);
    optimizer.dispose();
    disposeParams(student.params);
    disposeParams(teacher.params);
    restoreFlags();
  }
}

/** Parameter count of a preset without building it (for tables). */
export function presetParams(preset: StudentPreset): number {
  return studentParamCount(STUDENT_PRESETS[preset], DATASETS['fashion-mnist']);
}
