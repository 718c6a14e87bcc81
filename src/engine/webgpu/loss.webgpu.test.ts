// The distillation loss kernels against the plain tfjs path (losses.ts with DEIT_WEBGPU_KERNELS off) on the same device.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { distillationLoss, type DistillationOptions } from '../losses';
import { describeWebGpu } from '../testing/describeWebGpu';
import { recordPrograms } from '../testing/dispatchCounter';
import { expectClose, wave } from './testUtil';

const FLAG = 'DEIT_WEBGPU_KERNELS';
afterEach(() => tf.env().set(FLAG, true));

const [B, C] = [37, 10];

/** Loss parts and the gradients of sum(parts * weights) for the two heads' logits, with the kernels on or off. */
async function partsAndGrads(kernels: boolean, opts: DistillationOptions, sameHead: boolean, scale: number) {
  tf.env().set(FLAG, kernels);
  const out = tf.tidy(() => {
    const cls = tf.tensor(wave(B * C, 0.2, scale), [B, C]) as tf.Tensor2D;
    const dist = tf.tensor(wave(B * C, 1.1, scale), [B, C]) as tf.Tensor2D;
    const teacher = tf.tensor(wave(B * C, 2.3, 3), [B, C]) as tf.Tensor2D;
    const labels = tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7) % C), 'int32');
    // Weights on all three parts, so the gradient of each part is checked, not only the total's.
    const f = (a: tf.Tensor, d: tf.Tensor) => {
      const p = distillationLoss(a as tf.Tensor2D, (sameHead ? a : d) as tf.Tensor2D, teacher, labels, opts);
      return tf.addN([p.total, tf.mul(p.base, 0.3), tf.mul(p.distill, -0.7)]) as tf.Scalar;
    };
    // The distillation head's logits reach the loss only with a distillation term and a distillation token.
    const twoHeads = opts.distillation !== 'none' && !sameHead;
    const [gc, gd] = twoHeads ? tf.grads(f)([cls, dist]) : [tf.grad((a: tf.Tensor) => f(a, dist))(cls), null];
    const p = distillationLoss(cls, sameHead ? cls : dist, teacher, labels, opts);
    return { total: p.total, base: p.base, distill: p.distill, gc: gc!, ...(gd ? { gd } : {}) };
  });
  const read: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(out)) read[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(out));
  return read;
}

describeWebGpu('distillation loss kernels (WebGPU)', () => {
  const cases: [string, DistillationOptions, boolean][] = [
    ['none', { distillation: 'none', alpha: 0.5, tau: 1 }, false],
    ['none, label smoothing 0.1', { distillation: 'none', alpha: 0.5, tau: 1, labelSmoothing: 0.1 }, false],
    ['hard', { distillation: 'hard', alpha: 0.5, tau: 1 }, false],
    ['hard, label smoothing 0.1, alpha 0.3', { distillation: 'hard', alpha: 0.3, tau: 1, labelSmoothing: 0.1 }, false],
    ['soft, tau 3', { distillation: 'soft', alpha: 0.5, tau: 3 }, false],
    ['soft, tau 0.5, alpha 0.9', { distillation: 'soft', alpha: 0.9, tau: 0.5 }, false],
    ['hard, one head (no distillation token)', { distillation: 'hard', alpha: 0.5, tau: 1 }, true],
    ['soft, one head (no distillation token)', { distillation: 'soft', alpha: 0.5, tau: 2 }, true],
  ];
  for (const [name, opts, sameHead] of cases) {
    it(`${name}: total, base, distill and both heads' gradients match the plain path to 1e-5`, async () => {
      for (const scale of [1, 30]) {
        const plain = await partsAndGrads(false, opts, sameHead, scale);
        const fused = await partsAndGrads(true, opts, sameHead, scale);
        for (const k of Object.keys(plain)) {
          expect(fused[k]!.every(Number.isFinite), `${k} finite at scale ${scale}`).toBe(true);
          expectClose(fused[k]!, plain[k]!, 1e-5, scale === 1 ? 1e-6 : 1e-5);
        }
      }
    });
  }

  it('float labels (cast inside) give the same parts and gradients as int32 ones', async () => {
    const opts: DistillationOptions = { distillation: 'hard', alpha: 0.5, tau: 1, labelSmoothing: 0.1 };
    const run = (dtype: 'int32' | 'float32') => tf.tidy(() => {
      const cls = tf.tensor(wave(8 * C, 0.4), [8, C]) as tf.Tensor2D;
      const dist = tf.tensor(wave(8 * C, 1.4), [8, C]) as tf.Tensor2D;
      const teacher = tf.tensor(wave(8 * C, 2.4, 3), [8, C]) as tf.Tensor2D;
      const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], dtype);
      const [gc, gd] = tf.grads((a: tf.Tensor, d: tf.Tensor) => distillationLoss(a as tf.Tensor2D, d as tf.Tensor2D, teacher, labels, opts).total)([cls, dist]);
      return tf.concat([tf.reshape(gc!, [-1]), tf.reshape(gd!, [-1])]);
    });
    const [a, b] = [run('int32'), run('float32')];
    expectClose(await b.data(), await a.data(), 0, 0);
    tf.dispose([a, b]);
  });

  it('hard: one dispatch for the loss, one per head for its gradient', async () => {
    const cls = tf.randomNormal([16, C]) as tf.Tensor2D;
    const dist = tf.randomNormal([16, C]) as tf.Tensor2D;
    const teacher = tf.randomNormal([16, C]) as tf.Tensor2D;
    const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % C), 'int32');
    const rec = recordPrograms(tf.backend());
    const g = tf.grads((a: tf.Tensor, d: tf.Tensor) => distillationLoss(a as tf.Tensor2D, d as tf.Tensor2D, teacher, labels, { distillation: 'hard', alpha: 0.5, tau: 1 }).total)([cls, dist]);
    rec.stop();
    expect(rec.names.filter((n) => n.startsWith('Loss'))).toEqual(['LossProgram', 'LossGradProgram', 'LossGradProgram']);
    tf.dispose([cls, dist, teacher, labels, ...g]);
  });
});
