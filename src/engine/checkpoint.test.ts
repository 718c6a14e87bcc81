// Tests for teacher checkpoints: a bit-exact round trip, a CheckpointError (and no leaked tensors) for each kind of
// damage, and loading through an injected FetchBytes.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT, CheckpointError, decodeTeacher, encodeTeacher, loadTeacherCheckpoint, type TeacherCheckpointMeta } from './checkpoint';
import { DATASETS, TEACHER_ARCH, teacherDir, type TeacherArch } from './config';
import { fixedEvalIndices } from './data/batcher';
import { loadDataset, type FetchBytes } from './data/dataset';
import { fsFetchBytes } from './data/nodeFetch';
import { evaluateTeacher } from './evaluate';
import { countParams, disposeParams } from './nn';
import { createTeacher, teacherForward, type TeacherModel } from './teacher';

const fmnist = DATASETS['fashion-mnist'];
const PUBLIC = fileURLToPath(new URL('../../public', import.meta.url));
const SHIPPED = 'models/fashion-mnist-teacher';
const META = {
  dataset: 'fashion-mnist',
  testAccuracy: 0.875,
  trainedOn: 'test',
  command: 'npm run train-teacher',
  createdAt: '2024-01-01T00:00:00.000Z',
};

/** A JSON round trip, as the file on disk sees it, so the tests can edit a private copy. */
function clone(json: TeacherCheckpointMeta): TeacherCheckpointMeta {
  return JSON.parse(JSON.stringify(json)) as TeacherCheckpointMeta;
}

/** Expects `f` to throw a CheckpointError matching `message` and to leave tf.memory() as it found it. */
function expectCheckpointError(f: () => unknown, message: RegExp | string): void {
  const before = tf.memory();
  let error: unknown = null;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as Error).name).toBe('CheckpointError');
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(before.numTensors);
  expect(tf.memory().numBytes).toBe(before.numBytes);
}

describe('teacher checkpoints', () => {
  let teacher: TeacherModel;
  let json: TeacherCheckpointMeta;
  let weights: Uint8Array;
  let x: tf.Tensor4D;

  beforeAll(async () => {
    teacher = createTeacher(TEACHER_ARCH, fmnist, 123);
    ({ json, weights } = await encodeTeacher(teacher, META));
    x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  });
  afterAll(() => {
    disposeParams(teacher.params);
    x.dispose();
  });

  it('writes a manifest describing every parameter, in creation order, and 4 bytes per parameter', () => {
    expect(json.format).toBe(CHECKPOINT_FORMAT);
    expect(json.parameters).toBe(426_122);
    expect(json.numClasses).toBe(10);
    expect(json.arch).toEqual(TEACHER_ARCH);
    expect(json.testAccuracy).toBe(0.875);
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0]!.paths).toEqual(['teacher.weights.bin']);
    const specs = json.weightsManifest[0]!.weights;
    expect(specs.map((s) => s.name)).toEqual(Object.keys(teacher.params));
    specs.forEach((s) => {
      expect(s.dtype).toBe('float32');
      expect(s.shape).toEqual(teacher.params[s.name]!.shape);
    });
    expect(weights.byteLength).toBe(4 * 426_122);
  });

  it('round-trips every parameter bit-exactly, and the restored teacher gives identical logits', () => {
    const restored = decodeTeacher(clone(json), weights.slice(), fmnist);
    try {
      expect(Object.keys(restored.params)).toEqual(Object.keys(teacher.params));
      for (const [name, v] of Object.entries(teacher.params)) {
        const a = new Uint32Array(v.dataSync().slice().buffer);
        const b = new Uint32Array(restored.params[name]!.dataSync().slice().buffer);
        // Compare bit patterns by hand (a deep toEqual on 400k elements is slow) and report the first difference.
        expect(b.length, name).toBe(a.length);
        const first = a.findIndex((bits, i) => bits !== b[i]);
        expect(first, `${name} differs at ${first}`).toBe(-1);
      }
      const [y0, y1] = tf.tidy(() => [teacherForward(teacher, x, 'im2col'), teacherForward(restored, x, 'im2col')]);
      expect(y1!.arraySync()).toEqual(y0!.arraySync());
      tf.dispose([y0!, y1!]);
      // The restored teacher is not just a fresh init from seed 0.
      const fresh = createTeacher(TEACHER_ARCH, fmnist, 0);
      expect(fresh.params['teacher.fc2.weight']!.dataSync()).not.toEqual(restored.params['teacher.fc2.weight']!.dataSync());
      disposeParams(fresh.params);
    } finally {
      disposeParams(restored.params);
    }
  });

  it('decodes a weights view that starts at a non-zero byte offset of its buffer', () => {
    const big = new Uint8Array(weights.byteLength + 7);
    big.set(weights, 3);
    const restored = decodeTeacher(clone(json), big.subarray(3, 3 + weights.byteLength), fmnist);
    expect(restored.params['teacher.conv0.kernel']!.dataSync()).toEqual(teacher.params['teacher.conv0.kernel']!.dataSync());
    expect(restored.params['teacher.fc2.bias']!.dataSync()).toEqual(teacher.params['teacher.fc2.bias']!.dataSync());
    disposeParams(restored.params);
  });

  it('round-trips a reduced architecture, which decodeTeacher rebuilds from the manifest', async () => {
    const arch: TeacherArch = { channels: [4, 8], poolAfter: [true, true], hidden: 16 };
    const small = createTeacher(arch, fmnist, 9);
    const enc = await encodeTeacher(small, META, 'small.bin');
    const restored = decodeTeacher(clone(enc.json), enc.weights, fmnist);
    expect(restored.arch).toEqual(arch);
    expect(countParams(restored.params)).toBe(countParams(small.params));
    expect(restored.params['teacher.fc1.weight']!.dataSync()).toEqual(small.params['teacher.fc1.weight']!.dataSync());
    disposeParams(small.params);
    disposeParams(restored.params);
  });

  it('rejects a wrong or missing format string', () => {
    expectCheckpointError(() => decodeTeacher({ ...clone(json), format: 'deit-playground-teacher/0' }, weights, fmnist), 'not a teacher checkpoint (format deit-playground-teacher/0)');
    const { format: _format, ...noFormat } = clone(json);
    expectCheckpointError(() => decodeTeacher(noFormat, weights, fmnist), /not a teacher checkpoint \(format undefined\)/);
    expectCheckpointError(() => decodeTeacher(null, weights, fmnist), /not a teacher checkpoint/);
    expectCheckpointError(() => decodeTeacher({ ...clone(json), weightsManifest: [] }, weights, fmnist), 'checkpoint has no weights manifest');
  });

  it('rejects a truncated (or padded) weights buffer before building anything', () => {
    const n = weights.byteLength;
    expectCheckpointError(() => decodeTeacher(clone(json), weights.subarray(0, n - 4), fmnist), `weights file has ${n - 4} bytes, the manifest describes ${n}`);
    expectCheckpointError(() => decodeTeacher(clone(json), weights.subarray(0, 1000), fmnist), /weights file has 1000 bytes/);
    expectCheckpointError(() => decodeTeacher(clone(json), new Uint8Array(n + 4), fmnist), /has \d+ bytes, the manifest describes/);
  });

  it('rejects a checkpoint that lacks a parameter, without leaking the half-built teacher', () => {
    const j = clone(json);
    const specs = j.weightsManifest[0]!.weights;
    const last = specs.pop()!; // teacher.fc2.bias, the last 10 floats
    expect(last.name).toBe('teacher.fc2.bias');
    expectCheckpointError(() => decodeTeacher(j, weights.subarray(0, weights.byteLength - 40), fmnist), 'checkpoint lacks parameter teacher.fc2.bias');
    // A renamed entry is as good as a missing one.
    const r = clone(json);
    r.weightsManifest[0]!.weights[0]!.name = 'teacher.conv0.kernel_old';
    expectCheckpointError(() => decodeTeacher(r, weights, fmnist), 'checkpoint lacks parameter teacher.conv0.kernel');
  });

  it('rejects a parameter of the wrong shape, and an architecture that does not match the weights', () => {
    const j = clone(json);
    const fc2 = j.weightsManifest[0]!.weights.find((w) => w.name === 'teacher.fc2.weight')!;
    fc2.shape = [10, 128]; // same size, transposed
    expectCheckpointError(() => decodeTeacher(j, weights, fmnist), 'teacher.fc2.weight: checkpoint shape [10,128] != model [128,10]');
    // The manifest claims a wider hidden layer than the weights were written for.
    const a = clone(json);
    a.arch = { ...TEACHER_ARCH, hidden: 64 };
    expectCheckpointError(() => decodeTeacher(a, weights, fmnist), /teacher\.fc1\.weight: checkpoint shape \[3136,128\] != model \[3136,64\]/);
    // A dataset with another number of classes.
    expectCheckpointError(() => decodeTeacher(clone(json), weights, { ...fmnist, numClasses: 5 }), /teacher\.fc2\.weight: checkpoint shape \[128,10\] != model \[128,5\]/);
  });

  describe('loadTeacherCheckpoint', () => {
    function fakeFetch(files: Record<string, Uint8Array>, requested: string[]): FetchBytes {
      return async (path) => {
        requested.push(path);
        const f = files[path];
        if (!f) throw new Error(`404 ${path}`);
        return f;
      };
    }
    const enc = (j: unknown) => new TextEncoder().encode(JSON.stringify(j));

    it('loads teacher.json and the weights file it names, relative to the directory', async () => {
      const requested: string[] = [];
      const fetch = fakeFetch({ 'models/fm/teacher.json': enc(json), 'models/fm/teacher.weights.bin': weights }, requested);
      const { teacher: loaded, meta } = await loadTeacherCheckpoint(fetch, 'models/fm', fmnist);
      expect(requested).toEqual(['models/fm/teacher.json', 'models/fm/teacher.weights.bin']);
      expect(meta.testAccuracy).toBe(0.875);
      expect(meta.parameters).toBe(426_122);
      const [y0, y1] = tf.tidy(() => [teacherForward(teacher, x, 'im2col'), teacherForward(loaded, x, 'im2col')]);
      expect(y1!.arraySync()).toEqual(y0!.arraySync());
      tf.dispose([y0!, y1!]);
      disposeParams(loaded.params);
    });

    it('wraps a missing or malformed teacher.json, a missing weights path and bad weights in CheckpointError', async () => {
      const before = tf.memory().numTensors;
      const load = (files: Record<string, Uint8Array>) => loadTeacherCheckpoint(fakeFetch(files, []), 'm', fmnist);
      await expect(load({})).rejects.toThrow(new CheckpointError('m/teacher.json: 404 m/teacher.json'));
      await expect(load({ 'm/teacher.json': new TextEncoder().encode('{"format": ') })).rejects.toBeInstanceOf(CheckpointError);
      await expect(load({ 'm/teacher.json': enc({ ...json, weightsManifest: [] }) })).rejects.toThrow('m/teacher.json has no weights path');
      await expect(load({ 'm/teacher.json': enc(json), 'm/teacher.weights.bin': weights.subarray(8) })).rejects.toThrow(CheckpointError);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe('the shipped pre-trained teacher', () => {
  it('loads from public/ and is as accurate as its manifest says', async () => {
    const { teacher, meta } = await loadTeacherCheckpoint(fsFetchBytes(PUBLIC), SHIPPED, fmnist);
    try {
      expect(meta.format).toBe(CHECKPOINT_FORMAT);
      expect(meta.parameters).toBe(426_122);
      expect(meta.arch).toEqual(TEACHER_ARCH);
      expect(countParams(teacher.params)).toBe(426_122);
      // 64 held-out images (the teacher forward costs ~35 ms per image on tfjs-cpu): the manifest claims ~91%.
      const data = await loadDataset('fashion-mnist', fsFetchBytes(PUBLIC), undefined, { splits: ['test'] });
      const r = await evaluateTeacher(teacher, data.test, data.info, fixedEvalIndices(data.test.count, 64, 0), 64, 'im2col');
      expect(meta.testAccuracy).toBeGreaterThan(0.85);
      expect(r.acc).toBeGreaterThan(0.8);
    } finally {
      disposeParams(teacher.params);
    }
  });
});

describe('the shipped transformer and matched-accuracy teachers', () => {
  it.each([['vit', 'vit', 205_066], ['cnn-matched', 'cnn', 426_122]] as const)('%s loads as a %s teacher from public/ and is about as accurate as recorded', async (model, family, parameters) => {
    const { teacher, meta } = await loadTeacherCheckpoint(fsFetchBytes(PUBLIC), teacherDir('fashion-mnist', model), fmnist);
    try {
      expect(meta.family).toBe(family);
      expect(teacher.family).toBe(family);
      expect(countParams(teacher.params)).toBe(parameters);
      expect(meta.testAccuracy).toBeGreaterThan(0.8);
      const data = await loadDataset('fashion-mnist', fsFetchBytes(PUBLIC), undefined, { splits: ['test'] });
      const r = await evaluateTeacher(teacher, data.test, data.info, fixedEvalIndices(data.test.count, 64, 0), 64);
      expect(r.acc).toBeGreaterThan(0.7); // 64 images: ~85% recorded, a standard error of ~4.5 points
    } finally {
      disposeParams(teacher.params);
    }
  });
});

