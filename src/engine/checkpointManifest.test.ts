// The checks of a teacher checkpoint read from a user's file (no tfjs): each kind of bad manifest is refused by name,
// the architecture bounds hold, a student checkpoint round-trips its weights, and the above-chance threshold.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { encodeStudent, encodeTeacher } from './checkpoint';
import {
  CHECKPOINT_FORMAT, CheckpointError, STUDENT_CHECKPOINT_FORMAT, TEACHER_ARCH_LIMITS, VIT_TEACHER_LIMITS, aboveChanceThreshold, checkTeacherArch, manifestBytes, parseTeacherJson,
} from './checkpointManifest';
import { DATASETS, STUDENT_PRESETS, TEACHER_ARCH, VIT_TEACHER_ARCH } from './config';
import { disposeParams } from './nn';
import { createStudent } from './student';
import { createTeacher } from './teacher';

const fmnist = DATASETS['fashion-mnist'];
const bytes = (x: unknown) => new TextEncoder().encode(typeof x === 'string' ? x : JSON.stringify(x));

async function teacherJson() {
  const t = createTeacher(TEACHER_ARCH, fmnist, 3);
  const { json, weights } = await encodeTeacher(t, { dataset: 'fashion-mnist', testAccuracy: 0.5, trainedOn: 'test', command: 'test', createdAt: 'now' });
  disposeParams(t.params);
  return { json, weights };
}

describe('parseTeacherJson', () => {
  it('accepts an encoded teacher manifest, whose weights are exactly manifestBytes long', async () => {
    const { json, weights } = await teacherJson();
    const meta = parseTeacherJson(bytes(json));
    expect(meta.arch).toEqual(TEACHER_ARCH);
    expect(manifestBytes(meta)).toBe(weights.byteLength);
    expect(manifestBytes(meta) / 4).toBe(json.parameters);
  });

  it('names each kind of bad manifest', async () => {
    const { json } = await teacherJson();
    const bad: [unknown, RegExp][] = [
      ['{"format":', /not valid JSON/],
      [[1, 2], /not a checkpoint manifest/],
      ['null', /not a checkpoint manifest/],
      [{ ...json, format: STUDENT_CHECKPOINT_FORMAT }, /student checkpoint/],
      [{ ...json, format: 'keras' }, /not a teacher checkpoint \(format "keras"/],
      [{ ...json, weightsManifest: [] }, /no weights manifest/],
      [{ ...json, weightsManifest: [{ paths: ['x'], weights: [{ name: 'w', shape: [3, -1], dtype: 'float32' }] }] }, /entry 0/],
      [{ ...json, weightsManifest: [{ paths: ['x'], weights: [{ name: 'w', shape: [3], dtype: 'int32' }] }] }, /entry 0/],
      [{ ...json, arch: undefined }, /does not describe its architecture/],
      [{ ...json, arch: { ...TEACHER_ARCH, channels: [16, 1e6] } }, /arch.channels/],
      [{ ...json, arch: { ...TEACHER_ARCH, channels: Array(9).fill(8), poolAfter: Array(9).fill(false) } }, /arch.channels/],
      [{ ...json, arch: { ...TEACHER_ARCH, poolAfter: [true] } }, /arch.poolAfter/],
      [{ ...json, arch: { ...TEACHER_ARCH, hidden: 1.5 } }, /arch.hidden/],
    ];
    for (const [input, message] of bad) {
      expect(() => parseTeacherJson(bytes(input)), String(message)).toThrow(CheckpointError);
      expect(() => parseTeacherJson(bytes(input))).toThrow(message);
    }
    expect(() => parseTeacherJson(new Uint8Array([0xff, 0xfe, 0x00]))).toThrow(/not valid JSON/);
  });

  it('checkTeacherArch bounds what a file may make the page build', () => {
    expect(() => checkTeacherArch('cnn', TEACHER_ARCH)).not.toThrow();
    const { layers, channels, hidden } = TEACHER_ARCH_LIMITS;
    expect(() => checkTeacherArch('cnn', { channels: Array(layers).fill(channels), poolAfter: Array(layers).fill(true), hidden })).not.toThrow();
    expect(() => checkTeacherArch('cnn', { channels: [channels + 1], poolAfter: [true], hidden })).toThrow(/arch.channels/);
    expect(() => checkTeacherArch('cnn', { channels: [8], poolAfter: [true], hidden: hidden + 1 })).toThrow(/arch.hidden/);
  });

  it('checkTeacherArch bounds a transformer teacher, and refuses a CNN arch read as one (and the reverse)', () => {
    expect(() => checkTeacherArch('vit', VIT_TEACHER_ARCH)).not.toThrow();
    expect(() => checkTeacherArch('vit', { ...VIT_TEACHER_ARCH, embedDim: VIT_TEACHER_LIMITS.embedDim + 1 })).toThrow(/arch.embedDim/);
    expect(() => checkTeacherArch('vit', { ...VIT_TEACHER_ARCH, depth: 0 })).toThrow(/arch.depth/);
    expect(() => checkTeacherArch('vit', { ...VIT_TEACHER_ARCH, numHeads: 5 })).toThrow(/not divisible/);
    expect(() => checkTeacherArch('vit', { ...VIT_TEACHER_ARCH, mlpRatio: 1.5 })).toThrow(/arch.mlpRatio/);
    expect(() => checkTeacherArch('vit', TEACHER_ARCH)).toThrow(/arch.embedDim/);
    expect(() => checkTeacherArch('cnn', VIT_TEACHER_ARCH)).toThrow(/arch.channels/);
  });

  it('parseTeacherJson reads a manifest without family as a CNN, and refuses an unknown family', () => {
    const base = { format: CHECKPOINT_FORMAT, dataset: 'fashion-mnist', arch: TEACHER_ARCH, weightsManifest: [{ paths: ['w.bin'], weights: [] }] };
    expect(parseTeacherJson(bytes(base)).family).toBe('cnn');
    expect(parseTeacherJson(bytes({ ...base, family: 'vit', arch: VIT_TEACHER_ARCH })).family).toBe('vit');
    expect(() => parseTeacherJson(bytes({ ...base, family: 'rnn' }))).toThrow(/family must be/);
  });
});

describe('student checkpoints', () => {
  it('encodeStudent writes every parameter with its shape, and the bytes decode to the same values', async () => {
    const s = createStudent(STUDENT_PRESETS['deit-nano'], fmnist, 5, true);
    const { json, weights } = await encodeStudent(s, { dataset: 'fashion-mnist', preset: 'deit-nano', step: 12, trainedOn: 'test', createdAt: 'now' }, 'x.weights.bin');
    expect(json).toMatchObject({ format: STUDENT_CHECKPOINT_FORMAT, preset: 'deit-nano', distToken: true, numClasses: 10, step: 12 });
    expect(json.weightsManifest[0]!.paths).toEqual(['x.weights.bin']);
    expect(json.weightsManifest[0]!.weights.map((w) => w.name).sort()).toEqual(Object.keys(s.params).sort());
    expect(manifestBytes(json)).toBe(weights.byteLength);
    const decoded = tf.io.decodeWeights(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer, json.weightsManifest[0]!.weights);
    for (const [name, p] of Object.entries(s.params)) {
      expect(Array.from(await decoded[name]!.data()), name).toEqual(Array.from(await p.data()));
    }
    tf.dispose(Object.values(decoded));
    disposeParams(s.params);
  });
});

describe('aboveChanceThreshold', () => {
  it('is chance plus two standard errors of a guesser on n images', () => {
    expect(aboveChanceThreshold(10, 32)).toBeCloseTo(0.1 + 2 * Math.sqrt(0.09 / 32), 12);
    expect(aboveChanceThreshold(10, 1000)).toBeCloseTo(0.119, 3);
    expect(aboveChanceThreshold(10, 32)).toBeGreaterThan(aboveChanceThreshold(10, 1000));
    expect(aboveChanceThreshold(2, 0)).toBeCloseTo(1.5, 12); // no images: nothing can pass
  });
});
