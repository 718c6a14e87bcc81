// The transformer teacher (teacherModel 'vit'): a DeiT without the distillation token whose class head is the
// teacher. Its parameter count, its logits (the student's own forward), a checkpoint round trip through the same
// format as the CNN's with family 'vit', refusals of a checkpoint of the other family, and training on labels.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CheckpointError, decodeTeacher, encodeTeacher, parseTeacherJson, type TeacherCheckpointMeta } from './checkpoint';
import { DATASETS, TEACHER_ARCH, VIT_TEACHER_ARCH, studentParamCount, validateConfig, withDefaults } from './config';
import { countParams, disposeParams } from './nn';
import { createStudent, studentForward } from './student';
import { createTeacher, createTeacherOf, createVitTeacher, specOf, teacherForward } from './teacher';

const fmnist = DATASETS['fashion-mnist'];
const META = { dataset: 'fashion-mnist', testAccuracy: 0.8, trainedOn: 'test', command: 'test', createdAt: 'now' };
const images = (n: number, seed: number) => tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D;

describe('transformer teacher', () => {
  it('has the parameters of a DeiT without the distillation token (closed form), and is the same init as that student', () => {
    const t = createVitTeacher(VIT_TEACHER_ARCH, fmnist, 4);
    const s = createStudent(VIT_TEACHER_ARCH, fmnist, 4, false);
    try {
      expect(countParams(t.params)).toBe(studentParamCount(VIT_TEACHER_ARCH, fmnist, false));
      expect(Object.keys(t.params)).toEqual(Object.keys(s.params));
      expect(t.params['distToken']).toBeUndefined();
      expect(t.params['headDist.weight']).toBeUndefined();
      const x = images(3, 1);
      const [a, b] = tf.tidy(() => [teacherForward(t, x, 'im2col'), studentForward(s, x).cls]);
      expect(a!.shape).toEqual([3, 10]);
      expect(a!.arraySync()).toEqual(b!.arraySync());
      tf.dispose([a!, b!, x]);
    } finally {
      disposeParams(t.params);
      disposeParams(s.params);
    }
  });

  it('round-trips through a checkpoint with family "vit" and gives identical logits; createTeacherOf rebuilds either family', async () => {
    const t = createVitTeacher(VIT_TEACHER_ARCH, fmnist, 9);
    const { json, weights } = await encodeTeacher(t, META);
    expect(json.family).toBe('vit');
    expect(json.arch).toEqual(VIT_TEACHER_ARCH);
    expect(json.parameters).toBe(studentParamCount(VIT_TEACHER_ARCH, fmnist, false));
    const parsed = parseTeacherJson(new TextEncoder().encode(JSON.stringify(json)));
    const back = decodeTeacher(parsed, weights, fmnist);
    const x = images(2, 3);
    const [a, b] = tf.tidy(() => [teacherForward(t, x), teacherForward(back, x)]);
    expect(b!.arraySync()).toEqual(a!.arraySync());
    expect(specOf(back)).toEqual({ family: 'vit', arch: VIT_TEACHER_ARCH });
    tf.dispose([a!, b!, x]);
    const cnn = createTeacherOf({ family: 'cnn', arch: TEACHER_ARCH }, fmnist, 1);
    expect(cnn.family).toBe('cnn');
    [t, back, cnn].forEach((m) => disposeParams(m.params));
  });

  it('refuses a checkpoint read as the other family, with a clear error and no leaked tensors', async () => {
    const vit = createVitTeacher(VIT_TEACHER_ARCH, fmnist, 2);
    const cnn = createTeacher(TEACHER_ARCH, fmnist, 2);
    const v = await encodeTeacher(vit, META);
    const c = await encodeTeacher(cnn, META);
    disposeParams(vit.params);
    disposeParams(cnn.params);
    const before = tf.memory().numTensors;
    const json = (x: TeacherCheckpointMeta, patch: object) => ({ ...JSON.parse(JSON.stringify(x)), ...patch }) as TeacherCheckpointMeta;
    // A transformer's manifest claiming to be a CNN: its arch is not a CNN's.
    expect(() => decodeTeacher(json(v.json, { family: 'cnn' }), v.weights, fmnist)).toThrow(/arch.channels/);
    // A CNN's weights under a transformer's manifest: the byte count differs before anything is built.
    expect(() => decodeTeacher(json(v.json, {}), c.weights, fmnist)).toThrow(/weights file has \d+ bytes/);
    // Same byte count, other parameter names: the first missing parameter is named.
    expect(() => decodeTeacher(json(c.json, { family: 'vit', arch: VIT_TEACHER_ARCH }), c.weights, fmnist)).toThrow(CheckpointError);
    // A patch size that does not divide the image: refused as a checkpoint error, not an internal one.
    const bad = json(v.json, { arch: { ...VIT_TEACHER_ARCH, patchSize: 5 } });
    expect(() => decodeTeacher(bad, v.weights, fmnist)).toThrow(/cannot be built for this dataset: patch size 5/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("'cnn-matched' is a shipped checkpoint: valid with teacher=pretrained, refused with teacher=train", () => {
    expect(validateConfig(withDefaults({ teacherModel: 'cnn-matched' }))).toEqual([]);
    expect(validateConfig(withDefaults({ teacherModel: 'vit', teacher: 'train' }))).toEqual([]);
    const errors = validateConfig(withDefaults({ teacherModel: 'cnn-matched', teacher: 'train' }));
    expect(errors.map((e) => e.field)).toEqual(['teacherModel']);
    expect(validateConfig(withDefaults({ teacherModel: 'rnn' as never }))[0]?.message).toMatch(/teacherModel is not one of cnn, cnn-matched, vit/);
  });
});
