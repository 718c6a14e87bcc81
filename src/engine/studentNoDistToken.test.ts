// Tests for the student without the distillation token (distToken: false): parameter counts from DEIT-NOTES, a float64
// reference forward over [cls, patches], one head, fused = class head, and the distillation term on the class head.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, STUDENT_PRESETS, STUDENT_PRESET_NAMES, numTokens, studentParamCount } from './config';
import type { Split } from './data/dataset';
import { evaluate } from './evaluate';
import { distillationLoss } from './losses';
import { countParams, disposeParams } from './nn';
import { AdamW } from './optimizer';
import { mulberry32 } from './random';
import { createStudent, fuseLogits, studentForward, studentForwardWithInternals, type StudentModel } from './student';
import { TINY_ARCH, TINY_DATA, expectClose, nonNull, perturb, randImages, readParams, refForward, kept } from './testing/studentReference';
import { studentStep } from './train';

const fmnist = DATASETS['fashion-mnist'];

describe('parameter counts without the distillation token', () => {
  it('DeiT-Ti: 5,353,738 without the token, 5,356,052 with it (DEIT-NOTES), built and in closed form', () => {
    const m = createStudent(STUDENT_PRESETS['deit-ti'], fmnist, 0, false);
    try {
      expect(countParams(m.params)).toBe(5_353_738);
      expect(studentParamCount(STUDENT_PRESETS['deit-ti'], fmnist, false)).toBe(5_353_738);
      expect(studentParamCount(STUDENT_PRESETS['deit-ti'], fmnist, true)).toBe(5_356_052);
    } finally {
      disposeParams(m.params);
    }
  });

  it('deit-micro: 205,066 without the token, 205,844 with it', () => {
    const m = createStudent(STUDENT_PRESETS['deit-micro'], fmnist, 0, false);
    expect(countParams(m.params)).toBe(205_066);
    disposeParams(m.params);
    expect(studentParamCount(STUDENT_PRESETS['deit-micro'], fmnist, false)).toBe(205_066);
    expect(studentParamCount(STUDENT_PRESETS['deit-micro'], fmnist)).toBe(205_844);
  });

  it('leaves out exactly distToken, one position-embedding row and headDist, for every preset', () => {
    for (const name of STUDENT_PRESET_NAMES.filter((n) => n !== 'deit-ti')) {
      const arch = STUDENT_PRESETS[name];
      const m = createStudent(arch, fmnist, 1, false);
      expect(countParams(m.params), name).toBe(studentParamCount(arch, fmnist, false));
      expect(Object.keys(m.params).filter((k) => k.startsWith('distToken') || k.startsWith('headDist')), name).toEqual([]);
      expect(m.params['posEmbed']!.shape, name).toEqual([1, 49 + 1, arch.embedDim]);
      expect(m.distToken).toBe(false);
      disposeParams(m.params);
      const d = arch.embedDim;
      expect(studentParamCount(arch, fmnist) - studentParamCount(arch, fmnist, false), name).toBe(d + d + d * 10 + 10);
    }
    expect(numTokens(STUDENT_PRESETS['deit-nano'], 28, false)).toBe(50);
  });
});

describe('forward without the distillation token', () => {
  let model: StudentModel;
  let x: tf.Tensor4D;
  let imgs: number[][][][];

  beforeAll(async () => {
    model = createStudent(TINY_ARCH, TINY_DATA, 3, false);
    await perturb(model.params, 11);
    imgs = randImages(mulberry32(5), 3, 8, 2);
    x = tf.tensor4d(imgs);
  });
  afterAll(() => {
    disposeParams(model.params);
    x.dispose();
  });

  it('matches the float64 reference over [cls, patches] (class head and last attention); no distillation outputs', async () => {
    const params = await readParams(model);
    const out = kept(() => studentForwardWithInternals(model, x));
    expect(out.dist).toBeNull();
    expect(out.distEmbed).toBeNull();
    expect(out.lastAttention.shape).toEqual([3, 2, 5, 5]); // 4 patches + the class token
    const cls = out.cls.arraySync();
    const att = out.lastAttention.arraySync();
    imgs.forEach((img, b) => {
      const ref = refForward(model, params, img);
      expect(ref.dist).toBeNull();
      expect(ref.attn[0]).toHaveLength(5);
      ref.cls.forEach((v, c) => expectClose(cls[b]![c]!, v, `cls[${b}][${c}]`, 1e-4, 1e-4));
      ref.attn.forEach((rows, h) => rows.forEach((row, i) => row.forEach((w, j) => expectClose(att[b]![h]![i]![j]!, w, `attn[${b}][${h}][${i}][${j}]`, 1e-4, 1e-5))));
    });
    tf.dispose(nonNull(Object.values(out)));
  });

  it('fused logits are the class head exactly', () => {
    const out = kept(() => studentForward(model, x));
    const fused = fuseLogits(out);
    expect(fused.arraySync()).toEqual(out.cls.arraySync());
    tf.dispose([out.cls, fused]);
  });
});

describe('training and evaluation without the distillation token', () => {
  const opts = { alpha: 0.5, tau: 3, labelSmoothing: 0, lr: 1e-2, clipNorm: 0 };
  const teacherLogits = () => tf.tensor2d([[0, 1, 3, -1, 0], [1, 0, 0, 2.5, 0], [2, 0, 1, -2, 0.5], [0, 0, 1, 0, 2]]);

  it.each(['soft', 'hard'] as const)('a %s step puts the distillation term on the class head: distillationLoss(cls, cls, ...)', async (distillation) => {
    const m = createStudent({ ...TINY_ARCH, depth: 1 }, { ...TINY_DATA, channels: 1 }, 4, false);
    const x = tf.tensor4d(randImages(mulberry32(17), 4, 8, 1));
    const y = tf.tensor1d([0, 3, 1, 3], 'int32');
    const t = teacherLogits();
    const expected = tf.tidy(() => {
      const cls = studentForward(m, x).cls;
      const parts = distillationLoss(cls, cls, t, y, { distillation, alpha: opts.alpha, tau: opts.tau });
      return tf.stack([parts.total, parts.base, parts.distill]);
    });
    const want = await expected.data();
    const opt = new AdamW(m.params, { weightDecay: 0.05 });
    const before = tf.memory().numTensors;
    const losses = studentStep(m, opt, x, y, t, { ...opts, distillation });
    const got = [await losses.total.data(), await losses.base.data(), await losses.distill.data()].map((v) => v[0]!);
    got.forEach((v, i) => expectClose(v, want[i]!, ['total', 'base', 'distill'][i]!, 1e-6, 1e-6));
    expect(got[2]).toBeGreaterThan(0);
    tf.dispose(Object.values(losses));
    expect(tf.memory().numTensors).toBe(before); // the step keeps no tensor of its own
    opt.dispose();
    disposeParams(m.params);
    tf.dispose([x, y, t, expected]);
  });

  it('evaluate() reports no distillation-token accuracy (null) and fused accuracy equal to the class head', async () => {
    const info = DATASETS['fashion-mnist'];
    const n = 24;
    const rng = mulberry32(9);
    const split: Split = {
      count: n,
      images: Uint8Array.from({ length: n * 28 * 28 }, () => Math.floor(rng() * 256)),
      labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    };
    const m = createStudent(STUDENT_PRESETS['deit-nano'], info, 2, false);
    const r = await evaluate(m, null, split, info, Int32Array.from({ length: n }, (_, i) => i), 8, { distillation: 'hard', alpha: 0.5, tau: 3 });
    expect(r.distAcc).toBeNull();
    expect(r.fusedAcc).toBe(r.clsAcc);
    disposeParams(m.params);
  });
});
