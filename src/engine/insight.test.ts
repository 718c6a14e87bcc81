// Tests for the insight readouts: the per-layer token cosine against a float64 reference forward of a tiny student,
// attention rows that are distributions, agreement and confusion against hand counts, and flat tensor counts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudentArch } from './config';
import { agreementCounts, headPredictions, readInsight, rowCosine, tallyConfusion, tokenCosineByLayer } from './insight';
import { disposeParams } from './nn';
import { mulberry32 } from './random';
import { createStudent, type StudentModel } from './student';

const TINY_ARCH: StudentArch = { embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4 };
const TINY_DATA = { imageSize: 8, channels: 2, numClasses: 5 };

type Vec = number[];
const val = (m: StudentModel, n: string) => Float64Array.from(m.params[n]!.dataSync());

function lin(x: Vec, w: Float64Array, b: Float64Array): Vec {
  const out = Array.from(b);
  for (let i = 0; i < x.length; i++) for (let o = 0; o < b.length; o++) out[o]! += x[i]! * w[i * b.length + o]!;
  return out;
}
function norm(x: Vec, g: Float64Array, b: Float64Array): Vec {
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-6)) * g[i]! + b[i]!);
}
function softmax(z: Vec): Vec {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / s);
}
function cosine(a: Vec, b: Vec): number {
  const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
  return dot / Math.sqrt(a.reduce((s, v) => s + v * v, 0) * b.reduce((s, v) => s + v * v, 0));
}
/** tanh-free exact GELU through erf by series (|x| small here). */
function gelu(x: number): number {
  let term = x / Math.SQRT2;
  let sum = term;
  const z = x / Math.SQRT2;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
    term *= (-z * z) / n;
    sum += term / (2 * n + 1);
  }
  return 0.5 * x * (1 + (2 / Math.sqrt(Math.PI)) * sum);
}

/** Float64 DeiT forward of one image [H][W][C]: the tokens after each block and after the final norm. */
function refLayers(m: StudentModel, img: number[][][]): Vec[][] {
  const P = (n: string) => val(m, n);
  const { embedDim: d, depth, numHeads, patchSize: p } = m.arch;
  const hd = d / numHeads;
  const g = m.imageSize / p;
  const tokens: Vec[] = [Array.from(P('clsToken')), Array.from(P('distToken'))];
  for (let gy = 0; gy < g; gy++) {
    for (let gx = 0; gx < g; gx++) {
      const flat: Vec = [];
      for (let py = 0; py < p; py++) for (let px = 0; px < p; px++) for (let c = 0; c < m.channels; c++) flat.push(img[gy * p + py]![gx * p + px]![c]!);
      tokens.push(lin(flat, P('patchEmbed.weight'), P('patchEmbed.bias')));
    }
  }
  const pos = P('posEmbed');
  let h = tokens.map((t, i) => t.map((v, j) => v + pos[i * d + j]!));
  const layers: Vec[][] = [];
  for (let b = 0; b < depth; b++) {
    const k = `blocks.${b}`;
    const qkv = h.map((t) => lin(norm(t, P(`${k}.norm1.gamma`), P(`${k}.norm1.beta`)), P(`${k}.attn.qkv.weight`), P(`${k}.attn.qkv.bias`)));
    const part = (t: Vec, s: number, head: number) => t.slice(s * d + head * hd, s * d + (head + 1) * hd);
    const ctx = h.map(() => new Array<number>(d).fill(0));
    for (let head = 0; head < numHeads; head++) {
      qkv.forEach((qi, i) => {
        const w = softmax(qkv.map((kj) => part(qi, 0, head).reduce((a, v, e) => a + v * part(kj, 1, head)[e]!, 0) / Math.sqrt(hd)));
        w.forEach((wj, j) => part(qkv[j]!, 2, head).forEach((v, e) => (ctx[i]![head * hd + e]! += wj * v)));
      });
    }
    h = h.map((t, i) => lin(ctx[i]!, P(`${k}.attn.proj.weight`), P(`${k}.attn.proj.bias`)).map((v, j) => v + t[j]!));
    h = h.map((t) => {
      const u = lin(norm(t, P(`${k}.norm2.gamma`), P(`${k}.norm2.beta`)), P(`${k}.mlp.fc1.weight`), P(`${k}.mlp.fc1.bias`)).map(gelu);
      return lin(u, P(`${k}.mlp.fc2.weight`), P(`${k}.mlp.fc2.bias`)).map((v, j) => v + t[j]!);
    });
    layers.push(h);
  }
  layers.push(h.map((t) => norm(t, P('norm.gamma'), P('norm.beta'))));
  return layers;
}

function randImages(seed: number, b: number): number[][][][] {
  const rng = mulberry32(seed);
  return Array.from({ length: b }, () => Array.from({ length: 8 }, () => Array.from({ length: 8 }, () => [Math.fround(rng() * 2 - 1), Math.fround(rng() * 2 - 1)])));
}

describe('token cosine', () => {
  let model: StudentModel;
  beforeAll(() => {
    model = createStudent(TINY_ARCH, TINY_DATA, 3);
    // O(1) parameters (init + uniform noise), so the tokens differ clearly from layer to layer.
    const rng = mulberry32(11);
    for (const v of Object.values(model.params)) {
      const base = v.dataSync();
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(base, (x) => x + (rng() * 2 - 1) * 0.5), v.shape)));
    }
  });
  afterAll(() => disposeParams(model.params));

  it('is 1 for identical embeddings, -1 for opposite ones, 0 for orthogonal ones and for a zero row', () => {
    const a = tf.tensor2d([[1, 2, 3], [0.5, -1, 0], [1, 0, 0], [0, 0, 0]]);
    const b = tf.tensor2d([[1, 2, 3], [-1, 2, 0], [0, 5, 0], [1, 1, 1]]);
    const c = rowCosine(a, b).arraySync();
    expect(c[0]).toBeCloseTo(1, 6);
    expect(c[1]).toBeCloseTo(-1, 6);
    expect(c[2]).toBeCloseTo(0, 6);
    expect(c[3]).toBe(0);
    tf.dispose([a, b]);
  });

  it('matches a float64 reference per layer (after each block and the final norm), averaged over the images', async () => {
    const imgs = randImages(5, 3);
    const x = tf.tensor4d(imgs);
    const got = tf.tidy(() => tokenCosineByLayer(model, x)).arraySync();
    const refs = imgs.map((img) => refLayers(model, img).map((tokens) => cosine(tokens[0]!, tokens[1]!)));
    expect(got).toHaveLength(TINY_ARCH.depth + 1);
    got.forEach((v, l) => {
      const ref = refs.reduce((s, r) => s + r[l]!, 0) / refs.length;
      expect(Math.abs(v - ref), `layer ${l}: ${v} vs ${ref}`).toBeLessThan(1e-5);
    });
    // The readout packs the same numbers, plus the cosine of the token parameters.
    const r = await readInsight(model, x, null, null);
    r.tokenCosine!.layers.forEach((v, l) => expect(v).toBeCloseTo(got[l]!, 6));
    expect(r.tokenCosine!.params).toBeCloseTo(cosine(Array.from(val(model, 'clsToken')), Array.from(val(model, 'distToken'))), 5);
    expect(r.sample).toBeNull();
    x.dispose();
  });

  it('attention rows of both tokens, over the patches and the two tokens, sum to 1 in every layer and head', async () => {
    const x = tf.tensor4d(randImages(6, 1));
    const logits = tf.tensor2d([[0, 1, 2, 3, 4]]);
    const r = await readInsight(model, null, x, logits);
    const s = r.sample!;
    expect(s.attention).toHaveLength(TINY_ARCH.depth);
    for (const layer of s.attention) {
      expect(layer).toHaveLength(2);
      for (const tokenRows of layer) {
        expect(tokenRows).toHaveLength(TINY_ARCH.numHeads);
        for (const row of tokenRows) {
          expect(row).toHaveLength(4 + 2);
          expect(row.every((w) => w >= 0)).toBe(true);
          expect(row.reduce((a, w) => a + w, 0)).toBeCloseTo(1, 5);
        }
      }
    }
    for (const probs of [s.clsProbs, s.distProbs!, s.fusedProbs]) expect(probs.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    expect(s.teacherLogits).toEqual([0, 1, 2, 3, 4]);
    expect(r.tokenCosine).toBeNull();
    tf.dispose([x, logits]);
  });

  it('keeps the tensor count flat across readouts', async () => {
    const probe = tf.tensor4d(randImages(7, 4));
    const one = tf.tensor4d(randImages(8, 1));
    await readInsight(model, probe, one, null);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await readInsight(model, probe, one, null);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([probe, one]);
  });
});

describe('agreement and confusion on fixed logits', () => {
  // Five images, three classes. Top classes: cls [0,1,2,2,0], dist [0,1,1,2,1], teacher [0,1,2,0,1], labels [0,1,2,2,1].
  const cls = [[5, 1, 0], [0, 3, 1], [0, 0, 2], [1, 0, 4], [9, 0, 0]];
  const dist = [[2, 1, 0], [0, 3, 1], [0, 7, 2], [1, 0, 4], [0, 3, 0]];
  const teacher = [[4, 0, 0], [1, 5, 0], [0, 1, 6], [8, 0, 1], [0, 2, 1]];
  const labels = [0, 1, 2, 2, 1];

  it('agreement counts equal a hand count', () => {
    const [c, d, t] = [cls, dist, teacher].map((a) => tf.tensor2d(a));
    expect(agreementCounts([c!, d!], t!).arraySync()).toEqual([3, 3]); // cls agrees on 0,1,2; dist on 0,1,4
    tf.dispose([c!, d!, t!]);
  });

  it('predictions and the confusion tally equal a hand count, with the first examples of each cell', () => {
    const [c, t] = [cls, teacher].map((a) => tf.tensor2d(a));
    const preds = headPredictions([c!, t!]).arraySync();
    expect(preds).toEqual([[0, 1, 2, 2, 0], [0, 1, 2, 0, 1]]);
    const indices = [10, 11, 12, 13, 14];
    const m = tallyConfusion(labels, preds[0]!, indices, 3, 1);
    // rows = true class: 0 -> [1,0,0]; 1 -> [1 (image 14 predicted 0), 1, 0]; 2 -> [0,0,2]
    expect(m.counts).toEqual([1, 0, 0, 1, 1, 0, 0, 0, 2]);
    expect(m.examples[2 * 3 + 2]).toEqual([12]); // at most one example per cell
    expect(m.examples[1 * 3 + 0]).toEqual([14]);
    const mt = tallyConfusion(labels, preds[1]!, indices, 3, 4);
    expect(mt.counts).toEqual([1, 0, 0, 0, 2, 0, 1, 0, 1]);
    expect(mt.counts.reduce((a, v) => a + v, 0)).toBe(5);
    expect(() => tallyConfusion([0, 3], [0, 0], [0, 1], 3, 1)).toThrow(/class 3/);
    tf.dispose([c!, t!]);
  });
});
