// Insight into the student, computed on the device: how similar the class and distillation tokens are after each
// block (DeiT section 4: 0.06 between the learned tokens, 0.93 at the last layer), where each token attends, and each
// head's predictions (agreement with the teacher, confusion). Each readout is one packed tensor and one read-back.
import * as tf from '@tensorflow/tfjs-core';
import { fuseLogits, studentForwardWithInternals, type StudentModel } from './student';

/** Tokens before the patches: [cls, dist], or [cls] without the distillation token. */
export function prefixTokens(model: StudentModel): number {
  return model.distToken ? 2 : 1;
}

/** Cosine of matching rows of a and b ([B, D] each): [B]. A zero row gives 0, not NaN. */
export function rowCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) throw new Error(`rowCosine: [${a.shape}] vs [${b.shape}]`);
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), -1); // [B]
    const norms = tf.mul(tf.norm(a, 'euclidean', -1), tf.norm(b, 'euclidean', -1)); // [B]
    return tf.div(dot, tf.maximum(norms, 1e-12)) as tf.Tensor1D;
  });
}

/** Token `i` of every image: [B, T, D] -> [B, D]. */
function token(h: tf.Tensor3D, i: number): tf.Tensor2D {
  const [b, , d] = h.shape;
  return tf.reshape(tf.slice(h, [0, i, 0], [b, 1, d]), [b, d]) as tf.Tensor2D; // [B, D]
}

/**
 * Mean over the images x of cos(class token, distillation token) after each block and after the final norm:
 * [depth + 1]. Call inside tf.tidy; the student must have a distillation token.
 */
export function tokenCosineByLayer(model: StudentModel, x: tf.Tensor4D): tf.Tensor1D {
  if (!model.distToken) throw new Error('tokenCosineByLayer: the student has no distillation token');
  const layers: tf.Tensor[] = [];
  const out = studentForwardWithInternals(model, x, (_, h) => layers.push(tf.mean(rowCosine(token(h, 0), token(h, 1)))));
  layers.push(tf.mean(rowCosine(out.clsEmbed, out.distEmbed!)));
  return tf.stack(layers) as tf.Tensor1D; // [depth + 1]
}

/** Cosine of the two learned token parameters themselves (DeiT: 0.06 after training). Call inside tf.tidy. */
export function tokenParamCosine(model: StudentModel): tf.Tensor1D {
  const d = model.arch.embedDim;
  const flat = (name: string) => tf.reshape(model.params[name]!, [1, d]) as tf.Tensor2D; // [1, D]
  return rowCosine(flat('clsToken'), flat('distToken')); // [1]
}

export interface SampleInsight {
  /**
   * Softmax attention rows of the prefix tokens in every block, [layer][token: 0 cls, 1 dist][head][T], where T is the
   * token count (prefix tokens, then the patches in row-major order): each row sums to 1.
   */
  attention: number[][][][];
  clsProbs: number[];
  /** Null without a distillation token. */
  distProbs: number[] | null;
  fusedProbs: number[];
  teacherLogits: number[] | null;
}

export interface InsightReadout {
  /** Mean cos(cls, dist) per layer over the probe images ([depth + 1]) and of the token parameters; null without either. */
  tokenCosine: { layers: number[]; params: number } | null;
  sample: SampleInsight | null;
}

/**
 * Token similarity over `probe` images and the attention and predictions for one `sample` image [1, H, W, C] (with
 * the teacher's logits of it, when given), packed on the device and read back once.
 */
export async function readInsight(
  model: StudentModel,
  probe: tf.Tensor4D | null,
  sample: tf.Tensor4D | null,
  teacherLogits: tf.Tensor2D | null,
): Promise<InsightReadout> {
  if (sample && sample.shape[0] !== 1) throw new Error(`readInsight: the sample must be one image, got [${sample.shape}]`);
  const dist = model.distToken;
  const withCosine = probe !== null && dist && probe.shape[0] > 0;
  const { depth, numHeads } = model.arch;
  const p = prefixTokens(model);
  const c = model.numClasses;
  let t = 0;
  const packed = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    if (withCosine) parts.push(tokenCosineByLayer(model, probe), tokenParamCosine(model));
    if (sample) {
      const rows: tf.Tensor[] = [];
      const out = studentForwardWithInternals(model, sample, (_, __, att) => {
        t = att.shape[3];
        rows.push(tf.slice(att, [0, 0, 0, 0], [1, numHeads, p, t])); // [1, H, P, T]: the prefix tokens' rows
      });
      parts.push(...rows.map((r) => tf.transpose(r, [0, 2, 1, 3]))); // each [1, P, H, T]
      parts.push(tf.softmax(out.cls));
      if (out.dist) parts.push(tf.softmax(out.dist));
      parts.push(tf.softmax(fuseLogits(out)));
      if (teacherLogits) parts.push(teacherLogits);
    }
    return parts.length ? (tf.concat(parts.map((x) => tf.reshape(x, [-1]))) as tf.Tensor1D) : tf.zeros([0]);
  });
  const v = await packed.data(); // the one read-back of this readout
  packed.dispose();
  let at = 0;
  const take = (n: number) => Array.from(v.subarray(at, (at += n)));
  const tokenCosine = withCosine ? { layers: take(depth + 1), params: take(1)[0]! } : null;
  let s: SampleInsight | null = null;
  if (sample) {
    const attention = Array.from({ length: depth }, () =>
      Array.from({ length: p }, () => Array.from({ length: numHeads }, () => take(t))));
    s = {
      attention,
      clsProbs: take(c),
      distProbs: dist ? take(c) : null,
      fusedProbs: take(c),
      teacherLogits: teacherLogits ? take(c) : null,
    };
  }
  return { tokenCosine, sample: s };
}

/** Argmax of each logits tensor ([B, C] each): [S, B] as float32 (exact: class ids are small integers). */
export function headPredictions(logits: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.stack(logits.map((l) => tf.argMax(l, -1))), 'float32') as tf.Tensor2D); // [S, B]
}

/** How many images each head's top class equals the teacher's: [S] counts, for heads [B, C] each. */
export function agreementCounts(heads: readonly tf.Tensor2D[], teacher: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const top = tf.argMax(teacher, -1); // [B]
    return tf.stack(heads.map((h) => tf.sum(tf.cast(tf.equal(tf.argMax(h, -1), top), 'float32')))) as tf.Tensor1D; // [S]
  });
}

export interface ConfusionTally {
  /** counts[trueClass * C + predicted]. */
  counts: number[];
  /** The first `maxExamples` image indices of each cell, in the order given. */
  examples: number[][];
}

/** A C x C confusion matrix (rows: true class, columns: prediction) from read-back labels and predictions. */
export function tallyConfusion(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  indices: ArrayLike<number>,
  numClasses: number,
  maxExamples: number,
): ConfusionTally {
  if (labels.length !== predicted.length || labels.length !== indices.length) {
    throw new Error(`tallyConfusion: ${labels.length} labels, ${predicted.length} predictions, ${indices.length} indices`);
  }
  const counts = new Array<number>(numClasses * numClasses).fill(0);
  const examples = Array.from({ length: numClasses * numClasses }, () => [] as number[]);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const k = predicted[i]!;
    if (!(y >= 0 && y < numClasses && k >= 0 && k < numClasses)) throw new RangeError(`tallyConfusion: class ${y} -> ${k} of ${numClasses}`);
    const cell = y * numClasses + k;
    counts[cell]!++;
    if (examples[cell]!.length < maxExamples) examples[cell]!.push(indices[i]!);
  }
  return { counts, examples };
}
