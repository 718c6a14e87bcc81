// Evaluation of the student (class-token, distillation-token and fused accuracy) and of the teacher, as plain numbers.
import * as tf from '@tensorflow/tfjs-core';
import type { DatasetInfo } from './config';
import { batchesOf, makeBatch } from './data/batcher';
import type { Split } from './data/dataset';
import { agreementCounts, headPredictions } from './insight';
import { crossEntropy, distillationLoss, type DistillationOptions } from './losses';
import { distillTarget, fuseLogits, studentForward, type StudentModel } from './student';
import { teacherForward, type ConvImpl, type TeacherModel } from './teacher';

/**
 * Teacher logits of evaluation batches, kept on the device from one evaluation to the next: while the student trains,
 * the teacher is frozen and the evaluation images are fixed, so after the first pass an evaluation costs the student's
 * forward pass only. Bound to one teacher (evaluate() ignores it for another); dispose() frees the logits.
 */
export class TeacherLogitsCache {
  private readonly bySplit = new WeakMap<Split, Map<string, tf.Tensor2D>>();
  private readonly all: tf.Tensor2D[] = [];

  constructor(readonly teacher: TeacherModel) {}

  /** Logits [B, C] of `batch` (indices into `split`), from `compute` the first time; the cache owns the tensor. */
  logits(split: Split, batch: Int32Array, compute: () => tf.Tensor2D): tf.Tensor2D {
    let rows = this.bySplit.get(split);
    if (!rows) this.bySplit.set(split, (rows = new Map()));
    const key = batch.join(',');
    let t = rows.get(key);
    if (!t) {
      t = tf.keep(compute()); // inside evaluate's tidy: kept past it
      rows.set(key, t);
      this.all.push(t);
    }
    return t;
  }

  /** Batches cached so far. */
  get size(): number {
    return this.all.length;
  }

  dispose(): void {
    tf.dispose(this.all);
    this.all.length = 0;
  }
}

export interface EvalMetrics {
  /** Images evaluated. */
  count: number;
  /** Accuracy of `head` on the class token, in [0, 1]. */
  clsAcc: number;
  /**
   * Accuracy of `headDist` on the distillation token (meaningless in 'none' mode: that head gets no gradient); null
   * for a student without the distillation token.
   */
  distAcc: number | null;
  /** Accuracy of the mean of both heads' logits (DeiT's inference prediction). */
  fusedAcc: number;
  /** Teacher accuracy on the same images, or null without a teacher. */
  teacherAcc: number | null;
  /**
   * Fraction of images where each head's top class equals the teacher's (DeiT Table 4's agreement), or null without a
   * teacher.
   */
  agreement: HeadAgreement | null;
  /** Mean loss parts under the current distillation settings. */
  loss: { total: number; base: number; distill: number };
  /** Each image's top class per head, in the order of the indices (only when asked for). */
  predictions?: HeadPredictions;
}

export interface HeadAgreement {
  cls: number;
  /** Null without the distillation token. */
  dist: number | null;
  fused: number;
}

export interface HeadPredictions {
  cls: Int32Array;
  /** Null without the distillation token. */
  dist: Int32Array | null;
  fused: Int32Array;
  /** Null without a teacher. */
  teacher: Int32Array | null;
}

function correct(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32'));
}

/**
 * Evaluates the student (and the teacher, when given) on `indices` of a split. Sums stay on the device and are
 * read back once at the end, so evaluation adds one sync point, not one per batch. With `teacherCache` (for this
 * teacher), each batch's teacher logits are computed once and reused by later evaluations of the same images. With
 * `withPredictions`, every image's top class per head comes back in the same read-back (the confusion matrices).
 */
export async function evaluate(
  student: StudentModel,
  teacher: TeacherModel | null,
  split: Split,
  info: DatasetInfo,
  indices: ArrayLike<number>,
  batchSize: number,
  lossOpts: DistillationOptions,
  convImpl?: ConvImpl,
  teacherCache?: TeacherLogitsCache,
  withPredictions = false,
): Promise<EvalMetrics> {
  const cache = teacher && teacherCache?.teacher === teacher ? teacherCache : null;
  // [cls, dist, fused, teacher, agree cls, agree dist, agree fused, total*B, base*B, distill*B]
  let sums = tf.zeros([SUMS]);
  const preds: tf.Tensor2D[] = []; // per batch [4, B]: cls, dist, fused, teacher (-1 without one)
  try {
    for (const batch of batchesOf(indices, batchSize, false)) {
      const next = tf.tidy(() => {
        const { x, y } = makeBatch(split, info, batch);
        const out = studentForward(student, x);
        const fused = fuseLogits(out);
        const b = y.shape[0];
        const forward = () => teacherForward(teacher!, x, convImpl);
        const tLogits = !teacher ? null : cache ? cache.logits(split, batch, forward) : forward();
        const distillation = teacher ? lossOpts.distillation : 'none';
        const parts = distillationLoss(out.cls, distillTarget(out), tLogits ?? tf.zerosLike(out.cls), y, { ...lossOpts, distillation });
        const zero = tf.scalar(0);
        const dist = out.dist ?? out.cls; // without the distillation token its entries are reported as null
        const row = tf.concat([
          tf.stack([correct(out.cls, y), correct(dist, y), correct(fused, y), tLogits ? correct(tLogits, y) : zero]),
          tLogits ? agreementCounts([out.cls, dist, fused], tLogits) : tf.zeros([3]),
          tf.stack([tf.mul(parts.total, b), tf.mul(parts.base, b), tf.mul(parts.distill, b)]),
        ]);
        if (withPredictions) {
          const heads = headPredictions([out.cls, dist, fused]); // [3, B]
          preds.push(tf.keep(tf.concat([heads, tLogits ? headPredictions([tLogits]) : tf.fill([1, b], -1)]) as tf.Tensor2D)); // [4, B]
        }
        return tf.add(sums, row);
      });
      sums.dispose();
      sums = next;
    }
  } catch (e) {
    tf.dispose([sums, ...preds]);
    throw e;
  }
  const n = indices.length;
  // The one read-back of this evaluation: the sums, then (when asked) every image's predictions.
  const packed = preds.length ? tf.tidy(() => tf.concat([sums, tf.reshape(tf.concat(preds, 1), [-1])])) : sums;
  const v = await packed.data();
  tf.dispose([sums, packed, ...preds]);
  const at = (i: number) => (n > 0 ? (v[i] ?? 0) / n : 0);
  const row = (r: number) => Int32Array.from(v.subarray(SUMS + r * n, SUMS + (r + 1) * n));
  return {
    count: n,
    clsAcc: at(0),
    distAcc: student.distToken ? at(1) : null,
    fusedAcc: at(2),
    teacherAcc: teacher ? at(3) : null,
    agreement: teacher ? { cls: at(4), dist: student.distToken ? at(5) : null, fused: at(6) } : null,
    loss: { total: at(7), base: at(8), distill: at(9) },
    ...(withPredictions ? { predictions: { cls: row(0), dist: student.distToken ? row(1) : null, fused: row(2), teacher: teacher ? row(3) : null } } : {}),
  };
}

/** Entries of evaluate()'s running sums. */
const SUMS = 10;

/** Teacher accuracy and mean cross-entropy on `indices` of a split (filling `teacherCache`, when it is this teacher's). */
export async function evaluateTeacher(
  teacher: TeacherModel,
  split: Split,
  info: DatasetInfo,
  indices: ArrayLike<number>,
  batchSize: number,
  convImpl?: ConvImpl,
  teacherCache?: TeacherLogitsCache,
): Promise<{ count: number; acc: number; loss: number }> {
  const cache = teacherCache?.teacher === teacher ? teacherCache : null;
  let sums = tf.zeros([2]);
  for (const batch of batchesOf(indices, batchSize, false)) {
    const next = tf.tidy(() => {
      const { x, y } = makeBatch(split, info, batch);
      const forward = () => teacherForward(teacher, x, convImpl);
      const logits = cache ? cache.logits(split, batch, forward) : forward();
      return tf.add(sums, tf.stack([correct(logits, y), tf.mul(crossEntropy(logits, y), y.shape[0])]));
    });
    sums.dispose();
    sums = next;
  }
  const v = await sums.data();
  sums.dispose();
  const n = indices.length;
  return { count: n, acc: n ? (v[0] ?? 0) / n : 0, loss: n ? (v[1] ?? 0) / n : 0 };
}
