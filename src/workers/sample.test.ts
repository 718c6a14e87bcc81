// Tests for the insight sample of a student without the distillation token: attention over [cls, patches], the
// distillation parts null (not zeros), fused probabilities equal to the class head's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DATASETS, STUDENT_PRESETS } from '../engine/config';
import { disposeParams } from '../engine/nn';
import { mulberry32 } from '../engine/random';
import { createStudent } from '../engine/student';
import { buildSample } from './sample';

const info = DATASETS['fashion-mnist'];

function split(n: number) {
  const rng = mulberry32(3);
  return {
    count: n,
    images: Uint8Array.from({ length: n * 28 * 28 }, () => Math.floor(rng() * 256)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
  };
}

describe('buildSample', () => {
  it.each([true, false])('distToken=%s: shapes, null distillation parts without the token, no leaked tensors', async (distToken) => {
    const student = createStudent(STUDENT_PRESETS['deit-nano'], info, 1, distToken);
    const before = tf.memory().numTensors;
    const s = await buildSample({ student, teacher: null, split: split(4), info, index: 2, tau: 3, step: 0, convImpl: 'native' });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.clsProbs).toHaveLength(10);
    expect(s.clsAttention).toHaveLength(49);
    // The class token's attention to the patches: the rest of its row goes to the tokens themselves.
    const toPatches = s.clsAttention.reduce((a, b) => a + b, 0);
    expect(toPatches).toBeGreaterThan(0);
    expect(toPatches).toBeLessThanOrEqual(1 + 1e-5);
    if (distToken) {
      expect(s.distProbs).toHaveLength(10);
      expect(s.distAttention).toHaveLength(49);
      expect(s.tokenCosine).toBeGreaterThanOrEqual(-1 - 1e-5);
    } else {
      expect(s.distProbs).toBeNull();
      expect(s.distAttention).toBeNull();
      expect(s.tokenCosine).toBeNull();
      s.fusedProbs.forEach((p, i) => expect(p).toBeCloseTo(s.clsProbs[i]!, 6));
    }
    disposeParams(student.params);
  });
});
