// Tests for the CNN teacher: the im2col conv and reshape max-pool against tfjs's own ops (values and gradients), the
// parameter count, init, the forward's shapes and errors, and the backend -> conv mapping.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DATASETS, TEACHER_ARCH, type TeacherArch } from './config';
import { countParams, disposeParams } from './nn';
import { conv3x3, convImplFor, createTeacher, maxPool2x2, teacherForward } from './teacher';

const fmnist = DATASETS['fashion-mnist'];

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function maxAbs(a: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]!);
}

describe('conv3x3', () => {
  // Non-square, odd sizes and several channels: an off-by-one in padding or the (dy, dx, cin) order shows up here.
  const shapes: [number[], number][] = [
    [[2, 6, 5, 3], 4],
    [[1, 7, 7, 1], 2],
    [[3, 4, 9, 2], 5],
  ];

  it("'im2col' equals tf.conv2d with 'same' padding, and 'native' is tf.conv2d", () => {
    for (const [[b, h, w, c], cout] of shapes) {
      tf.tidy(() => {
        const x = tf.randomNormal([b!, h!, w!, c!], 0, 1, 'float32', 1) as tf.Tensor4D;
        const k = tf.randomNormal([3, 3, c!, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
        const ref = tf.conv2d(x, k, 1, 'same');
        const got = conv3x3(x, k, 'im2col');
        expect(got.shape).toEqual([b, h, w, cout]);
        expect(maxAbsDiff(got, ref), `[${b},${h},${w},${c}] -> ${cout}`).toBeLessThan(1e-5 * Math.max(1, maxAbs(ref)));
        expect(maxAbsDiff(conv3x3(x, k, 'native'), ref)).toBe(0);
      });
    }
  });

  it('a single 1 in the kernel shifts the image by the matching offset (hand-checked orientation)', () => {
    tf.tidy(() => {
      const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
      // kernel[0][0] weights the pixel above-left: out[y][x] = in[y-1][x-1], zero outside.
      const k = tf.buffer([3, 3, 1, 1]);
      k.set(1, 0, 0, 0, 0);
      const out = conv3x3(x, k.toTensor() as tf.Tensor4D, 'im2col').reshape([4, 4]).arraySync();
      expect(out).toEqual([
        [0, 0, 0, 0],
        [0, 1, 2, 3],
        [0, 5, 6, 7],
        [0, 9, 10, 11],
      ]);
    });
  });

  it("'im2col' has the same gradients as tf.conv2d with respect to the input and the kernel", () => {
    for (const [[b, h, w, c], cout] of shapes) {
      tf.tidy(() => {
        const x = tf.randomNormal([b!, h!, w!, c!], 0, 1, 'float32', 3) as tf.Tensor4D;
        const k = tf.randomNormal([3, 3, c!, cout], 0, 1, 'float32', 4) as tf.Tensor4D;
        // A random upstream gradient, so every output position contributes with its own weight.
        const r = tf.randomNormal([b!, h!, w!, cout], 0, 1, 'float32', 5);
        const grads = (impl: 'im2col' | 'native') =>
          tf.grads((xi: tf.Tensor, ki: tf.Tensor) => tf.sum(tf.mul(conv3x3(xi as tf.Tensor4D, ki as tf.Tensor4D, impl), r)))([x, k]);
        const [gxRef, gkRef] = tf.grads((xi: tf.Tensor, ki: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, ki as tf.Tensor4D, 1, 'same'), r)))([x, k]);
        const [gx, gk] = grads('im2col');
        expect(maxAbsDiff(gx!, gxRef!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(gxRef!)));
        expect(maxAbsDiff(gk!, gkRef!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(gkRef!)));
        expect(maxAbs(gk!)).toBeGreaterThan(0);
      });
    }
  });
});

describe('maxPool2x2', () => {
  it("equals tf.maxPool(2, 2, 'valid') in value and gradient on even sizes", () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 6, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      const ref = tf.maxPool(x, 2, 2, 'valid');
      const got = maxPool2x2(x);
      expect(got.shape).toEqual([2, 3, 4, 3]);
      expect(maxAbsDiff(got, ref)).toBe(0);
      const r = tf.randomNormal([2, 3, 4, 3], 0, 1, 'float32', 8);
      const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(xi as tf.Tensor4D), r)))(x);
      const gRef = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xi as tf.Tensor4D, 2, 2, 'valid'), r)))(x);
      expect(maxAbsDiff(g, gRef)).toBeLessThan(1e-6);
      // One non-zero gradient per window (random data has no ties).
      expect(tf.sum(tf.notEqual(g, 0)).dataSync()[0]).toBe(2 * 3 * 4 * 3);
    });
  });

  it('picks the max of each 2x2 window (hand-checked) and rejects odd sizes', () => {
    tf.tidy(() => {
      const x = tf.tensor4d([1, 5, 2, 0, 3, 4, 8, 1, 0, 0, -6, -1, -2, -3, -4, -5], [1, 4, 4, 1]);
      expect(maxPool2x2(x).reshape([2, 2]).arraySync()).toEqual([[5, 8], [0, -1]]);
      expect(() => maxPool2x2(tf.zeros([1, 7, 8, 2]) as tf.Tensor4D)).toThrow('maxPool2x2 needs even sizes, got [1,7,8,2]');
    });
  });
});

describe('teacher model', () => {
  it('TEACHER_ARCH has 426,122 parameters', () => {
    const t = createTeacher(TEACHER_ARCH, fmnist, 0);
    // conv 1->16, 16->32, 32->64 (3x3 + bias), fc1 7*7*64 -> 128, fc2 128 -> 10.
    const byHand = (9 * 1 * 16 + 16) + (9 * 16 * 32 + 32) + (9 * 32 * 64 + 64) + (7 * 7 * 64 * 128 + 128) + (128 * 10 + 10);
    expect(byHand).toBe(426_122);
    expect(countParams(t.params)).toBe(426_122);
    expect(t.params['teacher.fc1.weight']!.shape).toEqual([3136, 128]);
    disposeParams(t.params);
  });

  it("uses PyTorch's default init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and biases", () => {
    const t = createTeacher(TEACHER_ARCH, fmnist, 3);
    const cases: [string, number][] = [['teacher.conv1.kernel', 9 * 16], ['teacher.fc1.weight', 3136], ['teacher.fc1.bias', 3136]];
    for (const [name, fanIn] of cases) {
      const v = Float64Array.from(t.params[name]!.dataSync());
      const bound = 1 / Math.sqrt(fanIn);
      const max = v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
      const std = Math.sqrt(v.reduce((s, a) => s + a * a, 0) / v.length);
      expect(max, name).toBeLessThanOrEqual(bound);
      expect(max, name).toBeGreaterThan(0.9 * bound);
      expect(Math.abs(std / (bound / Math.sqrt(3)) - 1), `${name} std`).toBeLessThan(v.length > 1000 ? 0.03 : 0.2);
    }
    disposeParams(t.params);
  });

  it('returns logits [B, 10], the same for both conv implementations, and frees its intermediates inside tidy', () => {
    const t = createTeacher(TEACHER_ARCH, fmnist, 1);
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const [a, b] = tf.tidy(() => [teacherForward(t, x, 'im2col'), teacherForward(t, x, 'native')]);
    expect(a!.shape).toEqual([3, 10]);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-4);
    // The default is the native conv (inference needs no conv gradient).
    const c = tf.tidy(() => teacherForward(t, x));
    expect(maxAbsDiff(c, b!)).toBe(0);
    tf.dispose([a!, b!, c]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeParams(t.params);
  });

  it('runs reduced architectures, and the same seed gives the same teacher', () => {
    const arch: TeacherArch = { channels: [4, 8], poolAfter: [true, false], hidden: 16 };
    const t1 = createTeacher(arch, fmnist, 5);
    const t2 = createTeacher(arch, fmnist, 5);
    const t3 = createTeacher(arch, fmnist, 6);
    expect(countParams(t1.params)).toBe(9 * 4 + 4 + 9 * 4 * 8 + 8 + 14 * 14 * 8 * 16 + 16 + 16 * 10 + 10);
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 10) as tf.Tensor4D;
    const [y1, y2, y3] = tf.tidy(() => [t1, t2, t3].map((t) => teacherForward(t, x, 'im2col')));
    expect(y1!.shape).toEqual([2, 10]);
    expect(y2!.arraySync()).toEqual(y1!.arraySync());
    expect(maxAbsDiff(y3!, y1!)).toBeGreaterThan(1e-3);
    tf.dispose([x, y1!, y2!, y3!]);
    [t1, t2, t3].forEach((t) => disposeParams(t.params));
  });

  it('throws descriptive errors on a wrong input shape and an inconsistent arch', () => {
    const t = createTeacher({ channels: [2], poolAfter: [true], hidden: 4 }, fmnist, 0);
    const wrong = [tf.zeros([2, 28, 28, 3]), tf.zeros([2, 32, 32, 1]), tf.zeros([1, 28, 27, 1])] as tf.Tensor4D[];
    expect(() => teacherForward(t, wrong[0]!)).toThrow('teacher expects images [B, 28, 28, 1], got [2,28,28,3]');
    expect(() => teacherForward(t, wrong[1]!)).toThrow(/got \[2,32,32,1\]/);
    expect(() => teacherForward(t, wrong[2]!)).toThrow(/got \[1,28,27,1\]/);
    tf.dispose(wrong);
    disposeParams(t.params);
    const before = tf.memory().numTensors;
    expect(() => createTeacher({ channels: [4, 8], poolAfter: [true], hidden: 4 }, fmnist, 0)).toThrow(/channels and poolAfter differ in length/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('convImplFor', () => {
  it('uses native convs on webgpu/webgl and im2col on cpu/wasm (and anything unknown)', () => {
    expect(convImplFor('webgpu')).toBe('native');
    expect(convImplFor('webgl')).toBe('native');
    expect(convImplFor('cpu')).toBe('im2col');
    expect(convImplFor('wasm')).toBe('im2col');
    expect(convImplFor('tensorflow')).toBe('im2col');
  });
});
