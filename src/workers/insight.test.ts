// Tests for the worker's insight data: the sample and token similarity of a student with and without the
// distillation token (attention over [cls, dist, patches] or [cls, patches], null distillation parts, no leaks), the
// confusion of read-back predictions, the class strip and test images by index.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DATASETS, STUDENT_PRESETS } from '../engine/config';
import { disposeParams } from '../engine/nn';
import { mulberry32 } from '../engine/random';
import { createStudent } from '../engine/student';
import { buildInsight, classStrip, confusionOf, testImages } from './insight';

const info = DATASETS['fashion-mnist'];

function split(n: number) {
  const rng = mulberry32(3);
  return {
    count: n,
    images: Uint8Array.from({ length: n * 28 * 28 }, () => Math.floor(rng() * 256)),
    labels: Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10),
  };
}

describe('buildInsight', () => {
  it.each([true, false])('distToken=%s: token similarity per layer, attention rows of each prefix token, no leaked tensors', async (distToken) => {
    const student = createStudent(STUDENT_PRESETS['deit-nano'], info, 1, distToken);
    const data = split(12);
    const before = tf.memory().numTensors;
    const r = await buildInsight({ student, teacher: null, split: data, info, probe: [0, 1, 2, 3], sampleIndex: 2, step: 5, convImpl: 'native' });
    expect(tf.memory().numTensors).toBe(before);
    const s = r.sample!;
    expect(s).toMatchObject({ index: 2, label: data.labels[2], step: 5, gridSize: 7, imageSize: 28, teacherLogits: null });
    expect(s.image).toEqual(Array.from(data.images.subarray(2 * 784, 3 * 784)));
    const prefix = distToken ? 2 : 1;
    expect(s.attention).toHaveLength(1); // depth 1
    expect(s.attention[0]).toHaveLength(prefix);
    for (const rows of s.attention[0]!) {
      expect(rows).toHaveLength(2); // heads
      for (const row of rows) {
        expect(row).toHaveLength(49 + prefix);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
    if (distToken) {
      expect(r.tokenCosine!.layers).toHaveLength(2);
      expect(r.tokenCosine!.count).toBe(4);
      expect(s.distProbs).toHaveLength(10);
    } else {
      expect(r.tokenCosine).toBeNull();
      expect(s.distProbs).toBeNull();
      s.fusedProbs.forEach((p, i) => expect(p).toBeCloseTo(s.clsProbs[i]!, 6));
    }
    await expect(buildInsight({ student, teacher: null, split: data, info, probe: null, sampleIndex: 12, step: 0, convImpl: 'native' })).rejects.toThrow(/outside the test split/);
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(student.params);
  });
});

describe('confusion, strip and images', () => {
  it('tallies each source present, with examples, and leaves out the missing distillation head', () => {
    const data = split(5); // labels 0, 7, 4, 1, 8
    const preds = { cls: Int32Array.from([0, 7, 4, 1, 0]), dist: null, fused: Int32Array.from([0, 7, 0, 1, 8]), teacher: Int32Array.from([0, 7, 4, 1, 8]) };
    const c = confusionOf(preds, data, [0, 1, 2, 3, 4], 10);
    expect(Object.keys(c.counts)).toEqual(['fused', 'cls', 'teacher']);
    expect(c.counts.fused![4 * 10 + 0]).toBe(1); // image 2: a 4 predicted as 0
    expect(c.examples.fused![4 * 10 + 0]).toEqual([2]);
    expect(c.counts.cls![8 * 10 + 0]).toBe(1);
    expect(c.counts.teacher!.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('picks the first test image of each class, and returns images by index or refuses a bad one', () => {
    const data = split(20);
    const strip = classStrip(data, info);
    expect(strip.map((im) => im.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    strip.forEach((im) => expect(data.labels.indexOf(im.label)).toBe(im.index));
    expect(testImages(data, info, [3])[0]!.pixels).toEqual(Array.from(data.images.subarray(3 * 784, 4 * 784)));
    expect(() => testImages(data, info, [20])).toThrow(/outside the test split/);
  });
});
