// A 20-step student run on WebGPU with the engine's kernels against the same run on the plain tfjs path.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { DATASETS, STUDENT_PRESETS } from '../config';
import { disposeParams } from '../nn';
import { AdamW } from '../optimizer';
import { createStudent } from '../student';
import { describeWebGpu } from '../testing/describeWebGpu';
import { studentStep } from '../train';

const FLAG = 'DEIT_WEBGPU_KERNELS';
afterEach(() => tf.env().set(FLAG, true));

const info = DATASETS['fashion-mnist'];

/** 20 steps of deit-nano (hard distillation, clipping on, weight decay) on fixed batches; the losses and tensor counts. */
async function run(kernels: boolean): Promise<{ losses: number[][]; numTensors: number[] }> {
  tf.env().set(FLAG, kernels);
  const student = createStudent(STUDENT_PRESETS['deit-nano'], info, 7);
  const optimizer = new AdamW(student.params, { weightDecay: 0.05 });
  const bsz = 8;
  const batches = [0, 1, 2].map((s) => ({
    x: tf.randomUniform([bsz, info.imageSize, info.imageSize, info.channels], -1, 1, 'float32', 10 + s) as tf.Tensor4D,
    y: tf.randomUniform([bsz], 0, info.numClasses, 'int32', 20 + s) as tf.Tensor1D,
    t: tf.randomNormal([bsz, info.numClasses], 0, 2, 'float32', 30 + s) as tf.Tensor2D,
  }));
  const losses: number[][] = [];
  const numTensors: number[] = [];
  for (let i = 0; i < 20; i++) {
    const b = batches[i % batches.length]!;
    const l = studentStep(student, optimizer, b.x, b.y, b.t, { distillation: 'hard', alpha: 0.5, tau: 3, labelSmoothing: 0.1, lr: 3e-3, clipNorm: 1 });
    losses.push([...(await Promise.all([l.total.data(), l.base.data(), l.distill.data(), l.gradNorm.data()]))].map((d) => d[0]!));
    tf.dispose([l.total, l.base, l.distill, l.gradNorm]);
    numTensors.push(tf.memory().numTensors);
  }
  for (const b of batches) tf.dispose([b.x, b.y, b.t]);
  optimizer.dispose();
  disposeParams(student.params);
  return { losses, numTensors };
}

describeWebGpu('student training on WebGPU kernels', () => {
  // Generous time: two 20-step runs plus shader compilation on a software adapter of a busy 2-core machine.
  it('20 steps: total, base, distill and gradient norm match the plain WebGPU path to 1e-4; memory is flat', { timeout: 900_000 }, async () => {
    const plain = await run(false);
    const fused = await run(true);
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 4; j++) {
        const [a, e] = [fused.losses[i]![j]!, plain.losses[i]![j]!];
        if (!(Math.abs(a - e) <= 1e-4 * Math.max(1, Math.abs(e)))) throw new Error(`step ${i} part ${j}: ${a} vs plain ${e}`);
      }
    }
    // The run learns (the loss moves), so the comparison is not between two frozen models.
    expect(Math.abs(plain.losses[19]![0]! - plain.losses[1]![0]!)).toBeGreaterThan(0.05);
    expect(new Set(fused.numTensors.slice(1)).size).toBe(1);
  });
});
