// The insight sample: one test image through the student (both heads, last-block attention, token embeddings) and
// the teacher, packed into one tensor so the whole sample costs a single read-back.
import * as tf from '@tensorflow/tfjs-core';
import { extraTokens, type DatasetInfo } from '../engine/config';
import { makeBatch } from '../engine/data/batcher';
import type { Split } from '../engine/data/dataset';
import { fuseLogits, studentForwardWithInternals, type StudentModel } from '../engine/student';
import { teacherForward, type ConvImpl, type TeacherModel } from '../engine/teacher';
import type { Sample } from './protocol';

export interface SampleInput {
  student: StudentModel;
  teacher: TeacherModel | null;
  split: Split;
  info: DatasetInfo;
  index: number;
  tau: number;
  step: number;
  convImpl: ConvImpl;
}

/**
 * Builds a Sample. Attention: the last block's softmax weights [1, H, T, T] with token order [cls, dist, patches]
 * are averaged over heads; the cls row (0) and the dist row (1) restricted to the patch columns (2..) give
 * gridSize^2 weights each (they sum to less than 1: the rest goes to the two tokens themselves). Without the
 * distillation token the order is [cls, patches], and the distillation parts of the sample are null.
 */
export async function buildSample(s: SampleInput): Promise<Sample> {
  const { student, teacher, info } = s;
  if (!Number.isInteger(s.index) || s.index < 0 || s.index >= s.split.count) {
    throw new RangeError(`sample index ${s.index} is outside the test split [0, ${s.split.count})`);
  }
  const grid = student.imageSize / student.arch.patchSize;
  const n = grid * grid;
  const c = student.numClasses;
  const extra = extraTokens(student.distToken);
  const { x, y } = makeBatch(s.split, info, [s.index]);
  let packed: tf.Tensor1D;
  try {
    packed = tf.tidy(() => {
      const out = studentForwardWithInternals(student, x);
      const t = out.lastAttention.shape[2]; // N+2, or N+1 without the distillation token
      if (t !== n + extra) throw new Error(`attention has ${t} tokens, expected ${n + extra}`);
      const att = tf.mean(out.lastAttention, 1) as tf.Tensor3D; // [1, T, T], mean over heads
      const clsAtt = tf.slice(att, [0, 0, extra], [1, 1, n]); // [1, 1, N]
      const parts: tf.Tensor[] = [tf.softmax(out.cls), tf.softmax(fuseLogits(out)), clsAtt];
      if (out.dist && out.distEmbed) {
        const distAtt = tf.slice(att, [0, 1, extra], [1, 1, n]); // [1, 1, N]
        const dot = tf.sum(tf.mul(out.clsEmbed, out.distEmbed));
        const cosine = tf.div(dot, tf.mul(tf.norm(out.clsEmbed), tf.norm(out.distEmbed)));
        parts.push(tf.softmax(out.dist), distAtt, cosine);
      }
      if (teacher) {
        const logits = teacherForward(teacher, x, s.convImpl); // [1, C]
        parts.push(logits, tf.softmax(tf.div(logits, s.tau)));
      }
      return tf.concat(parts.map((p) => tf.reshape(p, [-1]))) as tf.Tensor1D;
    });
  } finally {
    tf.dispose([x, y]);
  }
  const v = await packed.data(); // the one read-back of a sample
  packed.dispose();
  let at = 0;
  const take = (len: number) => Array.from(v.subarray(at, (at += len)));
  const clsProbs = take(c);
  const fusedProbs = take(c);
  const clsAttention = take(n);
  const distProbs = student.distToken ? take(c) : null;
  const distAttention = student.distToken ? take(n) : null;
  const tokenCosine = student.distToken ? take(1)[0]! : null;
  const teacherLogits = teacher ? take(c) : null;
  const teacherProbs = teacher ? take(c) : null;
  const px = info.imageSize * info.imageSize * info.channels;
  return {
    index: s.index,
    label: s.split.labels[s.index]!,
    image: Array.from(s.split.images.subarray(s.index * px, (s.index + 1) * px)),
    imageSize: info.imageSize,
    tau: s.tau,
    teacherLogits,
    teacherProbs,
    clsProbs,
    distProbs,
    fusedProbs,
    clsAttention,
    distAttention,
    gridSize: grid,
    tokenCosine,
    step: s.step,
  };
}
