// The teachers: the CNN (3x3 convs with ReLU and 2x2 max-pools, a hidden dense layer, a linear head; TEACHER_ARCH)
// and the transformer (a DeiT without the distillation token, trained on labels only; VIT_TEACHER_ARCH).
import * as tf from '@tensorflow/tfjs-core';
import type { DatasetInfo, StudentArch, TeacherArch } from './config';
import { linear, param, ParamBuilder, type Params } from './nn';
import { createStudent, studentForward, type StudentModel } from './student';

interface TeacherBase {
  readonly kind: 'teacher';
  readonly imageSize: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly params: Params;
}

export interface CnnTeacher extends TeacherBase {
  readonly family: 'cnn';
  readonly arch: TeacherArch;
}

/** A DeiT without the distillation token used as the teacher: its class head's logits are the teacher's. */
export interface VitTeacher extends TeacherBase {
  readonly family: 'vit';
  readonly arch: StudentArch;
}

export type TeacherModel = CnnTeacher | VitTeacher;

/** A teacher's architecture with its family: what a checkpoint records and what createTeacherOf builds. */
export type TeacherSpec = { family: 'cnn'; arch: TeacherArch } | { family: 'vit'; arch: StudentArch };

/** The spec of a built teacher. */
export function specOf(t: TeacherModel): TeacherSpec {
  return t.family === 'cnn' ? { family: 'cnn', arch: t.arch } : { family: 'vit', arch: t.arch };
}

/**
 * How a 3x3 conv is computed. 'native' is tf.conv2d (fastest on webgpu/webgl). 'im2col' gathers the 9 shifted
 * views into [B*H*W, 9*C] and does one matMul: the same function, but its gradient needs only slice/concat/matMul,
 * which is ~10x faster on tfjs-cpu and the only way to train a conv on tfjs-wasm (it has no Conv2DBackpropFilter).
 */
export type ConvImpl = 'native' | 'im2col';

/** The conv implementation to use on a tfjs backend. */
export function convImplFor(backend: string): ConvImpl {
  return backend === 'webgpu' || backend === 'webgl' ? 'native' : 'im2col';
}

/** Spatial size after the pools. */
function finalSize(arch: TeacherArch, imageSize: number): number {
  return arch.poolAfter.reduce((s, pool) => (pool ? Math.floor(s / 2) : s), imageSize);
}

type DataShape = Pick<DatasetInfo, 'imageSize' | 'channels' | 'numClasses'>;

/** Builds the transformer teacher with DeiT's init (createStudent without the distillation token), from a seed. */
export function createVitTeacher(arch: StudentArch, data: DataShape, seed: number): VitTeacher {
  const s = createStudent(arch, data, seed, false);
  return { kind: 'teacher', family: 'vit', arch, imageSize: s.imageSize, channels: s.channels, numClasses: s.numClasses, params: s.params };
}

/** Builds a teacher of either family from its spec. */
export function createTeacherOf(spec: TeacherSpec, data: DataShape, seed: number): TeacherModel {
  return spec.family === 'cnn' ? createTeacher(spec.arch, data, seed) : createVitTeacher(spec.arch, data, seed);
}

/** The transformer teacher seen as the student model it is (same parameters, no distillation token). */
function asStudent(t: VitTeacher): StudentModel {
  return { kind: 'student', arch: t.arch, imageSize: t.imageSize, channels: t.channels, numClasses: t.numClasses, distToken: false, params: t.params };
}

/** Builds the CNN teacher with PyTorch's default conv/linear init, from a seed. */
export function createTeacher(arch: TeacherArch, data: DataShape, seed: number): CnnTeacher {
  if (arch.channels.length !== arch.poolAfter.length) throw new Error('teacher arch: channels and poolAfter differ in length');
  const b = new ParamBuilder(seed, 'teacher.');
  let cin = data.channels;
  arch.channels.forEach((cout, i) => {
    b.torchDefault(`conv${i}.kernel`, [3, 3, cin, cout], 9 * cin);
    b.torchDefault(`conv${i}.bias`, [cout], 9 * cin);
    cin = cout;
  });
  const s = finalSize(arch, data.imageSize);
  const flat = s * s * cin;
  b.torchDefault('fc1.weight', [flat, arch.hidden], flat);
  b.torchDefault('fc1.bias', [arch.hidden], flat);
  b.torchDefault('fc2.weight', [arch.hidden, data.numClasses], arch.hidden);
  b.torchDefault('fc2.bias', [data.numClasses], arch.hidden);
  return { kind: 'teacher', family: 'cnn', arch, imageSize: data.imageSize, channels: data.channels, numClasses: data.numClasses, params: b.params };
}

/** 3x3 'same' conv, stride 1: x [B, H, W, Cin], kernel [3, 3, Cin, Cout] -> [B, H, W, Cout]. */
export function conv3x3(x: tf.Tensor4D, kernel: tf.Tensor4D, impl: ConvImpl): tf.Tensor4D {
  if (impl === 'native') return tf.conv2d(x, kernel, 1, 'same');
  const [b, h, w, c] = x.shape;
  const cout = kernel.shape[3];
  const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]); // [B, H+2, W+2, Cin]
  const views: tf.Tensor4D[] = [];
  for (let dy = 0; dy < 3; dy++) {
    for (let dx = 0; dx < 3; dx++) views.push(tf.slice(padded, [0, dy, dx, 0], [b, h, w, c])); // [B, H, W, Cin]
  }
  // Concatenating on channels gives (dy, dx, cin) order, the same row-major order as kernel.reshape([9*Cin, Cout]).
  const cols = tf.reshape(tf.concat(views, 3), [b * h * w, 9 * c]); // [B*H*W, 9*Cin]
  const out = tf.matMul(cols, tf.reshape(kernel, [9 * c, cout])); // [B*H*W, Cout]
  return tf.reshape(out, [b, h, w, cout]);
}

/**
 * 2x2 max-pool, stride 2, as a reshape and a max reduction: identical to tf.maxPool on even sizes, and its gradient
 * avoids MaxPoolGrad, which is slow on tfjs-cpu.
 */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`maxPool2x2 needs even sizes, got [${x.shape}]`);
  return tf.max(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D; // [B, H/2, W/2, C]
}

/**
 * The 2x2 max-pool that goes with a conv implementation. 'native': tf.maxPool, one kernel; on WebGPU the reshape +
 * max below needs a 6-D transpose and a reduction (~1.3 s vs ~10 ms at batch 16 on SwiftShader, ~80 vs ~3 ms on
 * llvmpipe: npm run bench, README Performance). 'im2col': maxPool2x2, whose gradient avoids MaxPoolGrad (slow on
 * tfjs-cpu, missing on tfjs-wasm). Both give identical values.
 */
export function pool2x2(x: tf.Tensor4D, impl: ConvImpl): tf.Tensor4D {
  return impl === 'native' ? tf.maxPool(x, 2, 2, 'valid') : maxPool2x2(x);
}

/**
 * Teacher logits [B, C] for images [B, H, W, C_in]. Call inside tf.tidy or a gradient tape. The default conv is
 * 'native': every backend has a conv2d forward, and it is ~4x faster than im2col on tfjs-cpu. Pass
 * convImplFor(backend) when the teacher itself is being trained (conv gradients). A transformer teacher ignores
 * `impl` and returns its class head's logits.
 */
export function teacherForward(model: TeacherModel, x: tf.Tensor4D, impl: ConvImpl = 'native'): tf.Tensor2D {
  if (model.family === 'vit') {
    const out = studentForward(asStudent(model), x);
    return out.cls; // [B, C]
  }
  const [bsz, h, w, c] = x.shape;
  if (x.rank !== 4 || h !== model.imageSize || w !== model.imageSize || c !== model.channels) {
    throw new Error(`teacher expects images [B, ${model.imageSize}, ${model.imageSize}, ${model.channels}], got [${x.shape}]`);
  }
  let y: tf.Tensor4D = x;
  model.arch.channels.forEach((_, i) => {
    const kernel = param(model.params, `teacher.conv${i}.kernel`) as tf.Tensor4D;
    y = tf.relu(tf.add(conv3x3(y, kernel, impl), param(model.params, `teacher.conv${i}.bias`))) as tf.Tensor4D; // [B, h, w, c_i]
    if (model.arch.poolAfter[i]) y = pool2x2(y, impl); // [B, h/2, w/2, c_i]
  });
  const flat = tf.reshape(y, [bsz, -1]); // [B, s*s*c_last]
  const hidden = tf.relu(linear(flat, model.params, 'teacher.fc1')); // [B, hidden]
  return linear(hidden, model.params, 'teacher.fc2') as tf.Tensor2D; // [B, C]
}
