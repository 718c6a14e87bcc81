// One optimisation step for the teacher (CE) and for the DeiT student (distillation loss), as pure tensor functions.
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, distillationLoss, type DistillationOptions } from './losses';
import type { Params } from './nn';
import type { AdamW } from './optimizer';
import { distillTarget, studentForward, type StudentModel } from './student';
import { teacherForward, type ConvImpl, type TeacherModel } from './teacher';

/** Loss parts of one step as device scalars: read them back only at log points (`await t.data()`). */
// A type alias (not an interface) so tf.tidy can return it: tidy wants an index-signature-compatible container.
export type StepLosses = {
  total: tf.Scalar;
  base: tf.Scalar;
  distill: tf.Scalar;
  /** Global gradient norm before clipping. */
  gradNorm: tf.Scalar;
};

export interface StudentStepOptions extends DistillationOptions {
  labelSmoothing: number;
  lr: number;
  clipNorm: number;
}

/**
 * Gradients of f with respect to a parameter store, keyed by parameter name (tf.variableGrads keys them by the
 * tfjs variable name, which carries a uniqueness suffix). Only `params` are differentiated: a teacher on the tape
 * is never trained by the student's loss.
 */
export function gradsOf<T extends Record<string, tf.Tensor>>(
  params: Params,
  f: () => { loss: tf.Scalar; extras: T },
): { loss: tf.Scalar; extras: T; grads: Record<string, tf.Tensor> } {
  const byVarName = new Map<string, string>();
  for (const [key, v] of Object.entries(params)) byVarName.set(v.name, key);
  let extras: T | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const r = f();
    extras = r.extras;
    for (const t of Object.values(r.extras)) tf.keep(t);
    return r.loss;
  }, Object.values(params));
  const named: Record<string, tf.Tensor> = {};
  for (const [varName, g] of Object.entries(grads)) {
    const key = byVarName.get(varName);
    if (!key) throw new Error(`gradient for unknown variable ${varName}`);
    named[key] = g;
  }
  return { loss: value, extras: extras as unknown as T, grads: named };
}

function applyUpdate(optimizer: AdamW, grads: Record<string, tf.Tensor>, lr: number, clipNorm: number): tf.Scalar {
  try {
    return optimizer.clipAndApply(grads, lr, clipNorm);
  } finally {
    tf.dispose(grads);
  }
}

/**
 * A student step: student forward/backward on the distillation loss, then AdamW. `teacherLogits` [B, C] come from
 * the frozen teacher (computed by the caller outside the tape, or from a precomputed cache); null only for 'none'.
 * Returns new device scalars owned by the caller; no GPU read-back happens here.
 */
export function studentStep(
  student: StudentModel,
  optimizer: AdamW,
  x: tf.Tensor4D, // [B, H, W, C]
  y: tf.Tensor1D, // [B] int32
  teacherLogits: tf.Tensor2D | null, // [B, numClasses]
  opts: StudentStepOptions,
): StepLosses {
  if (!teacherLogits && opts.distillation !== 'none') throw new Error(`distillation '${opts.distillation}' needs teacher logits`);
  return tf.tidy(() => {
    const { loss, extras, grads } = gradsOf(student.params, () => {
      const out = studentForward(student, x);
      const teacher = teacherLogits ?? out.cls; // 'none' never reads the teacher: any [B, C] tensor will do
      const parts = distillationLoss(out.cls, distillTarget(out), teacher, y, opts);
      return { loss: parts.total, extras: { base: parts.base, distill: parts.distill } };
    });
    const gradNorm = applyUpdate(optimizer, grads, opts.lr, opts.clipNorm);
    return { total: loss, base: extras.base, distill: extras.distill, gradNorm };
  });
}

/** A teacher step: plain cross-entropy on the labels, then AdamW. Returns device scalars owned by the caller. */
export function teacherStep(
  teacher: TeacherModel,
  optimizer: AdamW,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: { lr: number; clipNorm: number; convImpl: ConvImpl },
): StepLosses {
  return tf.tidy(() => {
    const { loss, grads } = gradsOf(teacher.params, () => ({
      loss: crossEntropy(teacherForward(teacher, x, opts.convImpl), y),
      extras: {},
    }));
    const gradNorm = applyUpdate(optimizer, grads, opts.lr, opts.clipNorm);
    return { total: loss, base: tf.clone(loss), distill: tf.scalar(0), gradNorm };
  });
}
