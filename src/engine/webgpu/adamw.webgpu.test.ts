// The optimizer's WebGPU kernels against the plain tfjs path on the same WebGPU device.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { describeWebGpu } from '../testing/describeWebGpu';
import { countDispatches, recordPrograms } from '../testing/dispatchCounter';
import { DATASETS } from '../config';
import { disposeParams } from '../nn';
import { AdamW, globalNorm } from '../optimizer';
import { compileOnly, createShadow } from '../shaderWarmup';
import { createStudent } from '../student';
import { studentStep } from '../train';
import { globalNormFlat } from './adamw';
import { useWebGpuKernels } from './program';
import { expectClose, wave } from './testUtil';

const FLAG = 'DEIT_WEBGPU_KERNELS';

afterEach(() => tf.env().set(FLAG, true));

/** A small parameter store with the shapes the student has (matrix, bias, LayerNorm scale, token). */
const SHAPES: Record<string, number[]> = {
  'blocks.0.attn.qkv.weight': [24, 72],
  'blocks.0.attn.qkv.bias': [72],
  'blocks.0.norm1.gamma': [24],
  clsToken: [1, 1, 24],
  'head.weight': [24, 10],
  'head.bias': [10],
};

function makeParams(): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  let phase = 0.1;
  for (const [name, shape] of Object.entries(SHAPES)) {
    const size = shape.reduce((a, b) => a * b, 1);
    out[name] = tf.tidy(() => tf.variable(tf.tensor(wave(size, (phase += 0.37)), shape), true));
  }
  return out;
}

function makeGrads(step: number, names = Object.keys(SHAPES)): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  names.forEach((name, i) => {
    const shape = SHAPES[name]!;
    const size = shape.reduce((a, b) => a * b, 1);
    out[name] = tf.tidy(() => tf.mul(tf.tensor(wave(size, 2.1 + step + i), shape), 0.1 * (i + 1)));
  });
  return out;
}

/** Runs `steps` optimizer steps with the kernels on or off and returns every parameter's values and the norms. */
async function train(kernels: boolean, steps: (names?: string[]) => { clipNorm: number; names?: string[] }[]) {
  tf.env().set(FLAG, kernels);
  const params = makeParams();
  const opt = new AdamW(params, { weightDecay: 0.05 });
  expect((opt as unknown as { mv: unknown }).mv !== null).toBe(kernels);
  const norms: number[] = [];
  for (const [i, s] of steps().entries()) {
    const grads = makeGrads(i, s.names);
    const norm = opt.clipAndApply(grads, 0.01 * (i + 1), s.clipNorm);
    norms.push((await norm.data())[0]!);
    tf.dispose([norm, ...Object.values(grads)]);
  }
  const values: Record<string, Float32Array> = {};
  for (const [name, p] of Object.entries(params)) values[name] = (await p.data()) as Float32Array;
  opt.dispose();
  tf.dispose(Object.values(params));
  return { values, norms };
}

describeWebGpu('optimizer kernels (WebGPU)', () => {
  it('are on by default on webgpu, and off with DEIT_WEBGPU_KERNELS=false', () => {
    expect(useWebGpuKernels()).toBe(true);
    tf.env().set(FLAG, false);
    expect(useWebGpuKernels()).toBe(false);
  });

  it('global norm: one dispatch, equal to sqrt(sum(square)) to 1e-6 relative, for sizes around the workgroup', async () => {
    for (const n of [1, 255, 256, 257, 1000, 100_003]) {
      const g = tf.tensor1d(wave(n, n * 0.01));
      const counter = countDispatches();
      const fused = globalNormFlat(g);
      counter.stop();
      expect(counter.dispatches).toBe(1);
      const plain = tf.sqrt(tf.sum(tf.square(g)));
      expectClose(await fused.data(), await plain.data(), 1e-6);
      expect(fused.shape).toEqual([]);
      tf.dispose([g, fused, plain]);
    }
  });

  it('AdamW with weight decay and clipping: parameters and norms match the plain path to 1e-5 relative over 4 steps', async () => {
    const schedule = () => [{ clipNorm: 0 }, { clipNorm: 0.5 }, { clipNorm: 100 }, { clipNorm: 0.2 }];
    const plain = await train(false, schedule);
    const fused = await train(true, schedule);
    expectClose(fused.norms, plain.norms, 1e-5);
    for (const name of Object.keys(SHAPES)) expectClose(fused.values[name]!, plain.values[name]!, 1e-5, 1e-6);
    // Clipping was active in steps 2 and 4 (norms well above 0.5 and 0.2), so the test covers it.
    expect(plain.norms[1]).toBeGreaterThan(0.5);
  });

  it('parameters without a gradient are left untouched, and the others still match (two runs of moments)', async () => {
    const some = ['blocks.0.attn.qkv.weight', 'clsToken', 'head.bias']; // gaps: two runs of consecutive parameters
    const schedule = () => [{ clipNorm: 0 }, { clipNorm: 0.3, names: some }, { clipNorm: 0 }];
    const plain = await train(false, schedule);
    const fused = await train(true, schedule);
    expectClose(fused.norms, plain.norms, 1e-5);
    for (const name of Object.keys(SHAPES)) expectClose(fused.values[name]!, plain.values[name]!, 1e-5, 1e-6);
  });

  it('one step: 1 norm + 1 moments + 1 per parameter dispatches besides gathering the gradients; no tensors leak', async () => {
    const params = makeParams();
    const opt = new AdamW(params, { weightDecay: 0.05 });
    const grads = makeGrads(0);
    const before = tf.memory().numTensors;
    const recorder = recordPrograms(tf.backend());
    const norm = opt.clipAndApply(grads, 0.01, 1);
    recorder.stop();
    const own = recorder.names.filter((n) => n !== 'ConcatProgram');
    expect(own).toEqual(['GlobalNormProgram', 'MomentsProgram', ...Object.keys(SHAPES).map(() => 'ParamUpdateProgram')]);
    norm.dispose();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([...Object.values(grads), ...Object.values(params)]);
  });

  it('the shader warm-up (a compile-only step on a shadow) leaves the parameters and the moments alone', async () => {
    const info = DATASETS['fashion-mnist'];
    const student = createStudent({ embedDim: 16, depth: 1, numHeads: 2, mlpRatio: 2, patchSize: 7 }, info, 3);
    const opt = new AdamW(student.params, { weightDecay: 0.05 });
    const x = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d([1, 2, 3, 4], 'int32');
    const logits = tf.randomNormal([4, 10], 0, 1, 'float32', 2) as tf.Tensor2D;
    const opts = { distillation: 'hard' as const, alpha: 0.5, tau: 3, labelSmoothing: 0, lr: 1e-2, clipNorm: 1 };
    tf.dispose(Object.values(studentStep(student, opt, x, y, logits, opts))); // real moments, not zeros
    const read = async () => ({ w: await student.params['blocks.0.attn.qkv.weight']!.data(), mv: await (opt as unknown as { mv: tf.Variable }).mv.data() });
    const before = await read();
    const shadow = createShadow(student, 0.05);
    expect(await compileOnly(() => studentStep(shadow.student, shadow.optimizer, x, y, logits, opts))).not.toBeNull();
    shadow.dispose();
    const after = await read();
    expectClose(after.w, before.w, 0, 0);
    expectClose(after.mv, before.mv, 0, 0);
    expect(opt.step).toBe(1);
    tf.dispose([x, y, logits]);
    opt.dispose();
    disposeParams(student.params);
  });

  it('the plain optimizer reports the same norm as the kernel (globalNorm)', async () => {
    const grads = makeGrads(1);
    const plain = globalNorm(grads);
    const fused = tf.tidy(() => globalNormFlat(tf.concat(Object.values(grads).map((g) => tf.reshape(g, [-1]))) as tf.Tensor1D));
    expectClose(await fused.data(), await plain.data(), 1e-6);
    tf.dispose([plain, fused, ...Object.values(grads)]);
  });
});
