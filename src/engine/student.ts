// The DeiT student: a ViT with a class token and a distillation token (deit models.py `DistilledVisionTransformer`),
// or, with `distToken` off, with the class token only (deit models.py `VisionTransformer`, one head).
import * as tf from '@tensorflow/tfjs-core';
import { extraTokens, type DatasetInfo, type StudentArch } from './config';
import { gelu, layerNorm, linear, param, ParamBuilder, type Params } from './nn';
import { attentionKernel, attentionWeightsKernel } from './webgpu/attention';
import { embedTokensKernel } from './webgpu/embed';
import { useWebGpuKernels } from './webgpu/program';

export interface StudentModel {
  readonly kind: 'student';
  readonly arch: StudentArch;
  readonly imageSize: number;
  readonly channels: number;
  readonly numClasses: number;
  /** Whether the model has the distillation token, its position-embedding row and `headDist`. */
  readonly distToken: boolean;
  readonly params: Params;
}

// A type alias (not an interface) so tf.tidy can return it: tidy wants an index-signature-compatible container.
export type StudentOutput = {
  /** `head` on the final class token: [B, C]. */
  cls: tf.Tensor2D;
  /** `headDist` on the final distillation token: [B, C]; null for a student without the distillation token. */
  dist: tf.Tensor2D | null;
};

export type StudentInternals = StudentOutput & {
  /** Final-norm class-token embedding [B, D]. */
  clsEmbed: tf.Tensor2D;
  /** Final-norm distillation-token embedding [B, D]; null without the distillation token. */
  distEmbed: tf.Tensor2D | null;
  /** Softmax attention of the last block [B, H, T, T]: T = N+2, order [cls, dist, patches]; without the token N+1, [cls, patches]. */
  lastAttention: tf.Tensor4D;
};

/**
 * Builds the student with DeiT's init: trunc_normal(0.02) for tokens, position embedding and every linear weight,
 * zero biases, LayerNorm gamma 1 / beta 0. The patch embedding is a stride-p conv in DeiT; here it is the same
 * linear map applied to flattened p x p patches (identical parameter count and function class). `distToken` false
 * leaves out the distillation token, its position-embedding row and `headDist` (DeiT without the ⚗ token).
 */
export function createStudent(
  arch: StudentArch, data: Pick<DatasetInfo, 'imageSize' | 'channels' | 'numClasses'>, seed: number, distToken = true,
): StudentModel {
  const { embedDim: d, depth, numHeads, mlpRatio, patchSize: p } = arch;
  if (d % numHeads !== 0) throw new Error(`embedDim ${d} is not divisible by numHeads ${numHeads}`);
  if (data.imageSize % p !== 0) throw new Error(`patch size ${p} does not divide image size ${data.imageSize}`);
  const numPatches = (data.imageSize / p) ** 2;
  const hidden = d * mlpRatio;
  const b = new ParamBuilder(seed);
  const lin = (name: string, inDim: number, outDim: number) => {
    b.truncNormal(`${name}.weight`, [inDim, outDim]);
    b.constant(`${name}.bias`, [outDim], 0);
  };
  const norm = (name: string) => {
    b.constant(`${name}.gamma`, [d], 1);
    b.constant(`${name}.beta`, [d], 0);
  };
  lin('patchEmbed', p * p * data.channels, d);
  b.truncNormal('clsToken', [1, 1, d]);
  if (distToken) b.truncNormal('distToken', [1, 1, d]);
  b.truncNormal('posEmbed', [1, numPatches + extraTokens(distToken), d]);
  for (let i = 0; i < depth; i++) {
    norm(`blocks.${i}.norm1`);
    lin(`blocks.${i}.attn.qkv`, d, 3 * d);
    lin(`blocks.${i}.attn.proj`, d, d);
    norm(`blocks.${i}.norm2`);
    lin(`blocks.${i}.mlp.fc1`, d, hidden);
    lin(`blocks.${i}.mlp.fc2`, hidden, d);
  }
  norm('norm');
  lin('head', d, data.numClasses);
  if (distToken) lin('headDist', d, data.numClasses);
  return { kind: 'student', arch, imageSize: data.imageSize, channels: data.channels, numClasses: data.numClasses, distToken, params: b.params };
}

/** Cuts [B, H, W, C] images into flattened non-overlapping p x p patches: [B, N, p*p*C] in row-major patch order. */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor3D {
  const [bsz, h, w, c] = x.shape;
  const gh = h / p;
  const gw = w / p;
  const grid = tf.reshape(x, [bsz, gh, p, gw, p, c]); // [B, gh, p, gw, p, C]
  const patches = tf.transpose(grid, [0, 1, 3, 2, 4, 5]); // [B, gh, gw, p, p, C]
  return tf.reshape(patches, [bsz, gh * gw, p * p * c]); // [B, N, p*p*C]
}

/**
 * Attention's core: softmax(q k^T / sqrt(hd)) v per head, heads merged, from the qkv projection's output [B, T, 3D]
 * (q, k, v side by side, each [T, H, hd] per image as PyTorch's reshape(B, N, 3, H, hd)) -> [B, T, D], and the
 * softmax weights [B, H, T, T] on demand: on WebGPU with the engine's kernels (webgpu/attention.ts) the forward never
 * materialises them, so only the insight views pay for them.
 */
export function attentionCore(qkv: tf.Tensor3D, numHeads: number): { merged: tf.Tensor3D; weights: () => tf.Tensor4D } {
  if (useWebGpuKernels()) return { merged: attentionKernel(qkv, numHeads), weights: () => attentionWeightsKernel(qkv, numHeads) };
  const [bsz, t, d3] = qkv.shape;
  const d = d3 / 3;
  const hd = d / numHeads;
  // qkv's [3, H] axes as one axis of 3H (index s*H + h), moved in front of T by a 4-D transpose, then split in three:
  // the same q, k, v as a [2, 0, 3, 1, 4] transpose of [B, T, 3, H, hd] and an unstack, with a transpose tfjs-wasm
  // runs ~10x faster (its 5-D transposes take a slow path).
  const heads3 = tf.transpose(tf.reshape(qkv, [bsz, t, 3 * numHeads, hd]), [0, 2, 1, 3]); // [B, 3H, T, hd]
  const [q, k, v] = tf.split(heads3, 3, 1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]; // each [B, H, T, hd]
  const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(hd)), k, false, true); // [B, H, T, T]
  const weights = tf.softmax(scores) as tf.Tensor4D; // [B, H, T, T]
  const ctx = tf.matMul(weights, v); // [B, H, T, hd]
  return { merged: tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [bsz, t, d]) as tf.Tensor3D, weights: () => weights };
}

/** Multi-head self-attention with one qkv projection (attentionCore). Returns the output and the weights on demand. */
function attention(x: tf.Tensor3D, params: Params, prefix: string, numHeads: number): { out: tf.Tensor3D; weights: () => tf.Tensor4D } {
  const [bsz, t, d] = x.shape;
  const qkv = tf.reshape(linear(x, params, `${prefix}.qkv`), [bsz, t, 3 * d]) as tf.Tensor3D; // [B, T, 3D]
  const { merged, weights } = attentionCore(qkv, numHeads);
  return { out: linear(merged, params, `${prefix}.proj`) as tf.Tensor3D, weights };
}

function checkInput(model: StudentModel, x: tf.Tensor4D): void {
  const [, h, w, c] = x.shape;
  if (x.rank !== 4 || h !== model.imageSize || w !== model.imageSize || c !== model.channels) {
    throw new Error(`student expects images [B, ${model.imageSize}, ${model.imageSize}, ${model.channels}], got [${x.shape}]`);
  }
}

/**
 * Sees each block's output tokens [B, T, D] and its softmax attention [B, H, T, T] as the forward pass computes them
 * (the insight views); the tensors belong to the caller's tidy scope.
 */
export type BlockTrace = (block: number, tokens: tf.Tensor3D, attention: tf.Tensor4D) => void;

/** Runs the trunk and returns the final-normed tokens [B, T, D] (T = N+2, or N+1 without the token) and the last block's attention. */
function trunk(model: StudentModel, x: tf.Tensor4D, trace?: BlockTrace): { tokens: tf.Tensor3D; lastAttention: () => tf.Tensor4D } {
  checkInput(model, x);
  const { params, arch } = model;
  const bsz = x.shape[0];
  const d = arch.embedDim;
  const patches = linear(patchify(x, arch.patchSize), params, 'patchEmbed', { inputIsData: true }); // [B, N, D]
  let h: tf.Tensor3D; // [B, T, D]
  if (useWebGpuKernels()) {
    h = embedTokensKernel(patches as tf.Tensor3D, param(params, 'clsToken'), model.distToken ? param(params, 'distToken') : null, param(params, 'posEmbed'));
  } else {
    // Broadcast by adding to zeros, not tf.tile: tile's gradient is one slice and one add per copy (2 x 2B kernels).
    const zeros = tf.zeros([bsz, 1, d]);
    const cls = tf.add(zeros, param(params, 'clsToken')); // [B, 1, D]
    const extra = model.distToken ? [cls, tf.add(zeros, param(params, 'distToken'))] : [cls]; // [B, 1, D] each
    h = tf.add(tf.concat([...extra, patches], 1), param(params, 'posEmbed')) as tf.Tensor3D;
  }
  let lastAttention: (() => tf.Tensor4D) | null = null;
  for (let i = 0; i < arch.depth; i++) {
    const p = `blocks.${i}`;
    const a = attention(layerNorm(h, params, `${p}.norm1`) as tf.Tensor3D, params, `${p}.attn`, arch.numHeads);
    h = tf.add(h, a.out);
    lastAttention = a.weights;
    const m = linear(gelu(linear(layerNorm(h, params, `${p}.norm2`), params, `${p}.mlp.fc1`)), params, `${p}.mlp.fc2`);
    h = tf.add(h, m) as tf.Tensor3D; // [B, T, D]
    if (trace) {
      const w = a.weights();
      trace(i, h, w);
      if (i === arch.depth - 1) lastAttention = () => w;
    }
  }
  if (!lastAttention) throw new Error('student has depth 0');
  if (h.shape[2] !== d) throw new Error(`trunk produced width ${h.shape[2]}, expected ${d}`);
  return { tokens: layerNorm(h, params, 'norm') as tf.Tensor3D, lastAttention };
}

function heads(model: StudentModel, tokens: tf.Tensor3D): Omit<StudentInternals, 'lastAttention'> {
  const [bsz, , d] = tokens.shape;
  const clsEmbed = tf.reshape(tf.slice(tokens, [0, 0, 0], [bsz, 1, d]), [bsz, d]) as tf.Tensor2D; // [B, D]
  const distEmbed = model.distToken ? tf.reshape(tf.slice(tokens, [0, 1, 0], [bsz, 1, d]), [bsz, d]) as tf.Tensor2D : null; // [B, D]
  return {
    clsEmbed,
    distEmbed,
    cls: linear(clsEmbed, model.params, 'head') as tf.Tensor2D, // [B, C]
    dist: distEmbed ? linear(distEmbed, model.params, 'headDist') as tf.Tensor2D : null, // [B, C]
  };
}

/** Training forward: both heads' logits (DeiT returns the pair in training mode). Call inside tf.tidy or a gradient tape. */
export function studentForward(model: StudentModel, x: tf.Tensor4D): StudentOutput {
  const { cls, dist } = heads(model, trunk(model, x).tokens);
  return { cls, dist };
}

/** Evaluation prediction: the mean of the two heads' logits, as DeiT does at inference; the class head alone without the token. [B, C] */
export function fuseLogits(out: StudentOutput): tf.Tensor2D {
  return out.dist ? tf.div(tf.add(out.cls, out.dist), 2) as tf.Tensor2D : tf.clone(out.cls);
}

/**
 * The logits the distillation term uses: `headDist`'s, or the class head's own when there is no distillation token
 * (then distillationLoss gets the class logits in both places: the paper's "usual distillation"). [B, C]
 */
export function distillTarget(out: StudentOutput): tf.Tensor2D {
  return out.dist ?? out.cls;
}

/**
 * Forward that also returns the final token embeddings and the last block's attention, and shows every block's
 * tokens and attention to `trace` (for the insight views, engine/insight.ts).
 */
export function studentForwardWithInternals(model: StudentModel, x: tf.Tensor4D, trace?: BlockTrace): StudentInternals {
  const { tokens, lastAttention } = trunk(model, x, trace);
  return { ...heads(model, tokens), lastAttention: lastAttention() };
}
