// Kernel counts of one steady student step on WebGPU: dispatches, queue submits, tfjs ops and the programs behind them.
import * as tf from '@tensorflow/tfjs-core';
import { DATASETS, STUDENT_PRESETS, type StudentPreset } from '../config';
import { disposeParams } from '../nn';
import { AdamW } from '../optimizer';
import { createStudent } from '../student';
import { studentStep, type StudentStepOptions } from '../train';
import { compileOnly, createShadow } from '../shaderWarmup';
import { countDispatches, recordPrograms } from './dispatchCounter';

export interface StepCounts {
  preset: StudentPreset;
  batchSize: number;
  /** GPUComputePassEncoder.dispatchWorkgroups calls per step (mean over the counted steps); null when none ran. */
  dispatchesPerStep: number | null;
  /** GPUQueue.submit calls per step (tfjs submits every WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches and at reads). */
  submitsPerStep: number | null;
  /**
   * WebGPU programs one step runs, traced in tfjs's compile-only mode (nothing executes, so this is cheap even for
   * DeiT-Ti on a software adapter); each program is one dispatch when it runs.
   */
  tracedDispatchesPerStep: number;
  /** Those programs by class (which tfjs kernels turn into GPU work, and how much). */
  programs: Record<string, number>;
  /** tfjs kernels in that step (tf.profile), and how often each. */
  opsPerStep: number;
  ops: Record<string, number>;
}

const STEP: StudentStepOptions = { distillation: 'hard', alpha: 0.5, tau: 3, labelSmoothing: 0, lr: 1e-4, clipNorm: 0 };

function sortedCounts(names: string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

/**
 * Counts a steady student step as the app runs it with precomputed teacher logits: hard distillation, AdamW, on the
 * active backend, which must be webgpu. One warm-up step on 8 images, then one step traced in
 * compile-only mode (programs and tf.profile ops), then `steps` executed steps whose dispatches and submits are counted,
 * with one read-back at the end (as between two log points). Leaves no tensors behind.
 */
export async function countStudentStep(preset: StudentPreset, batchSize: number, steps = 2): Promise<StepCounts> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`countStudentStep needs the webgpu backend, not ${tf.getBackend()}`);
  const info = DATASETS['fashion-mnist'];
  const student = createStudent(STUDENT_PRESETS[preset], info, 1);
  const optimizer = new AdamW(student.params, { weightDecay: 0.05 });
  const x = tf.randomUniform([batchSize, info.imageSize, info.imageSize, info.channels], -1, 1, 'float32', 3) as tf.Tensor4D;
  const y = tf.randomUniform([batchSize], 0, info.numClasses, 'int32', 4) as tf.Tensor1D;
  const logits = tf.randomNormal([batchSize, info.numClasses], 0, 1, 'float32', 5) as tf.Tensor2D;
  const run = async (n: number, bsz = batchSize) => {
    let last: tf.Scalar | null = null;
    for (let i = 0; i < n; i++) {
      const l = bsz === batchSize
        ? studentStep(student, optimizer, x, y, logits, STEP)
        : tf.tidy(() => studentStep(student, optimizer, x.slice(0, bsz), y.slice(0, bsz), logits.slice(0, bsz), STEP));
      last?.dispose();
      last = l.total;
      tf.dispose([l.base, l.distill, l.gradNorm]);
    }
    await last?.data();
    last?.dispose();
  };
  try {
    // Warm-up on a few images: it compiles the shaders and leaves every parameter on the GPU, as in a steady run (tfjs
    // runs small ops on the CPU while their inputs still live there), at a fraction of a full step's cost.
    await run(1, Math.min(8, batchSize));
    const shadow = createShadow(student, 0.05);
    const recorder = recordPrograms(tf.backend());
    let profile: Awaited<ReturnType<typeof tf.profile>>;
    try {
      profile = await tf.profile(async () => {
        await compileOnly(() => studentStep(shadow.student, shadow.optimizer, x, y, logits, STEP));
      });
    } finally {
      recorder.stop();
      shadow.dispose();
    }
    let measured: { dispatches: number; submits: number } | null = null;
    if (steps > 0) {
      const counter = countDispatches();
      try {
        await run(steps);
      } finally {
        counter.stop();
      }
      measured = { dispatches: counter.dispatches / steps, submits: counter.submits / steps };
    }
    return {
      preset,
      batchSize,
      dispatchesPerStep: measured?.dispatches ?? null,
      submitsPerStep: measured?.submits ?? null,
      tracedDispatchesPerStep: recorder.names.length,
      programs: sortedCounts([...recorder.names]),
      opsPerStep: profile.kernels.length,
      ops: sortedCounts(profile.kernels.map((k) => k.name)),
    };
  } finally {
    tf.dispose([x, y, logits]);
    optimizer.dispose();
    disposeParams(student.params);
  }
}
