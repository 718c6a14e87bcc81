// Tests for the DeiT student: parameter counts against DEIT-NOTES and the closed form, a float64 reference forward of a
// tiny student, init statistics, finite-difference gradients of the distillation loss, and gradient routing per mode.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, STUDENT_PRESETS, STUDENT_PRESET_NAMES, studentParamCount, type Distillation, type StudentArch } from './config';
import { distillationLoss } from './losses';
import { countParams, disposeParams } from './nn';
import { AdamW } from './optimizer';
import { mulberry32 } from './random';
import { createStudent, fuseLogits, patchify, studentForward, studentForwardWithInternals, type StudentModel } from './student';
import { createTeacher, teacherForward } from './teacher';
import { TINY_ARCH, TINY_DATA, expectClose, nonNull, perturb, randImages, readParams, refForward, refLinear, stats, values, kept } from './testing/studentReference';
import { gradsOf, studentStep } from './train';

const fmnist = DATASETS['fashion-mnist'];

describe('parameter counts', () => {
  it('deit-ti has exactly 5,356,052 parameters (DEIT-NOTES) and the closed form agrees', () => {
    const m = createStudent(STUDENT_PRESETS['deit-ti'], fmnist, 0);
    try {
      expect(countParams(m.params)).toBe(5_356_052);
      expect(studentParamCount(STUDENT_PRESETS['deit-ti'], fmnist)).toBe(5_356_052);
    } finally {
      disposeParams(m.params);
    }
  });

  it('the 64-dim depth-4 preset has 205,844 parameters (DEIT-NOTES)', () => {
    const m = createStudent(STUDENT_PRESETS['deit-micro'], fmnist, 0);
    expect(countParams(m.params)).toBe(205_844);
    disposeParams(m.params);
  });

  it('countParams == studentParamCount for every preset and for odd architectures', () => {
    const archs: [string, StudentArch, typeof TINY_DATA][] = [
      ...STUDENT_PRESET_NAMES.filter((n) => n !== 'deit-ti').map((n) => [n, STUDENT_PRESETS[n], fmnist] as [string, StudentArch, typeof TINY_DATA]),
      ['tiny', TINY_ARCH, TINY_DATA],
      ['patch 7, mlp 3', { embedDim: 12, depth: 3, numHeads: 3, mlpRatio: 3, patchSize: 7 }, fmnist],
    ];
    for (const [name, arch, data] of archs) {
      const m = createStudent(arch, data, 1);
      expect(countParams(m.params), name).toBe(studentParamCount(arch, data));
      disposeParams(m.params);
    }
  });

  it('names parameters as in DeiT and rejects impossible architectures', () => {
    const m = createStudent(STUDENT_PRESETS['deit-nano'], fmnist, 0);
    expect(Object.keys(m.params)).toEqual(expect.arrayContaining(['clsToken', 'distToken', 'posEmbed', 'blocks.0.attn.qkv.weight', 'head.weight', 'headDist.weight']));
    expect(m.params['posEmbed']!.shape).toEqual([1, 49 + 2, 32]);
    expect(m.params['blocks.0.attn.qkv.weight']!.shape).toEqual([32, 96]);
    disposeParams(m.params);
    const before = tf.memory().numTensors;
    expect(() => createStudent({ ...TINY_ARCH, numHeads: 3 }, TINY_DATA, 0)).toThrow(/embedDim 8 is not divisible by numHeads 3/);
    expect(() => createStudent({ ...TINY_ARCH, patchSize: 3 }, TINY_DATA, 0)).toThrow(/patch size 3 does not divide image size 8/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('initialisation', () => {
  it('the same seed gives identical parameters; another seed differs', async () => {
    const a = createStudent(STUDENT_PRESETS['deit-nano'], fmnist, 42);
    const b = createStudent(STUDENT_PRESETS['deit-nano'], fmnist, 42);
    const c = createStudent(STUDENT_PRESETS['deit-nano'], fmnist, 43);
    try {
      for (const name of Object.keys(a.params)) {
        expect(await values(b.params[name]!), name).toEqual(await values(a.params[name]!));
      }
      for (const name of ['clsToken', 'posEmbed', 'blocks.0.attn.qkv.weight', 'headDist.weight']) {
        expect(await values(c.params[name]!), name).not.toEqual(await values(a.params[name]!));
      }
    } finally {
      [a, b, c].forEach((m) => disposeParams(m.params));
    }
  });

  it('disposeParams frees every tensor and byte a model allocated', () => {
    const before = tf.memory();
    const m = createStudent(STUDENT_PRESETS['deit-micro'], fmnist, 0);
    const during = tf.memory();
    expect(during.numTensors - before.numTensors).toBe(Object.keys(m.params).length);
    expect(during.numBytes - before.numBytes).toBe(4 * 205_844);
    disposeParams(m.params);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('follows DeiT: trunc_normal(0.02) weights and tokens, zero biases, LayerNorm gamma 1 / beta 0', async () => {
    const m = createStudent(STUDENT_PRESETS['deit-micro'], fmnist, 7);
    try {
      for (const [name, v] of Object.entries(m.params)) {
        const a = await values(v);
        if (name.endsWith('.bias') || name.endsWith('.beta')) expect(a.every((x) => x === 0), name).toBe(true);
        else if (name.endsWith('.gamma')) expect(a.every((x) => x === 1), name).toBe(true);
        else {
          const { mean, std } = stats(a);
          // The smallest such tensors (clsToken, 64 values) get a looser bound: std of a 64-sample std is ~9%.
          const tol = a.length >= 4096 ? 0.05 : 0.3;
          expect(Math.abs(std / 0.02 - 1), `${name} std ${std}`).toBeLessThan(tol);
          expect(Math.abs(mean), `${name} mean ${mean}`).toBeLessThan((4 * 0.02) / Math.sqrt(a.length));
          expect(Math.max(...a.map(Math.abs)), name).toBeLessThan(0.2); // ~6 sigma at most in 200k samples
        }
      }
    } finally {
      disposeParams(m.params);
    }
  });
});

describe('patchify', () => {
  it('matches a hand-computed index mapping: out[b, gy*gw+gx, (py*p+px)*C+c] = x[b, gy*p+py, gx*p+px, c]', () => {
    const [B, H, W, C, p] = [2, 4, 6, 3, 2];
    const x = tf.tensor4d(Array.from({ length: B * H * W * C }, (_, i) => i), [B, H, W, C]);
    const out = patchify(x, p);
    expect(out.shape).toEqual([B, (H / p) * (W / p), p * p * C]);
    const got = out.arraySync();
    const xs = x.arraySync();
    for (let b = 0; b < B; b++)
      for (let gy = 0; gy < H / p; gy++)
        for (let gx = 0; gx < W / p; gx++)
          for (let py = 0; py < p; py++)
            for (let px = 0; px < p; px++)
              for (let c = 0; c < C; c++) {
                expect(got[b]![gy * (W / p) + gx]![(py * p + px) * C + c]).toBe(xs[b]![gy * p + py]![gx * p + px]![c]);
              }
    // One spot value by hand: batch 1, patch (gy 1, gx 2) = index 5, pixel (py 1, px 0), channel 2 -> x[1, 3, 4, 2].
    expect(got[1]![5]![(1 * 2 + 0) * 3 + 2]).toBe(((1 * H + 3) * W + 4) * C + 2);
    tf.dispose([x, out]);
  });
});

describe('forward', () => {
  let model: StudentModel;
  let x: tf.Tensor4D;
  let imgs: number[][][][];

  beforeAll(async () => {
    model = createStudent(TINY_ARCH, TINY_DATA, 3);
    await perturb(model.params, 11);
    imgs = randImages(mulberry32(5), 3, 8, 2);
    x = tf.tensor4d(imgs);
  });
  afterAll(() => {
    disposeParams(model.params);
    x.dispose();
  });

  it('matches a float64 reference of DeiT (both heads and the last attention) on a tiny perturbed student', async () => {
    const params = await readParams(model);
    const out = kept(() => studentForwardWithInternals(model, x));
    const cls = out.cls.arraySync();
    const dist = out.dist!.arraySync();
    const att = out.lastAttention.arraySync();
    imgs.forEach((img, b) => {
      const ref = refForward(model, params, img);
      ref.cls.forEach((v, c) => expectClose(cls[b]![c]!, v, `cls[${b}][${c}]`, 1e-4, 1e-4));
      ref.dist!.forEach((v, c) => expectClose(dist[b]![c]!, v, `dist[${b}][${c}]`, 1e-4, 1e-4));
      ref.attn.forEach((rows, h) => rows.forEach((row, i) => row.forEach((w, j) => expectClose(att[b]![h]![i]![j]!, w, `attn[${b}][${h}][${i}][${j}]`, 1e-4, 1e-5))));
    });
    tf.dispose(nonNull(Object.values(out)));
  });

  it('returns [B, C] for both heads on Fashion-MNIST-shaped input, and internals of the documented shapes', () => {
    const before = tf.memory().numTensors;
    const m = createStudent(STUDENT_PRESETS['deit-nano'], fmnist, 0);
    const img = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    // Plain objects of tensors: tf.tidy's container type accepts no null (this student has the distillation token).
    const o = tf.tidy(() => ((r) => ({ cls: r.cls, dist: r.dist! }))(studentForward(m, img)));
    expect(o.cls.shape).toEqual([3, 10]);
    expect(o.dist!.shape).toEqual([3, 10]);
    const i = tf.tidy(() => ((r) => ({ ...r, dist: r.dist!, distEmbed: r.distEmbed! }))(studentForwardWithInternals(m, img)));
    expect(i.clsEmbed.shape).toEqual([3, 32]);
    expect(i.distEmbed!.shape).toEqual([3, 32]);
    expect(i.lastAttention.shape).toEqual([3, 2, 51, 51]);
    // Same heads from both entry points.
    expect(i.cls.arraySync()).toEqual(o.cls.arraySync());
    expect(i.dist!.arraySync()).toEqual(o.dist!.arraySync());
    // Attention rows are probability distributions.
    const rowSums = tf.tidy(() => tf.sum(i.lastAttention, -1).dataSync());
    expect(rowSums.length).toBe(3 * 2 * 51);
    for (const s of rowSums) expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    expect(tf.tidy(() => tf.min(i.lastAttention).dataSync()[0])).toBeGreaterThanOrEqual(0);
    tf.dispose([o.cls, o.dist!, i.cls, i.dist!, i.clsEmbed, i.distEmbed!, i.lastAttention, img]);
    disposeParams(m.params);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clsEmbed/distEmbed are the final-normed tokens 0 and 1, and the heads are linear maps of them', async () => {
    const i = kept(() => studentForwardWithInternals(model, x));
    const ce = i.clsEmbed.arraySync();
    const de = i.distEmbed!.arraySync();
    const W = await values(model.params['head.weight']!);
    const bias = await values(model.params['head.bias']!);
    const Wd = await values(model.params['headDist.weight']!);
    const bd = await values(model.params['headDist.bias']!);
    const cls = i.cls.arraySync();
    const dist = i.dist!.arraySync();
    for (let b = 0; b < 3; b++) {
      refLinear(ce[b]!, W, bias, 5).forEach((v, c) => expectClose(cls[b]![c]!, v, 'cls from clsEmbed', 1e-5, 1e-5));
      refLinear(de[b]!, Wd, bd, 5).forEach((v, c) => expectClose(dist[b]![c]!, v, 'dist from distEmbed', 1e-5, 1e-5));
    }
    // The two tokens differ: the distillation token is not a copy of the class token.
    expect(ce[0]).not.toEqual(de[0]);
    tf.dispose(nonNull(Object.values(i)));
  });

  it('fuseLogits is the mean of the two heads', () => {
    const cls = tf.tensor2d([[1, 2, -4], [0, 0.5, 3]]);
    const dist = tf.tensor2d([[3, 6, 0], [1, -0.5, -3]]);
    expect(fuseLogits({ cls, dist }).arraySync()).toEqual([[2, 4, -2], [0.5, 0, 0]]);
    const out = kept(() => studentForward(model, x));
    const fused = fuseLogits(out).arraySync();
    const c = out.cls.arraySync();
    const d = out.dist!.arraySync();
    fused.forEach((row, b) => row.forEach((v, k) => expectClose(v, (c[b]![k]! + d[b]![k]!) / 2, 'fused', 1e-6, 1e-7)));
    tf.dispose([cls, dist, out.cls, out.dist!]);
  });

  it('throws a descriptive error on a wrong input shape', () => {
    const wrong = [tf.zeros([2, 8, 8, 3]), tf.zeros([2, 28, 28, 2]), tf.zeros([2, 8, 6, 2])] as tf.Tensor4D[];
    expect(() => studentForward(model, wrong[0]!)).toThrow('student expects images [B, 8, 8, 2], got [2,8,8,3]');
    expect(() => studentForward(model, wrong[1]!)).toThrow(/student expects images \[B, 8, 8, 2\]/);
    expect(() => studentForwardWithInternals(model, wrong[2]!)).toThrow(/got \[2,8,6,2\]/);
    tf.dispose(wrong);
  });
});

describe('gradients of the distillation loss', () => {
  let model: StudentModel;
  let x: tf.Tensor4D;
  let y: tf.Tensor1D;
  let teacherLogits: tf.Tensor2D;

  beforeAll(async () => {
    model = createStudent({ ...TINY_ARCH, depth: 1 }, { ...TINY_DATA, channels: 1 }, 9);
    await perturb(model.params, 21);
    const rng = mulberry32(17);
    x = tf.tensor4d(randImages(rng, 4, 8, 1));
    y = tf.tensor1d([0, 3, 1, 3], 'int32');
    // Teacher argmax [2, 3, 0, 4]: it disagrees with two labels, so the hard target is not the label.
    teacherLogits = tf.tensor2d([[0, 1, 3, -1, 0], [1, 0, 0, 2.5, 0], [2, 0, 1, -2, 0.5], [0, 0, 1, 0, 2]]);
  });
  afterAll(() => {
    disposeParams(model.params);
    tf.dispose([x, y, teacherLogits]);
  });

  const lossFn = (type: Distillation) => () =>
    distillationLoss(...((o) => [o.cls, o.dist!] as const)(studentForward(model, x)), teacherLogits, y, { distillation: type, alpha: 0.4, tau: 2 }).total;

  function lossAt(type: Distillation): number {
    return tf.tidy(() => lossFn(type)().dataSync()[0]!);
  }

  /** The largest-magnitude analytic gradient entries of `name`, against central differences. */
  async function checkParam(type: Distillation, name: string, grads: Record<string, tf.Tensor>): Promise<void> {
    const g = await values(grads[name]!);
    const v = model.params[name]!;
    const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!));
    const eps = 1e-2;
    for (const idx of order.slice(0, 2)) {
      const orig = v.dataSync().slice();
      const at = (delta: number) => {
        const w = orig.slice();
        w[idx] = orig[idx]! + delta;
        tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
        return lossAt(type);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      tf.tidy(() => v.assign(tf.tensor(orig, v.shape)));
      const analytic = g[idx]!;
      expect(Math.abs(analytic), `${type} ${name}[${idx}] gradient is too small to check`).toBeGreaterThan(1e-3);
      const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric));
      expect(rel, `${type} ${name}[${idx}]: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(2e-2);
    }
  }

  for (const type of ['none', 'soft', 'hard'] as const) {
    it(`matches central finite differences in '${type}' mode`, async () => {
      const before = await values(model.params['clsToken']!);
      const { loss, grads } = gradsOf(model.params, () => ({ loss: lossFn(type)(), extras: {} }));
      expect(Math.abs(loss.dataSync()[0]! - lossAt(type))).toBeLessThan(1e-6);
      const names = ['clsToken', 'posEmbed', 'patchEmbed.weight', 'blocks.0.norm1.gamma', 'blocks.0.attn.qkv.weight', 'blocks.0.mlp.fc1.weight', 'head.weight'];
      // In 'none' mode the distillation token only reaches the loss through attention, and headDist not at all.
      if (type !== 'none') names.push('distToken', 'headDist.weight', 'headDist.bias');
      else names.push('distToken');
      for (const name of names) await checkParam(type, name, grads);
      expect(await values(model.params['clsToken']!)).toEqual(before); // the check restored every entry
      tf.dispose([loss, ...Object.values(grads)]);
    });
  }

  it("gives headDist no gradient in 'none' mode and a non-zero one in 'soft' and 'hard'", () => {
    const norm = (g: tf.Tensor | undefined) => (g ? tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!) : 0);
    for (const type of ['none', 'soft', 'hard'] as const) {
      const { loss, grads } = gradsOf(model.params, () => ({ loss: lossFn(type)(), extras: {} }));
      for (const name of ['headDist.weight', 'headDist.bias']) {
        if (type === 'none') expect(norm(grads[name]), `${type} ${name}`).toBe(0);
        else expect(norm(grads[name]), `${type} ${name}`).toBeGreaterThan(1e-3);
      }
      expect(norm(grads['head.weight'])).toBeGreaterThan(1e-3);
      tf.dispose([loss, ...Object.values(grads)]);
    }
  });

  it("leaves headDist bit-identical after a 'none' training step (no gradient, so no weight decay either)", async () => {
    const m = createStudent({ ...TINY_ARCH, depth: 1 }, { ...TINY_DATA, channels: 1 }, 4);
    const opt = new AdamW(m.params, { weightDecay: 0.05 });
    const headDist = await values(m.params['headDist.weight']!);
    const head = await values(m.params['head.weight']!);
    const losses = studentStep(m, opt, x, y, null, { distillation: 'none', alpha: 0.5, tau: 3, labelSmoothing: 0, lr: 1e-2, clipNorm: 0 });
    expect(await values(m.params['headDist.weight']!)).toEqual(headDist);
    expect(await values(m.params['head.weight']!)).not.toEqual(head);
    tf.dispose(Object.values(losses));
    opt.dispose();
    disposeParams(m.params);
  });

  it('gives the teacher no gradient from the student loss, even with the teacher forward on the tape', () => {
    const arch = { channels: [2], poolAfter: [true], hidden: 4 }; // a reduced arch, for speed
    const teacher = createTeacher(arch, { ...TINY_DATA, channels: 1 }, 1);
    for (const type of ['soft', 'hard'] as const) {
      const all = { ...model.params, ...teacher.params };
      const { value, grads } = tf.variableGrads(() => {
        const o = studentForward(model, x);
        return distillationLoss(o.cls, o.dist!, teacherForward(teacher, x, 'im2col'), y, { distillation: type, alpha: 0.7, tau: 2 }).total;
      }, Object.values(all));
      for (const v of Object.values(teacher.params)) {
        const g = grads[v.name];
        const mag = g ? tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) : 0;
        expect(mag, `${type} ${v.name}`).toBe(0);
      }
      const s = grads[model.params['headDist.weight']!.name]!;
      expect(tf.tidy(() => tf.max(tf.abs(s)).dataSync()[0]!)).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads)]);
    }
    disposeParams(teacher.params);
  });
});
