// The insight views' data as the worker builds it: the token similarity and the attention sample of each evaluation
// (engine readInsight, one read-back), the confusion matrices of a test evaluation, and test images by index.
import * as tf from '@tensorflow/tfjs-core';
import type { DatasetInfo } from '../engine/config';
import { makeBatch } from '../engine/data/batcher';
import type { Split } from '../engine/data/dataset';
import type { HeadPredictions } from '../engine/evaluate';
import { readInsight, tallyConfusion } from '../engine/insight';
import type { StudentModel } from '../engine/student';
import { teacherForward, type ConvImpl, type TeacherModel } from '../engine/teacher';
import { EXAMPLES_PER_CELL, type Confusion, type ConfusionSource, type Sample, type TestImage, type TokenCosine } from './protocol';

/** Images of the evaluation subset (its first ones) over which the token similarity is averaged. */
export const PROBE_IMAGES = 256;

export interface InsightInput {
  student: StudentModel;
  teacher: TeacherModel | null;
  split: Split;
  info: DatasetInfo;
  /** Probe images (indices into split); null: no token similarity. */
  probe: ArrayLike<number> | null;
  /** The attention maps' image; null: no sample. */
  sampleIndex: number | null;
  step: number;
  convImpl: ConvImpl;
}

/** The token similarity over the probe images and the sample, computed on the device and read back once. */
export async function buildInsight(s: InsightInput): Promise<{ tokenCosine: TokenCosine | null; sample: Sample | null }> {
  const i = s.sampleIndex;
  if (i !== null && (!Number.isInteger(i) || i < 0 || i >= s.split.count)) {
    throw new RangeError(`sample index ${i} is outside the test split [0, ${s.split.count})`);
  }
  const probe = s.probe && s.probe.length > 0 ? makeBatch(s.split, s.info, s.probe) : null;
  const one = i !== null ? makeBatch(s.split, s.info, [i]) : null;
  const teacher = s.teacher;
  const logits = one && teacher ? tf.tidy(() => teacherForward(teacher, one.x, s.convImpl)) : null;
  try {
    const r = await readInsight(s.student, probe?.x ?? null, one?.x ?? null, logits);
    const tokenCosine = r.tokenCosine && probe ? { ...r.tokenCosine, count: probe.y.shape[0] } : null;
    if (i === null || !r.sample) return { tokenCosine, sample: null };
    const px = s.info.imageSize * s.info.imageSize * s.info.channels;
    return {
      tokenCosine,
      sample: {
        index: i,
        label: s.split.labels[i]!,
        image: Array.from(s.split.images.subarray(i * px, (i + 1) * px)),
        imageSize: s.info.imageSize,
        gridSize: s.student.imageSize / s.student.arch.patchSize,
        step: s.step,
        ...r.sample,
      },
    };
  } finally {
    for (const t of [probe?.x, probe?.y, one?.x, one?.y, logits]) t?.dispose();
  }
}

/** Confusion matrices of every head (and the teacher) from a test evaluation's read-back predictions. */
export function confusionOf(p: HeadPredictions, split: Split, indices: ArrayLike<number>, numClasses: number): Confusion {
  const labels = Array.from(indices, (i) => split.labels[i]!);
  const sources: [ConfusionSource, Int32Array | null][] = [['fused', p.fused], ['cls', p.cls], ['dist', p.dist], ['teacher', p.teacher]];
  const out: Confusion = { numClasses, counts: {}, examples: {} };
  for (const [source, preds] of sources) {
    if (!preds) continue;
    const t = tallyConfusion(labels, preds, indices, numClasses, EXAMPLES_PER_CELL);
    out.counts[source] = t.counts;
    out.examples[source] = t.examples;
  }
  return out;
}

/** Test images by index, pixels as they are stored. */
export function testImages(split: Split, info: DatasetInfo, indices: readonly number[]): TestImage[] {
  const px = info.imageSize * info.imageSize * info.channels;
  return indices.map((index) => {
    if (!Number.isInteger(index) || index < 0 || index >= split.count) {
      throw new RangeError(`test image ${index} is outside the test split [0, ${split.count})`);
    }
    return { index, label: split.labels[index]!, pixels: Array.from(split.images.subarray(index * px, (index + 1) * px)), imageSize: info.imageSize };
  });
}

/** The first test image of each class, in class order (the attention maps' strip). */
export function classStrip(split: Split, info: DatasetInfo): TestImage[] {
  const first = new Array<number>(info.numClasses).fill(-1);
  for (let i = 0, found = 0; i < split.count && found < info.numClasses; i++) {
    const y = split.labels[i]!;
    if (first[y] === -1) {
      first[y] = i;
      found++;
    }
  }
  return testImages(split, info, first.filter((i) => i >= 0));
}
