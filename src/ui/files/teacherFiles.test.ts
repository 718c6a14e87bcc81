// The page's checks of a picked teacher checkpoint pair: two files, the right kinds, sizes, dataset, and weights bytes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { encodeTeacher } from '../../engine/checkpoint';
import { DATASETS, TEACHER_ARCH } from '../../engine/config';
import { disposeParams } from '../../engine/nn';
import { createTeacher } from '../../engine/teacher';
import { MAX_TEACHER_WEIGHTS_BYTES, checkTeacherFiles, type PickedFile } from './teacherFiles';

async function pair(): Promise<[PickedFile, PickedFile]> {
  const t = createTeacher(TEACHER_ARCH, DATASETS['fashion-mnist'], 1);
  const { json, weights } = await encodeTeacher(t, { dataset: 'fashion-mnist', testAccuracy: 0.42, accuracyImages: 32, trainedOn: 't', command: 'c', createdAt: 'now' });
  disposeParams(t.params);
  return [{ name: 'teacher.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }, { name: 'teacher.weights.bin', bytes: weights }];
}

describe('checkTeacherFiles', () => {
  it('accepts a checkpoint pair in either order and says what it holds', async () => {
    const baseline = tf.memory().numTensors;
    const [json, bin] = await pair();
    for (const files of [[json, bin], [bin, json]]) {
      const r = checkTeacherFiles(files, 'fashion-mnist');
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.teacher).toMatchObject({ name: 'teacher.json', weightsName: 'teacher.weights.bin', dataset: 'fashion-mnist', parameters: 426_122, recordedAccuracy: 0.42, accuracyImages: 32 });
      expect(r.teacher.weights.byteLength).toBe(bin.bytes.byteLength);
      expect(JSON.parse(r.teacher.json).format).toBe('deit-playground-teacher/1');
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('refuses, naming the problem: one file, two manifests, another dataset, truncated or foreign weights, oversized weights', async () => {
    const [json, bin] = await pair();
    const cases: [PickedFile[], string, RegExp][] = [
      [[json], 'fashion-mnist', /pick two files together/],
      [[json, { ...json, name: 'b.json' }], 'fashion-mnist', /pick two files together/],
      [[json, bin], 'mnist', /trained on "fashion-mnist"; the controls' dataset is mnist/],
      [[json, { name: 'teacher.weights.bin', bytes: bin.bytes.subarray(0, 1000) }], 'fashion-mnist', /has 1000 bytes; the manifest describes 1704488/],
      [[{ name: 'teacher.json', bytes: new TextEncoder().encode('{"format":"x"}') }, bin], 'fashion-mnist', /teacher.json: not a teacher checkpoint/],
      [[json, { name: 'big.bin', bytes: { byteLength: MAX_TEACHER_WEIGHTS_BYTES + 1 } as Uint8Array }], 'fashion-mnist', /larger than 64 MB/],
    ];
    for (const [files, dataset, message] of cases) {
      const r = checkTeacherFiles(files, dataset);
      expect(r.ok, String(message)).toBe(false);
      if (!r.ok) expect(r.message).toMatch(message);
    }
  });
});
