// Tests for evaluate() and evaluateTeacher() against accuracies and losses recomputed in the test from raw logits.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, STUDENT_PRESETS } from './config';
import { makeBatch } from './data/batcher';
import type { Split } from './data/dataset';
import { evaluate, evaluateTeacher, TeacherLogitsCache } from './evaluate';
import { disposeParams } from './nn';
import { createStudent, studentForward, type StudentModel } from './student';
import { createTeacher, teacherForward, type TeacherModel } from './teacher';
import { mulberry32 } from './random';

const info = DATASETS['fashion-mnist'];
const N = 40;
// 37 of the 40 images, out of order, so evaluation with batch 8 ends on a partial batch of 5.
const INDICES = Int32Array.from({ length: 37 }, (_, i) => (i * 13 + 5) % N);
const BATCH = 8;



function argmax(row: number[]): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}

function crossEntropy(row: number[], label: number): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return lse - row[label]!;
}

/** Logits of all of INDICES in one batch, as plain arrays (the reference the test compares against). */
function logitsOf(split: Split, student: StudentModel, teacher: TeacherModel | null) {
  let out: { cls: number[][]; dist: number[][]; teacher: number[][] | null } | null = null;
  tf.tidy(() => {
    const { x } = makeBatch(split, info, INDICES);
    const o = studentForward(student, x);
    out = {
      cls: o.cls.arraySync(),
      dist: o.dist!.arraySync(),
      teacher: teacher ? teacherForward(teacher, x, 'im2col').arraySync() : null,
    };
  });
  return out!;
}

describe('evaluate', () => {
  let split: Split;
  let student: StudentModel;
  let teacher: TeacherModel;
  let ref: ReturnType<typeof logitsOf>;
  let fusedPred: number[];

  beforeAll(() => {
    const rng = mulberry32(1);
    const images = Uint8Array.from({ length: N * 28 * 28 }, () => Math.floor(rng() * 256));
    split = { images, labels: new Uint8Array(N), count: N };
    student = createStudent(STUDENT_PRESETS['deit-nano'], info, 2);
    teacher = createTeacher({ channels: [4], poolAfter: [true], hidden: 8 }, info, 3);
    ref = logitsOf(split, student, teacher);
    fusedPred = ref.cls.map((row, i) => argmax(row.map((v, c) => (v + ref.dist[i]![c]!) / 2)));
    // Labels chosen so the fused prediction is right on exactly the first 20 evaluated images, wrong on the rest.
    INDICES.forEach((img, i) => (split.labels[img] = i < 20 ? fusedPred[i]! : (fusedPred[i]! + 1) % 10));
  });
  afterAll(() => {
    disposeParams(student.params);
    disposeParams(teacher.params);
  });

  it('without a teacher: count, accuracies in [0, 1] recomputed from raw logits, null teacher metrics, CE loss', async () => {
    const before = tf.memory().numTensors;
    const m = await evaluate(student, null, split, info, INDICES, BATCH, { distillation: 'hard', alpha: 0.5, tau: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(m.count).toBe(37);
    const labels = Array.from(INDICES, (img) => split.labels[img]!);
    const acc = (preds: number[]) => preds.filter((p, i) => p === labels[i]).length / labels.length;
    expect(m.fusedAcc).toBeCloseTo(20 / 37, 12);
    expect(m.clsAcc).toBeCloseTo(acc(ref.cls.map(argmax)), 12);
    expect(m.distAcc).toBeCloseTo(acc(ref.dist.map(argmax)), 12);
    for (const a of [m.clsAcc, m.distAcc, m.fusedAcc]) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
    }
    expect(m.teacherAcc).toBeNull();
    expect(m.agreement).toBeNull();
    expect(m.predictions).toBeUndefined();
    // Without a teacher the loss falls back to 'none': the per-image mean CE of the class head, partial batch included.
    const ce = ref.cls.reduce((s, row, i) => s + crossEntropy(row, labels[i]!), 0) / labels.length;
    expect(m.loss.base).toBeCloseTo(ce, 4);
    expect(m.loss.total).toBeCloseTo(ce, 4);
    expect(m.loss.distill).toBe(0);
  });

  it('with a teacher: teacher accuracy, fused/teacher agreement and the distillation loss', async () => {
    const before = tf.memory().numTensors;
    const m = await evaluate(student, teacher, split, info, INDICES, BATCH, { distillation: 'hard', alpha: 0.25, tau: 3 }, 'im2col');
    expect(tf.memory().numTensors).toBe(before);
    const labels = Array.from(INDICES, (img) => split.labels[img]!);
    const tPred = ref.teacher!.map(argmax);
    expect(m.teacherAcc).toBeCloseTo(tPred.filter((p, i) => p === labels[i]).length / 37, 12);
    expect(m.agreement!.fused).toBeCloseTo(tPred.filter((p, i) => p === fusedPred[i]).length / 37, 12);
    expect(m.agreement!.cls).toBeCloseTo(tPred.filter((p, i) => p === argmax(ref.cls[i]!)).length / 37, 12);
    expect(m.agreement!.dist).toBeCloseTo(tPred.filter((p, i) => p === argmax(ref.dist[i]!)).length / 37, 12);
    expect(m.fusedAcc).toBeCloseTo(20 / 37, 12);
    const base = ref.cls.reduce((s, row, i) => s + crossEntropy(row, labels[i]!), 0) / 37;
    const distill = ref.dist.reduce((s, row, i) => s + crossEntropy(row, tPred[i]!), 0) / 37;
    expect(m.loss.base).toBeCloseTo(base, 4);
    expect(m.loss.distill).toBeCloseTo(distill, 4);
    expect(m.loss.total).toBeCloseTo(0.75 * base + 0.25 * distill, 4);
  });

  it('does not depend on the batch size', async () => {
    const opts = { distillation: 'soft' as const, alpha: 0.5, tau: 2 };
    const a = await evaluate(student, teacher, split, info, INDICES, 37, opts, 'im2col');
    const b = await evaluate(student, teacher, split, info, INDICES, 3, opts, 'im2col');
    expect(b.clsAcc).toBe(a.clsAcc);
    expect(b.fusedAcc).toBe(a.fusedAcc);
    expect(b.agreement).toEqual(a.agreement);
    expect(b.loss.total).toBeCloseTo(a.loss.total, 4);
    expect(b.loss.distill).toBeGreaterThan(0);
  });

  it('with a TeacherLogitsCache: same metrics, each batch of teacher logits computed once and reused, freed on dispose', async () => {
    const opts = { distillation: 'soft' as const, alpha: 0.5, tau: 2 };
    const own = createTeacher({ channels: [4], poolAfter: [true], hidden: 8 }, info, 3); // same seed as `teacher`
    const plain = await evaluate(student, own, split, info, INDICES, BATCH, opts, 'im2col');
    const cache = new TeacherLogitsCache(own);
    const before = tf.memory().numTensors;
    expect(await evaluate(student, own, split, info, INDICES, BATCH, opts, 'im2col', cache)).toEqual(plain);
    expect(cache.size).toBe(Math.ceil(INDICES.length / BATCH));
    expect(tf.memory().numTensors).toBe(before + cache.size);
    // Reused, not recomputed: zeroing the teacher changes nothing while its logits come from the cache...
    tf.tidy(() => Object.values(own.params).forEach((v) => v.assign(tf.zerosLike(v))));
    expect(await evaluate(student, own, split, info, INDICES, BATCH, opts, 'im2col', cache)).toEqual(plain);
    expect(tf.memory().numTensors).toBe(before + cache.size);
    // ...and a cache bound to another teacher is ignored.
    const other = await evaluate(student, teacher, split, info, INDICES, BATCH, opts, 'im2col', new TeacherLogitsCache(own));
    expect(other.agreement).toEqual(plain.agreement);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(own.params);
  });

  it('with predictions: every image’s top class per head, in index order, in the same read-back, over partial batches', async () => {
    const before = tf.memory().numTensors;
    const m = await evaluate(student, teacher, split, info, INDICES, BATCH, { distillation: 'hard', alpha: 0.5, tau: 3 }, 'im2col', undefined, true);
    expect(tf.memory().numTensors).toBe(before);
    const p = m.predictions!;
    expect(Array.from(p.cls)).toEqual(ref.cls.map(argmax));
    expect(Array.from(p.dist!)).toEqual(ref.dist!.map(argmax));
    expect(Array.from(p.fused)).toEqual(fusedPred);
    expect(Array.from(p.teacher!)).toEqual(ref.teacher!.map(argmax));
    const alone = await evaluate(student, null, split, info, INDICES, BATCH, { distillation: 'none', alpha: 0, tau: 1 }, undefined, undefined, true);
    expect(alone.predictions!.teacher).toBeNull();
    expect(Array.from(alone.predictions!.fused)).toEqual(fusedPred);
  });

  it('returns zeros for no images and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const m = await evaluate(student, null, split, info, [], BATCH, { distillation: 'none', alpha: 0, tau: 1 });
    expect(m).toEqual({ count: 0, clsAcc: 0, distAcc: 0, fusedAcc: 0, teacherAcc: null, agreement: null, loss: { total: 0, base: 0, distill: 0 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluateTeacher matches a manual accuracy and mean cross-entropy, without leaking', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluateTeacher(teacher, split, info, INDICES, BATCH, 'im2col');
    expect(tf.memory().numTensors).toBe(before);
    const labels = Array.from(INDICES, (img) => split.labels[img]!);
    const t = ref.teacher!;
    expect(r.count).toBe(37);
    expect(r.acc).toBeCloseTo(t.filter((row, i) => argmax(row) === labels[i]).length / 37, 12);
    expect(r.loss).toBeCloseTo(t.reduce((s, row, i) => s + crossEntropy(row, labels[i]!), 0) / 37, 4);
    // Agrees with evaluate()'s teacher accuracy on the same images.
    const m = await evaluate(student, teacher, split, info, INDICES, BATCH, { distillation: 'none', alpha: 0, tau: 1 }, 'im2col');
    expect(m.teacherAcc).toBe(r.acc);
  });
});
