// Tests for the DeiT distillation losses against an independent float64 reference of facebookresearch/deit losses.py.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradient kernels; the union package does (the same import nn.ts relies on).
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { crossEntropy, distillationLoss, softmaxWithTemperature } from './losses';

type Mode = 'none' | 'soft' | 'hard';
type Opts = { distillation: Mode; alpha: number; tau: number; labelSmoothing?: number };
type Mat = number[][]; // [B, C]
type LossValues = { total: number; base: number; distill: number };

// ---------------------------------------------------------------------------------------------
// Float64 reference, written from the DeiT formulas only (log-sum-exp with max subtraction).
// ---------------------------------------------------------------------------------------------

function logSoftmaxRow(z: readonly number[], tau = 1): number[] {
  const s = z.map((v) => v / tau);
  const m = Math.max(...s);
  let sum = 0;
  for (const v of s) sum += Math.exp(v - m);
  const lse = m + Math.log(sum);
  return s.map((v) => v - lse);
}

function softmaxRow(z: readonly number[], tau = 1): number[] {
  return logSoftmaxRow(z, tau).map(Math.exp);
}

function argmaxRow(z: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < z.length; c++) if (z[c]! > z[best]!) best = c;
  return best;
}

/** Mean over the batch of -sum_c target_c log softmax(z)_c, target = (1-eps) onehot + eps/C (timm / torch). */
function refCrossEntropy(logits: Mat, labels: readonly number[], eps = 0): number {
  let total = 0;
  logits.forEach((row, b) => {
    const lp = logSoftmaxRow(row);
    const C = row.length;
    for (let c = 0; c < C; c++) {
      const target = (c === labels[b] ? 1 - eps : 0) + eps / C;
      total -= target * lp[c]!;
    }
  });
  return total / logits.length;
}

/** sum over all elements of p_t (log p_t - log p_s), times T^2 / numel (numel = B*C), as DeiT's kl_div(log_target). */
function refSoftKlSum(dist: Mat, teacher: Mat, tau: number): number {
  let sum = 0;
  dist.forEach((row, b) => {
    const lps = logSoftmaxRow(row, tau);
    const lpt = logSoftmaxRow(teacher[b]!, tau);
    for (let c = 0; c < row.length; c++) sum += Math.exp(lpt[c]!) * (lpt[c]! - lps[c]!);
  });
  return sum;
}

function refSoftDistill(dist: Mat, teacher: Mat, tau: number): number {
  const numel = dist.length * (dist[0]?.length ?? 0);
  return (refSoftKlSum(dist, teacher, tau) * tau * tau) / numel;
}

function refLoss(cls: Mat, dist: Mat, teacher: Mat, labels: readonly number[], opts: Opts): LossValues {
  const base = refCrossEntropy(cls, labels, opts.labelSmoothing ?? 0);
  if (opts.distillation === 'none') return { total: base, base, distill: 0 };
  // DeiT: the hard target is F.cross_entropy(outputs_kd, teacher.argmax(1)), i.e. without label smoothing.
  const distill =
    opts.distillation === 'soft' ? refSoftDistill(dist, teacher, opts.tau) : refCrossEntropy(dist, teacher.map(argmaxRow), 0);
  return { total: base * (1 - opts.alpha) + distill * opts.alpha, base, distill };
}

/** Central finite differences of a float64 scalar function of a matrix. */
function fdGrad(f: (m: Mat) => number, m: Mat, h = 1e-3): Mat {
  return m.map((row, i) =>
    row.map((v, j) => {
      const plus = m.map((r) => r.slice());
      const minus = m.map((r) => r.slice());
      plus[i]![j] = v + h;
      minus[i]![j] = v - h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Seeded data and comparison helpers.
// ---------------------------------------------------------------------------------------------

/** mulberry32, written out here so that the test does not depend on the engine's own PRNG. */
function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform logits in [-scale, scale), rounded to float32 so that the reference sees exactly what tfjs sees. */
function randMat(rng: () => number, B: number, C: number, scale: number): Mat {
  return Array.from({ length: B }, () => Array.from({ length: C }, () => Math.fround((rng() * 2 - 1) * scale)));
}

function randLabels(rng: () => number, B: number, C: number): number[] {
  return Array.from({ length: B }, () => Math.floor(rng() * C));
}

function expectClose(actual: number, expected: number, what: string, rtol = 1e-4, atol = 1e-4): void {
  expect(Number.isFinite(actual), `${what} is not finite: ${actual}`).toBe(true);
  const err = Math.abs(actual - expected);
  expect(err, `${what}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(atol + rtol * Math.abs(expected));
}

function expectMatClose(actual: Mat, expected: Mat, what: string, rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((row, i) => {
    expect(actual[i]?.length).toBe(row.length);
    row.forEach((e, j) => expectClose(actual[i]![j]!, e, `${what}[${i}][${j}]`, rtol, atol));
  });
}

async function scalarValue(s: tf.Scalar, what: string): Promise<number> {
  expect(s.rank, `${what} must be a scalar`).toBe(0);
  const v = (await s.data())[0];
  if (v === undefined) throw new Error(`${what} has no value`);
  return v;
}

async function matValue(t: tf.Tensor): Promise<Mat> {
  return (await t.array()) as Mat;
}

/** Runs distillationLoss on fresh tensors, reads the three scalars and disposes everything it created. */
async function evalLoss(cls: Mat, dist: Mat, teacher: Mat, labels: number[], opts: Opts): Promise<LossValues> {
  const [c, d, t] = [tf.tensor2d(cls), tf.tensor2d(dist), tf.tensor2d(teacher)];
  const lab = tf.tensor1d(labels, 'int32');
  try {
    const out = distillationLoss(c, d, t, lab, opts);
    const values = {
      total: await scalarValue(out.total, 'total'),
      base: await scalarValue(out.base, 'base'),
      distill: await scalarValue(out.distill, 'distill'),
    };
    tf.dispose([out.total, out.base, out.distill]);
    return values;
  } finally {
    tf.dispose([c, d, t, lab]);
  }
}

function expectLossClose(actual: LossValues, expected: LossValues, what: string, rtol = 1e-4, atol = 1e-4): void {
  expectClose(actual.base, expected.base, `${what} base`, rtol, atol);
  expectClose(actual.distill, expected.distill, `${what} distill`, rtol, atol);
  expectClose(actual.total, expected.total, `${what} total`, rtol, atol);
}

const MODES: Mode[] = ['none', 'soft', 'hard'];
const TAUS = [1, 3, 10];
const ALPHAS = [0, 0.5, 0.9];
const CLASSES = [2, 4, 10];
const SCALES = [3, 10, 30];

// ---------------------------------------------------------------------------------------------

describe('softmaxWithTemperature', () => {
  it('reproduces the classic temperature table for logits [30, 5, 2, 2] at T = 10', async () => {
    const p = Array.from(await softmaxWithTemperature(tf.tensor1d([30, 5, 2, 2]), 10).data());
    expect(p.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0.8308, 0.0682, 0.0505, 0.0505]);
    expectMatClose([p], [softmaxRow([30, 5, 2, 2], 10)], 'T=10', 1e-5, 1e-6);
  });

  it('keeps the tiny probabilities at T = 1 (relative check on 1.39e-11 and 6.91e-13)', async () => {
    const p = Array.from(await softmaxWithTemperature(tf.tensor1d([30, 5, 2, 2]), 1).data());
    expect(p).toHaveLength(4);
    expect(Math.round(p[0]! * 1e4) / 1e4).toBe(1);
    expect(Number(p[1]!.toPrecision(3))).toBe(1.39e-11);
    expect(Number(p[2]!.toPrecision(3))).toBe(6.91e-13);
    expect(Number(p[3]!.toPrecision(3))).toBe(6.91e-13);
    const ref = softmaxRow([30, 5, 2, 2], 1);
    p.forEach((v, i) => expectClose(v, ref[i]!, `p[${i}]`, 1e-4, 0));
  });

  it('normalises along the last axis of a batch and keeps the shape', async () => {
    const rng = makeRng(7);
    const z = randMat(rng, 5, 10, 30);
    for (const tau of TAUS) {
      const t = softmaxWithTemperature(tf.tensor2d(z), tau);
      expect(t.shape).toEqual([5, 10]);
      expectMatClose(
        await matValue(t),
        z.map((row) => softmaxRow(row, tau)),
        `tau=${tau}`,
        1e-4,
        1e-7,
      );
    }
  });
});

describe('crossEntropy', () => {
  it.each([0, 0.1])('matches the reference (mean over batch) with label smoothing %s', async (eps) => {
    const rng = makeRng(11);
    for (const C of CLASSES) {
      for (let B = 1; B <= 8; B += 3) {
        const logits = randMat(rng, B, C, 30);
        const labels = randLabels(rng, B, C);
        const ce = crossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), eps);
        expectClose(await scalarValue(ce, 'ce'), refCrossEntropy(logits, labels, eps), `B=${B} C=${C}`);
      }
    }
  });

  it('defaults to no label smoothing', async () => {
    const rng = makeRng(12);
    const logits = randMat(rng, 4, 10, 5);
    const labels = randLabels(rng, 4, 10);
    const ce = crossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'));
    expectClose(await scalarValue(ce, 'ce'), refCrossEntropy(logits, labels, 0), 'default');
  });

  it('has the analytic gradient (softmax(z) - target) / B', async () => {
    const rng = makeRng(13);
    const B = 3;
    const C = 4;
    const logits = randMat(rng, B, C, 3);
    const labels = randLabels(rng, B, C);
    const eps = 0.1;
    const g = tf.grad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, tf.tensor1d(labels, 'int32'), eps))(
      tf.tensor2d(logits),
    );
    const expected = logits.map((row, b) =>
      softmaxRow(row).map((p, c) => (p - ((c === labels[b] ? 1 - eps : 0) + eps / C)) / B),
    );
    expectMatClose(await matValue(g), expected, 'dCE/dz', 1e-4, 1e-6);
  });
});

describe('distillationLoss matches the float64 reference', () => {
  const caseRng = makeRng(2024);
  type Case = { name: string; type: Mode; tau: number; alpha: number; B: number; C: number; scale: number; seed: number };
  const cases: Case[] = [];
  let idx = 0;
  for (const type of MODES) {
    for (const tau of TAUS) {
      for (const alpha of ALPHAS) {
        const B = 1 + (idx % 8);
        const C = CLASSES[Math.floor(caseRng() * CLASSES.length)]!;
        const scale = SCALES[Math.floor(caseRng() * SCALES.length)]!;
        const name = `${type} tau=${tau} alpha=${alpha} B=${B} C=${C} |z|<${scale}`;
        cases.push({ name, type, tau, alpha, B, C, scale, seed: 100 + idx });
        idx++;
      }
    }
  }

  it.each(cases)('$name', async ({ type, tau, alpha, B, C, scale, seed }) => {
    const rng = makeRng(seed);
    const cls = randMat(rng, B, C, scale);
    const dist = randMat(rng, B, C, scale);
    const teacher = randMat(rng, B, C, scale);
    const labels = randLabels(rng, B, C);
    const opts: Opts = { distillation: type, alpha, tau };
    expectLossClose(await evalLoss(cls, dist, teacher, labels, opts), refLoss(cls, dist, teacher, labels, opts), type);
  });

  it('covers every batch size 1..8 and every C for each mode', async () => {
    const rng = makeRng(31);
    for (const type of MODES) {
      for (const C of CLASSES) {
        for (let B = 1; B <= 8; B++) {
          const cls = randMat(rng, B, C, 10);
          const dist = randMat(rng, B, C, 10);
          const teacher = randMat(rng, B, C, 10);
          const labels = randLabels(rng, B, C);
          const opts: Opts = { distillation: type, alpha: 0.5, tau: 3 };
          expectLossClose(
            await evalLoss(cls, dist, teacher, labels, opts),
            refLoss(cls, dist, teacher, labels, opts),
            `${type} B=${B} C=${C}`,
          );
        }
      }
    }
  });

  it.each(MODES.flatMap((type) => [1, 3].map((tau) => ({ type, tau }))))(
    'label smoothing 0.1 applies to the base term only ($type, tau=$tau)',
    async ({ type, tau }) => {
      const rng = makeRng(41 + tau);
      const cls = randMat(rng, 6, 10, 10);
      const dist = randMat(rng, 6, 10, 10);
      const teacher = randMat(rng, 6, 10, 10);
      const labels = randLabels(rng, 6, 10);
      const opts: Opts = { distillation: type, alpha: 0.5, tau, labelSmoothing: 0.1 };
      const got = await evalLoss(cls, dist, teacher, labels, opts);
      expectLossClose(got, refLoss(cls, dist, teacher, labels, opts), `${type} smoothed`);
      // The smoothed base must differ from the unsmoothed one, or the option was ignored.
      const plain = await evalLoss(cls, dist, teacher, labels, { ...opts, labelSmoothing: 0 });
      expect(Math.abs(got.base - plain.base)).toBeGreaterThan(1e-3);
    },
  );

  it('normalises soft distillation by numel = B*C (not B) and scales by T*T', async () => {
    const rng = makeRng(51);
    const B = 4;
    const C = 10;
    const dist = randMat(rng, B, C, 5);
    const teacher = randMat(rng, B, C, 5);
    const cls = randMat(rng, B, C, 5);
    const labels = randLabels(rng, B, C);
    for (const tau of TAUS) {
      const got = await evalLoss(cls, dist, teacher, labels, { distillation: 'soft', alpha: 0.5, tau });
      const klSum = refSoftKlSum(dist, teacher, tau);
      expectClose(got.distill, (klSum * tau * tau) / (B * C), `tau=${tau}`);
    }
  });

  it('is finite and matches the reference for logits of magnitude 30..100', async () => {
    const rng = makeRng(61);
    const big = (B: number, C: number): Mat =>
      Array.from({ length: B }, () =>
        Array.from({ length: C }, () => Math.fround((rng() < 0.5 ? -1 : 1) * (30 + 70 * rng()))),
      );
    for (const type of MODES) {
      for (const tau of TAUS) {
        const B = 5;
        const C = 10;
        const cls = big(B, C);
        const dist = big(B, C);
        const teacher = big(B, C);
        // Label the smallest class logit, so that the cross-entropy is as large as it gets (~200).
        const labels = cls.map((row) => row.indexOf(Math.min(...row)));
        const opts: Opts = { distillation: type, alpha: 0.5, tau };
        expectLossClose(
          await evalLoss(cls, dist, teacher, labels, opts),
          refLoss(cls, dist, teacher, labels, opts),
          `${type} tau=${tau}`,
        );
      }
    }
  });
});

describe('distillationLoss invariants', () => {
  it('soft distill is 0 when the distillation head equals the teacher', async () => {
    const rng = makeRng(71);
    for (const tau of TAUS) {
      for (const scale of [5, 30]) {
        const cls = randMat(rng, 4, 10, scale);
        const z = randMat(rng, 4, 10, scale);
        const labels = randLabels(rng, 4, 10);
        const got = await evalLoss(cls, z, z.map((r) => r.slice()), labels, { distillation: 'soft', alpha: 0.5, tau });
        expect(Math.abs(got.distill), `tau=${tau} scale=${scale}: ${got.distill}`).toBeLessThanOrEqual(1e-6);
      }
    }
  });

  it('alpha = 0 gives total = base and alpha = 1 gives total = distill (soft and hard)', async () => {
    const rng = makeRng(72);
    for (const type of ['soft', 'hard'] as const) {
      for (const tau of TAUS) {
        const cls = randMat(rng, 3, 4, 10);
        const dist = randMat(rng, 3, 4, 10);
        const teacher = randMat(rng, 3, 4, 10);
        const labels = randLabels(rng, 3, 4);
        const a0 = await evalLoss(cls, dist, teacher, labels, { distillation: type, alpha: 0, tau });
        expectClose(a0.total, a0.base, `${type} alpha=0`, 1e-6, 1e-6);
        const a1 = await evalLoss(cls, dist, teacher, labels, { distillation: type, alpha: 1, tau });
        expectClose(a1.total, a1.distill, `${type} alpha=1`, 1e-6, 1e-6);
      }
    }
  });

  it("'none' ignores the distillation head, the teacher, alpha and tau", async () => {
    const rng = makeRng(73);
    const cls = randMat(rng, 5, 4, 10);
    const labels = randLabels(rng, 5, 4);
    const none = (alpha: number, tau: number): Opts => ({ distillation: 'none', alpha, tau });
    const ref = await evalLoss(cls, randMat(rng, 5, 4, 10), randMat(rng, 5, 4, 10), labels, none(0.5, 3));
    expect(ref.distill).toBe(0);
    expect(ref.total).toBe(ref.base);
    for (const alpha of [0, 0.5, 0.9, 1]) {
      for (const tau of TAUS) {
        const got = await evalLoss(cls, randMat(rng, 5, 4, 30), randMat(rng, 5, 4, 30), labels, none(alpha, tau));
        expect(got).toEqual(ref);
      }
    }
  });

  it('soft distill is never negative (random and near-equal heads)', async () => {
    const rng = makeRng(74);
    for (let k = 0; k < 40; k++) {
      const B = 1 + (k % 8);
      const C = CLASSES[k % 3]!;
      const tau = TAUS[Math.floor(k / 3) % 3]!;
      const teacher = randMat(rng, B, C, SCALES[k % 3]!);
      const noise = [1e-3, 0.1, 1, 30][k % 4]!;
      const dist = teacher.map((row) => row.map((v) => Math.fround(v + (rng() * 2 - 1) * noise)));
      const cls = randMat(rng, B, C, 3);
      const labels = randLabels(rng, B, C);
      const got = await evalLoss(cls, dist, teacher, labels, { distillation: 'soft', alpha: 0.5, tau });
      // -1e-6 only allows float32 rounding when the two distributions nearly coincide.
      expect(got.distill, `case ${k}`).toBeGreaterThanOrEqual(-1e-6);
      expectClose(got.distill, refSoftDistill(dist, teacher, tau), `case ${k}`);
    }
  });

  it('soft loss is invariant to adding a constant per row to the teacher logits', async () => {
    const rng = makeRng(75);
    for (const tau of TAUS) {
      const cls = randMat(rng, 6, 10, 10);
      const dist = randMat(rng, 6, 10, 10);
      const teacher = randMat(rng, 6, 10, 10);
      const labels = randLabels(rng, 6, 10);
      const shifted = teacher.map((row) => {
        const k = (rng() * 2 - 1) * 50;
        return row.map((v) => Math.fround(v + k));
      });
      const opts: Opts = { distillation: 'soft', alpha: 0.5, tau };
      const a = await evalLoss(cls, dist, teacher, labels, opts);
      const b = await evalLoss(cls, dist, shifted, labels, opts);
      expectLossClose(b, a, `tau=${tau}`);
    }
  });

  it('hard distillation depends on the teacher only through its argmax', async () => {
    const rng = makeRng(76);
    for (const tau of TAUS) {
      const B = 6;
      const C = 10;
      const cls = randMat(rng, B, C, 10);
      const dist = randMat(rng, B, C, 10);
      const teacher = randMat(rng, B, C, 10);
      const labels = randLabels(rng, B, C);
      // Same argmax per row, otherwise unrelated values.
      const sameArgmax = teacher.map((row) => {
        const other = randMat(rng, 1, C, 30)[0]!;
        other[argmaxRow(row)] = Math.max(...other) + 1 + rng();
        return other;
      });
      const opts: Opts = { distillation: 'hard', alpha: 0.5, tau };
      const a = await evalLoss(cls, dist, teacher, labels, opts);
      const b = await evalLoss(cls, dist, sameArgmax, labels, opts);
      expectLossClose(b, a, `tau=${tau}`, 1e-6, 1e-6);
      // And it does follow the argmax: moving it changes the loss and matches CE(dist, argmax).
      const moved = teacher.map((row) => {
        const r = row.slice();
        r[(argmaxRow(row) + 1) % C] = Math.max(...row) + 5;
        return r;
      });
      const c = await evalLoss(cls, dist, moved, labels, opts);
      expectClose(c.distill, refCrossEntropy(dist, moved.map(argmaxRow)), `tau=${tau} moved`);
      expect(Math.abs(c.distill - a.distill)).toBeGreaterThan(1e-3);
    }
  });

  it('hard distill equals the exported crossEntropy on argmax(teacher)', async () => {
    const rng = makeRng(77);
    const dist = randMat(rng, 5, 4, 10);
    const teacher = randMat(rng, 5, 4, 10);
    const cls = randMat(rng, 5, 4, 10);
    const labels = randLabels(rng, 5, 4);
    const got = await evalLoss(cls, dist, teacher, labels, { distillation: 'hard', alpha: 0.5, tau: 3 });
    const ce = crossEntropy(tf.tensor2d(dist), tf.tensor1d(teacher.map(argmaxRow), 'int32'));
    expectClose(got.distill, await scalarValue(ce, 'ce'), 'hard vs crossEntropy', 1e-6, 1e-6);
  });
});

describe('distillationLoss gradients', () => {
  const B = 3;
  const C = 4;

  function fixture(seed: number): { cls: Mat; dist: Mat; teacher: Mat; labels: number[] } {
    const rng = makeRng(seed);
    const [cls, dist, teacher] = [randMat(rng, B, C, 3), randMat(rng, B, C, 3), randMat(rng, B, C, 3)];
    return { cls, dist, teacher, labels: randLabels(rng, B, C) };
  }

  const gradCases = MODES.flatMap((type) =>
    TAUS.map((tau, i) => ({ type, tau, alpha: ALPHAS[i]!, labelSmoothing: i === 1 ? 0.1 : 0 })),
  );

  it.each(gradCases)(
    'tf.variableGrads of total matches finite differences ($type, tau=$tau, alpha=$alpha, eps=$labelSmoothing)',
    async ({ type, tau, alpha, labelSmoothing }) => {
      const { cls, dist, teacher, labels } = fixture(81 + tau);
      const opts: Opts = { distillation: type, alpha, tau, labelSmoothing };
      const clsVar = tf.variable(tf.tensor2d(cls));
      const distVar = tf.variable(tf.tensor2d(dist));
      const teacherT = tf.tensor2d(teacher);
      const labelsT = tf.tensor1d(labels, 'int32');
      const { value, grads } = tf.variableGrads(
        () =>
          distillationLoss(clsVar as tf.Variable<tf.Rank.R2>, distVar as tf.Variable<tf.Rank.R2>, teacherT, labelsT, opts)
            .total,
        [clsVar, distVar],
      );
      expectClose(await scalarValue(value, 'total'), refLoss(cls, dist, teacher, labels, opts).total, 'value');
      const gCls = grads[clsVar.name];
      expect(gCls, 'no gradient for the class head').toBeDefined();
      expectMatClose(
        await matValue(gCls!),
        fdGrad((m) => refLoss(m, dist, teacher, labels, opts).total, cls),
        'd total / d cls',
        1e-3,
        1e-4,
      );
      const fdDist = fdGrad((m) => refLoss(cls, m, teacher, labels, opts).total, dist);
      const gDist = grads[distVar.name];
      // In 'none' mode the distillation head is disconnected; a missing gradient means zero.
      const gDistValue = gDist ? await matValue(gDist) : dist.map((r) => r.map(() => 0));
      expectMatClose(gDistValue, fdDist, 'd total / d dist', 1e-3, 1e-4);
      tf.dispose([value, clsVar, distVar, teacherT, labelsT, ...Object.values(grads)]);
    },
  );

  it.each(gradCases.filter((c) => c.type !== 'none'))(
    'tf.grads over [cls, dist] matches finite differences ($type, tau=$tau, alpha=$alpha)',
    async ({ type, tau, alpha, labelSmoothing }) => {
      const { cls, dist, teacher, labels } = fixture(91 + tau);
      const opts: Opts = { distillation: type, alpha, tau, labelSmoothing };
      const teacherT = tf.tensor2d(teacher);
      const labelsT = tf.tensor1d(labels, 'int32');
      const f = (c: tf.Tensor, d: tf.Tensor): tf.Tensor =>
        distillationLoss(c as tf.Tensor2D, d as tf.Tensor2D, teacherT, labelsT, opts).total;
      const [gCls, gDist] = tf.grads(f)([tf.tensor2d(cls), tf.tensor2d(dist)]);
      const fdCls = fdGrad((m) => refLoss(m, dist, teacher, labels, opts).total, cls);
      const fdDist = fdGrad((m) => refLoss(cls, m, teacher, labels, opts).total, dist);
      expectMatClose(await matValue(gCls!), fdCls, 'cls', 1e-3, 1e-4);
      expectMatClose(await matValue(gDist!), fdDist, 'dist', 1e-3, 1e-4);
    },
  );

  const analytic = 'soft: d distill / d dist = (softmax(dist/T) - softmax(teacher/T)) * T / numel (tau=%s)';
  it.each(TAUS)(analytic, async (tau) => {
    const { cls, dist, teacher, labels } = fixture(101 + tau);
    const opts: Opts = { distillation: 'soft', alpha: 0.5, tau };
    const g = tf.grad((d: tf.Tensor) =>
      distillationLoss(tf.tensor2d(cls), d as tf.Tensor2D, tf.tensor2d(teacher), tf.tensor1d(labels, 'int32'), opts)
        .distill,
    )(tf.tensor2d(dist));
    const numel = B * C;
    const expected = dist.map((row, b) => {
      const ps = softmaxRow(row, tau);
      const pt = softmaxRow(teacher[b]!, tau);
      return ps.map((p, c) => ((p - pt[c]!) * tau) / numel);
    });
    expectMatClose(await matValue(g), expected, 'd distill / d dist', 1e-4, 1e-6);
  });

  it.each(MODES)('the teacher receives no gradient (%s)', async (type) => {
    const { cls, dist, teacher, labels } = fixture(111);
    const opts: Opts = { distillation: type, alpha: 0.5, tau: 3 };
    let g: tf.Tensor | undefined;
    try {
      g = tf.grad((t: tf.Tensor) =>
        distillationLoss(tf.tensor2d(cls), tf.tensor2d(dist), t as tf.Tensor2D, tf.tensor1d(labels, 'int32'), opts)
          .total,
      )(tf.tensor2d(teacher));
    } catch (err) {
      // A teacher cut out of the tape is as good as a zero gradient; any other error is a failure.
      expect(String(err)).toMatch(/gradient/i);
      return;
    }
    // DeiT runs the teacher under torch.no_grad(); tfjs has no stopGradient, so the loss itself must cut the teacher
    // off (e.g. a tf.customGrad identity with a zero gradient), or a teacher forward inside the tape would be trained.
    for (const row of await matValue(g)) for (const v of row) expect(Math.abs(v), `${type}: teacher gradient`).toBe(0);
  });

  it('a trainable teacher variable gets no (or a zero) gradient from tf.variableGrads', async () => {
    const { cls, dist, teacher, labels } = fixture(112);
    for (const type of MODES) {
      const clsVar = tf.variable(tf.tensor2d(cls));
      const distVar = tf.variable(tf.tensor2d(dist));
      const teacherVar = tf.variable(tf.tensor2d(teacher));
      const labelsT = tf.tensor1d(labels, 'int32');
      const { value, grads } = tf.variableGrads(
        () =>
          distillationLoss(
            clsVar as tf.Variable<tf.Rank.R2>,
            distVar as tf.Variable<tf.Rank.R2>,
            teacherVar as tf.Variable<tf.Rank.R2>,
            labelsT,
            { distillation: type, alpha: 0.5, tau: 3 },
          ).total,
        [clsVar, distVar, teacherVar],
      );
      const gTeacher = grads[teacherVar.name];
      if (gTeacher) for (const row of await matValue(gTeacher)) for (const v of row) expect(Math.abs(v), type).toBe(0);
      tf.dispose([value, clsVar, distVar, teacherVar, labelsT, ...Object.values(grads)]);
    }
  });

  it('gradients stay finite for logits of magnitude 100', async () => {
    const rng = makeRng(121);
    // |z| in [30, 100]: stretch uniform [-1, 1) away from zero.
    const big = (): Mat =>
      randMat(rng, 4, 10, 1).map((r) => r.map((v) => Math.fround(v < 0 ? v * 70 - 30 : v * 70 + 30)));
    for (const type of ['soft', 'hard'] as const) {
      for (const tau of TAUS) {
        const cls = big();
        const dist = big();
        const teacher = big();
        const labels = randLabels(rng, 4, 10);
        const opts: Opts = { distillation: type, alpha: 0.5, tau };
        const [gCls, gDist] = tf.grads((c: tf.Tensor, d: tf.Tensor) =>
          distillationLoss(c as tf.Tensor2D, d as tf.Tensor2D, tf.tensor2d(teacher), tf.tensor1d(labels, 'int32'), opts)
            .total,
        )([tf.tensor2d(cls), tf.tensor2d(dist)]);
        const fdCls = fdGrad((m) => refLoss(m, dist, teacher, labels, opts).total, cls);
        expectMatClose(await matValue(gCls!), fdCls, `${type} tau=${tau} cls`, 1e-3, 1e-4);
        for (const row of await matValue(gDist!)) {
          for (const v of row) expect(Number.isFinite(v), `${type} tau=${tau}`).toBe(true);
        }
      }
    }
  });
});

describe('distillation into the class head (a student without the distillation token)', () => {
  // The paper's "usual distillation" rows: the same distillationLoss, called with the class logits in both places.
  const cases = [
    ...TAUS.map((tau) => ({ distillation: 'soft' as const, tau, alpha: 0.1 })),
    { distillation: 'soft' as const, tau: 3, alpha: 0.5 },
    { distillation: 'hard' as const, tau: 3, alpha: 0.5 },
    { distillation: 'hard' as const, tau: 1, alpha: 0.9 },
  ];

  it.each(cases)('$distillation tau=$tau alpha=$alpha: (1-alpha) CE(cls, y) + alpha * term(cls, teacher)', async (opts) => {
    const rng = makeRng(300 + opts.tau * 10 + opts.alpha * 100);
    for (const [B, C, scale] of [[1, 2, 3], [5, 10, 10], [8, 4, 30]] as const) {
      const cls = randMat(rng, B, C, scale);
      const teacher = randMat(rng, B, C, scale);
      const labels = randLabels(rng, B, C);
      // Written out for the class head alone, independently of refLoss's argument order.
      const base = refCrossEntropy(cls, labels);
      const distill = opts.distillation === 'soft' ? refSoftDistill(cls, teacher, opts.tau) : refCrossEntropy(cls, teacher.map(argmaxRow));
      const expected = { total: (1 - opts.alpha) * base + opts.alpha * distill, base, distill };
      const got = await evalLoss(cls, cls, teacher, labels, opts);
      expectLossClose(got, expected, `B=${B} C=${C}`);
      expectLossClose(got, refLoss(cls, cls, teacher, labels, opts), `refLoss B=${B} C=${C}`);
    }
  });

  it.each(cases)('$distillation tau=$tau alpha=$alpha: the gradient sums both uses of the class logits', async (opts) => {
    const rng = makeRng(400 + opts.tau);
    const cls = randMat(rng, 3, 5, 3);
    const teacher = randMat(rng, 3, 5, 3);
    const labels = randLabels(rng, 3, 5);
    const t = tf.tensor2d(teacher);
    const y = tf.tensor1d(labels, 'int32');
    const g = tf.grad((c: tf.Tensor) => distillationLoss(c as tf.Tensor2D, c as tf.Tensor2D, t, y, opts).total)(tf.tensor2d(cls));
    const fd = fdGrad((m) => refLoss(m, m, teacher, labels, opts).total, cls);
    expectMatClose(await matValue(g), fd, 'd total / d cls', 1e-3, 1e-5);
    tf.dispose([t, y, g]);
  });
});

describe('distillationLoss memory', () => {
  function inputs(seed: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
    const rng = makeRng(seed);
    return [
      tf.tensor2d(randMat(rng, 4, 10, 5)),
      tf.tensor2d(randMat(rng, 4, 10, 5)),
      tf.tensor2d(randMat(rng, 4, 10, 5)),
      tf.tensor1d(randLabels(rng, 4, 10), 'int32'),
    ];
  }

  it.each(MODES)('inside tf.tidy leaves numTensors unchanged once the outputs are disposed (%s)', (type) => {
    const [cls, dist, teacher, labels] = inputs(131);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const out = tf.tidy(() => {
        const opts: Opts = { distillation: type, alpha: 0.5, tau: 3, labelSmoothing: 0.1 };
        const { total, base, distill } = distillationLoss(cls, dist, teacher, labels, opts);
        return [total, base, distill];
      });
      tf.dispose(out);
      expect(tf.memory().numTensors).toBe(before);
    }
    for (const t of [cls, dist, teacher, labels]) expect(t.isDisposed).toBe(false);
    tf.dispose([cls, dist, teacher, labels]);
  });

  it.each(MODES)('without tf.tidy it frees its own intermediates and leaves the inputs alive (%s)', async (type) => {
    const [cls, dist, teacher, labels] = inputs(132);
    const clsBefore = await cls.array();
    const before = tf.memory().numTensors;
    const out = distillationLoss(cls, dist, teacher, labels, { distillation: type, alpha: 0.5, tau: 3, labelSmoothing: 0.1 });
    tf.dispose([out.total, out.base, out.distill]);
    expect(tf.memory().numTensors).toBe(before);
    for (const t of [cls, dist, teacher, labels]) expect(t.isDisposed).toBe(false);
    expect(await cls.array()).toEqual(clsBefore);
    tf.dispose([cls, dist, teacher, labels]);
  });
});
