// A float64 reference of DeiT's student forward (timm Block / Attention, from the paper's code) and the helpers the
// student tests share: a tiny architecture, seeded images, parameter perturbation. Test-only: no product code imports it.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { StudentArch } from '../config';
import type { Params } from '../nn';
import { mulberry32 } from '../random';
import type { StudentModel } from '../student';

/** A tensor's values in float64, read with `await data()` (never `dataSync`: on WebGPU it destroys the device). */
export async function values(v: tf.Tensor): Promise<Float64Array> {
  return Float64Array.from(await v.data());
}

export function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  const mean = s / a.length;
  let q = 0;
  for (let i = 0; i < a.length; i++) q += (a[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(q / a.length) };
}

/**
 * Replaces every parameter by init + N(0, 0.3)-ish uniform noise (gamma around 1), so the tiny student computes a
 * function with O(1) activations and gradients: a meaningful target for a reference forward and finite differences.
 */
export async function perturb(params: Params, seed: number): Promise<void> {
  const rng = mulberry32(seed);
  for (const v of Object.values(params)) {
    const noise = Float32Array.from({ length: v.size }, () => (rng() * 2 - 1) * 0.5);
    const base = await v.data();
    tf.tidy(() => v.assign(tf.tensor(noise.map((n, i) => base[i]! + n), v.shape)));
  }
}

// ---------------------------------------------------------------------------------------------
// Float64 reference of DeiT's DistilledVisionTransformer forward (timm Block / Attention), from the paper's code.
// ---------------------------------------------------------------------------------------------

export type Vec = number[];

/** erf by its Maclaurin series (exact to ~1e-15 for |x| < 4) and +-1 beyond, for the exact GELU. */
function erf(x: number): number {
  if (Math.abs(x) >= 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export function refLinear(x: Vec, w: Float64Array, b: Float64Array, outDim: number): Vec {
  const out = Array.from(b);
  for (let i = 0; i < x.length; i++) for (let o = 0; o < outDim; o++) out[o]! += x[i]! * w[i * outDim + o]!;
  return out;
}

function refLayerNorm(x: Vec, gamma: Float64Array, beta: Float64Array): Vec {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-6)) * gamma[i]! + beta[i]!);
}

function softmax(z: Vec): Vec {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** The student's parameters in float64, read once for all the images refForward is given. */
export type RefParams = Readonly<Record<string, Float64Array>>;

export async function readParams(m: StudentModel): Promise<RefParams> {
  const entries = await Promise.all(Object.entries(m.params).map(async ([n, v]) => [n, await values(v)] as const));
  return Object.fromEntries(entries);
}

/**
 * One image [H][W][C] through the student: conv-style patch embedding, [cls, dist, patches] + pos, pre-norm blocks
 * with qkv split as reshape(T, 3, H, hd), final norm, head on token 0 and headDist on token 1. Without the
 * distillation token: [cls, patches] + pos, the head on token 0, and no distillation logits.
 */
export function refForward(m: StudentModel, params: RefParams, img: number[][][]): { cls: Vec; dist: Vec | null; attn: number[][][] } {
  const P = (n: string) => params[n]!;
  const { embedDim: d, depth, numHeads, patchSize: p, mlpRatio } = m.arch;
  const g = m.imageSize / p;
  const hd = d / numHeads;
  const tokens: Vec[] = m.distToken ? [Array.from(P('clsToken')), Array.from(P('distToken'))] : [Array.from(P('clsToken'))];
  for (let gy = 0; gy < g; gy++) {
    for (let gx = 0; gx < g; gx++) {
      const flat: Vec = [];
      for (let py = 0; py < p; py++) for (let px = 0; px < p; px++) for (let c = 0; c < m.channels; c++) flat.push(img[gy * p + py]![gx * p + px]![c]!);
      tokens.push(refLinear(flat, P('patchEmbed.weight'), P('patchEmbed.bias'), d));
    }
  }
  const pos = P('posEmbed');
  let h = tokens.map((t, i) => t.map((v, j) => v + pos[i * d + j]!));
  let attn: number[][][] = [];
  for (let b = 0; b < depth; b++) {
    const k = `blocks.${b}`;
    const qkv = h.map((t) => refLinear(refLayerNorm(t, P(`${k}.norm1.gamma`), P(`${k}.norm1.beta`)), P(`${k}.attn.qkv.weight`), P(`${k}.attn.qkv.bias`), 3 * d));
    const part = (t: Vec, s: number, head: number) => t.slice(s * d + head * hd, s * d + (head + 1) * hd);
    const ctx = h.map(() => new Array<number>(d).fill(0));
    attn = [];
    for (let head = 0; head < numHeads; head++) {
      const rows = qkv.map((qi) =>
        softmax(qkv.map((kj) => part(qi, 0, head).reduce((a, v, e) => a + v * part(kj, 1, head)[e]!, 0) / Math.sqrt(hd))),
      );
      attn.push(rows);
      rows.forEach((row, i) => row.forEach((w, j) => part(qkv[j]!, 2, head).forEach((v, e) => (ctx[i]![head * hd + e]! += w * v))));
    }
    h = h.map((t, i) => refLinear(ctx[i]!, P(`${k}.attn.proj.weight`), P(`${k}.attn.proj.bias`), d).map((v, j) => v + t[j]!));
    h = h.map((t) => {
      const u = refLinear(refLayerNorm(t, P(`${k}.norm2.gamma`), P(`${k}.norm2.beta`)), P(`${k}.mlp.fc1.weight`), P(`${k}.mlp.fc1.bias`), d * mlpRatio);
      const act = u.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
      return refLinear(act, P(`${k}.mlp.fc2.weight`), P(`${k}.mlp.fc2.bias`), d).map((v, j) => v + t[j]!);
    });
  }
  const normed = h.map((t) => refLayerNorm(t, P('norm.gamma'), P('norm.beta')));
  return {
    cls: refLinear(normed[0]!, P('head.weight'), P('head.bias'), m.numClasses),
    dist: m.distToken ? refLinear(normed[1]!, P('headDist.weight'), P('headDist.bias'), m.numClasses) : null,
    attn,
  };
}

// A tiny student: 2x2 patches of 4x4 on an 8x8x2 image (two channels to pin the patch flattening order).
export const TINY_ARCH: StudentArch = { embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4 };
export const TINY_DATA = { imageSize: 8, channels: 2, numClasses: 5 };

export function randImages(rng: () => number, b: number, s: number, c: number): number[][][][] {
  return Array.from({ length: b }, () => Array.from({ length: s }, () => Array.from({ length: s }, () => Array.from({ length: c }, () => Math.fround(rng() * 2 - 1)))));
}

export function expectClose(actual: number, expected: number, what: string, rtol: number, atol: number): void {
  expect(Math.abs(actual - expected), `${what}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(atol + rtol * Math.abs(expected));
}

/** The tensors of a forward's output, without the parts a student without the distillation token leaves null. */
export function nonNull(ts: readonly (tf.Tensor | null)[]): tf.Tensor[] {
  return ts.filter((t): t is tf.Tensor => t !== null);
}

/**
 * Runs `f` (a forward pass) inside tf.tidy and keeps only the tensors it returns: the intermediate tensors of a
 * forward called outside a tidy would otherwise stay alive (the engine's contract: call it inside tf.tidy or a tape).
 */
export function kept<T extends object>(f: () => T): T {
  let out: T | null = null;
  tf.tidy(() => {
    out = f();
    for (const v of Object.values(out)) if (v instanceof tf.Tensor) tf.keep(v);
  });
  return out!;
}
