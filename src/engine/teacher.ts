// The CNN teacher: 3x3 convs with ReLU and 2x2 max-pools, then one dense layer (see TEACHER_ARCH in config.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { DatasetInfo, TeacherArch } from './config';
import { linear, param, ParamBuilder, type Params } from './nn';

export interface TeacherModel {
  readonly kind: 'teacher';
  readonly arch: TeacherArch;
  readonly imageSize: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly params: Params;
}

/** Spatial size after the pools. */
function finalSize(arch: TeacherArch, imageSize: number): number {
  return arch.poolAfter.reduce((s, pool) => (pool ? Math.floor(s / 2) : s), imageSize);
}

/** Builds the teacher with PyTorch's default conv/linear init, from a seed. */
export function createTeacher(arch: TeacherArch, data: Pick<DatasetInfo, 'imageSize' | 'channels' | 'numClasses'>, seed: number): TeacherModel {
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
  b.torchDefault('fc.weight', [flat, data.numClasses], flat);
  b.torchDefault('fc.bias', [data.numClasses], flat);
  return { kind: 'teacher', arch, imageSize: data.imageSize, channels: data.channels, numClasses: data.numClasses, params: b.params };
}

/** Teacher logits [B, C] for images [B, H, W, C_in]. Call inside tf.tidy or a gradient tape. */
export function teacherForward(model: TeacherModel, x: tf.Tensor4D): tf.Tensor2D {
  const [bsz, h, w, c] = x.shape;
  if (h !== model.imageSize || w !== model.imageSize || c !== model.channels) {
    throw new Error(`teacher expects images [B, ${model.imageSize}, ${model.imageSize}, ${model.channels}], got [${x.shape}]`);
  }
  let y: tf.Tensor4D = x;
  model.arch.channels.forEach((_, i) => {
    const kernel = param(model.params, `teacher.conv${i}.kernel`) as tf.Tensor4D;
    y = tf.relu(tf.add(tf.conv2d(y, kernel, 1, 'same'), param(model.params, `teacher.conv${i}.bias`))) as tf.Tensor4D; // [B, h, w, c_i]
    if (model.arch.poolAfter[i]) y = tf.maxPool(y, 2, 2, 'valid'); // [B, h/2, w/2, c_i]
  });
  const flat = tf.reshape(y, [bsz, -1]); // [B, s*s*c_last]
  return linear(flat, model.params, 'teacher.fc') as tf.Tensor2D; // [B, C]
}
