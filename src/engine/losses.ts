// The DeiT distillation losses (facebookresearch/deit losses.py `DistillationLoss`), in tfjs.
//
// Numerics, and why:
// - Cross-entropy and KL are computed from log-softmax (tf.logSoftmax subtracts the row max), never from
//   log(softmax(z)), so logits of magnitude 30+ ([30, 5, 2, 2] at T=1 has p ~ 1e-12) stay finite.
// - soft: KL(teacher || student) with both sides as log-probabilities (PyTorch `kl_div(..., log_target=True)`),
//   summed over every element and scaled by T*T / numel(dist). T*T keeps the gradient magnitude independent of
//   T (Hinton et al.: soft-target gradients scale as 1/T^2); dividing by numel = B*C (not B) is what DeiT does,
//   so alpha weighs a per-element KL against a per-sample CE. We keep that scaling to match the paper's code.
// - hard: CE of the distillation head against the teacher's argmax.
// - The teacher is a constant (DeiT runs it under torch.no_grad()). tfjs has no stopGradient, so the teacher's
//   logits pass through an identity whose gradient is zero: even a trainable teacher on the tape gets none.
import * as tf from '@tensorflow/tfjs-core';
import type { LiveParams } from './config';
import { useWebGpuKernels } from './webgpu/program';
import { distillationLossKernel } from './webgpu/loss';

/** The loss's settings under the config's own names (LiveParams), so a value travels from the URL unchanged. */
export type DistillationOptions = Pick<LiveParams, 'distillation' | 'alpha' | 'tau'> & { labelSmoothing?: number };

// A type alias (not an interface) so tf.tidy can return it: tidy wants an index-signature-compatible container.
export type LossParts = {
  total: tf.Scalar;
  base: tf.Scalar;
  distill: tf.Scalar;
};

/** softmax(z / T) along the last axis. */
export function softmaxWithTemperature(logits: tf.Tensor, tau: number): tf.Tensor {
  return tf.tidy(() => tf.softmax(tf.div(logits, tau)));
}

/**
 * Mean cross-entropy of logits [B, C] against int class ids [B]. With label smoothing eps the target is
 * (1 - eps) * onehot + eps / C (torch `CrossEntropyLoss(label_smoothing=eps)`).
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const logp = tf.logSoftmax(logits); // [B, C]
    let target: tf.Tensor = tf.oneHot(tf.cast(labels, 'int32'), numClasses); // [B, C]
    if (labelSmoothing > 0) target = tf.add(tf.mul(target, 1 - labelSmoothing), labelSmoothing / numClasses);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), -1))) as tf.Scalar;
  });
}

/** Identity with a zero gradient (tfjs has no stopGradient op). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as <T extends tf.Tensor>(x: T) => T;

function checkShapes(cls: tf.Tensor2D, dist: tf.Tensor2D, teacher: tf.Tensor2D, labels: tf.Tensor1D): void {
  const [b, c] = cls.shape;
  const same = (t: tf.Tensor) => t.rank === 2 && t.shape[0] === b && t.shape[1] === c;
  if (cls.rank !== 2 || !same(dist) || !same(teacher) || labels.rank !== 1 || labels.shape[0] !== b) {
    throw new Error(
      `distillationLoss: expected cls, dist, teacher [B, C] and labels [B]; got cls [${cls.shape}], ` +
        `dist [${dist.shape}], teacher [${teacher.shape}], labels [${labels.shape}]`,
    );
  }
}

/**
 * The DeiT training objective.
 * - none: total = CE(cls, y); distill = 0.
 * - soft: total = (1-alpha) CE(cls, y) + alpha * KL(log_softmax(dist/T) || log_softmax(teacher/T)) * T^2 / numel(dist)
 * - hard: total = (1-alpha) CE(cls, y) + alpha * CE(dist, argmax(teacher))
 */
export function distillationLoss(
  clsLogits: tf.Tensor2D, // [B, C] student class-token head
  distLogits: tf.Tensor2D, // [B, C] student distillation-token head
  teacherLogits: tf.Tensor2D, // [B, C]
  labels: tf.Tensor1D, // [B] int32 class ids
  opts: DistillationOptions,
): LossParts {
  checkShapes(clsLogits, distLogits, teacherLogits, labels);
  // On WebGPU, one kernel for the loss and one per head for its gradient (webgpu/loss.ts), same arithmetic.
  if (useWebGpuKernels()) return distillationLossKernel(clsLogits, distLogits, teacherLogits, labels, opts);
  return tf.tidy(() => {
    const teacher = stopGradient(teacherLogits);
    const base = crossEntropy(clsLogits, labels, opts.labelSmoothing ?? 0);
    if (opts.distillation === 'none') {
      return { total: tf.clone(base), base, distill: tf.scalar(0) };
    }
    let distill: tf.Scalar;
    if (opts.distillation === 'soft') {
      const T = opts.tau;
      const logPs = tf.logSoftmax(tf.div(distLogits, T)); // [B, C]
      const logPt = tf.logSoftmax(tf.div(teacher, T)); // [B, C]
      // KL(target || input) with log_target: sum exp(logPt) * (logPt - logPs)
      const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)));
      distill = tf.mul(kl, (T * T) / distLogits.size) as tf.Scalar;
    } else {
      const teacherLabels = tf.argMax(teacher, -1) as tf.Tensor1D; // [B]
      distill = crossEntropy(distLogits, teacherLabels);
    }
    const total = tf.add(tf.mul(base, 1 - opts.alpha), tf.mul(distill, opts.alpha)) as tf.Scalar;
    return { total, base, distill };
  });
}
