// Small functional building blocks shared by the student and the teacher: parameter stores, init, linear, LayerNorm, GELU.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradient kernels; the union package registers them (and the cpu/webgl backends)
// in both Node (CJS) and the browser bundle. A deep import of core's register_all_gradients breaks Node's ESM loader.
import '@tensorflow/tfjs';
import { mulberry32, truncatedNormalArray, uniformArray, type Rng } from './random';
import { geluKernel, layerNormKernel } from './webgpu/layerNorm';
import { linearKernel } from './webgpu/linear';
import { useWebGpuKernels } from './webgpu/program';

/** A model's trainable state: named variables (names follow DeiT's state_dict, e.g. `blocks.0.attn.qkv.weight`). */
export type Params = Record<string, tf.Variable>;

/** Builds variables in a fixed order from one seeded stream, so a seed reproduces an initialisation on any backend. */
export class ParamBuilder {
  readonly params: Params = {};
  private readonly rng: Rng;
  private readonly prefix: string;

  constructor(seed: number, prefix = '') {
    this.rng = mulberry32(seed);
    this.prefix = prefix;
  }

  private add(name: string, values: Float32Array, shape: number[]): tf.Variable {
    const full = this.prefix + name;
    if (this.params[full]) throw new Error(`duplicate parameter name ${full}`);
    // tf.variable shares the initial tensor's data and takes its own reference: dispose the initial tensor, or it
    // keeps the init values alive after the model is disposed.
    const init = tf.tensor(values, shape, 'float32');
    const v = tf.variable(init, true, `${full}_${nextId++}`);
    init.dispose();
    this.params[full] = v;
    return v;
  }

  /** timm `trunc_normal_(std)` (bounds +-2 absolute). */
  truncNormal(name: string, shape: number[], std = 0.02): tf.Variable {
    return this.add(name, truncatedNormalArray(sizeOf(shape), std, this.rng), shape);
  }

  /** PyTorch's default Linear/Conv init (kaiming_uniform with a=sqrt(5)): U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
  torchDefault(name: string, shape: number[], fanIn: number): tf.Variable {
    return this.add(name, uniformArray(sizeOf(shape), 1 / Math.sqrt(fanIn), this.rng), shape);
  }

  constant(name: string, shape: number[], value: number): tf.Variable {
    return this.add(name, new Float32Array(sizeOf(shape)).fill(value), shape);
  }
}

// tf.variable names must be unique per engine; a counter keeps two models (or two runs) apart.
let nextId = 0;

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Looks a parameter up by name with a clear error instead of an undefined deep inside an op. */
export function param(params: Params, name: string): tf.Variable {
  const p = params[name];
  if (!p) throw new Error(`missing parameter "${name}"`);
  return p;
}

/**
 * x @ W + b over the last axis: x [..., in], W [in, out], b [out] -> [..., out]. One fused matMul + bias kernel
 * (tf.fused.matMul, same values) instead of a matMul and an add: one dispatch less per linear forward, 6-15% faster
 * student steps on WebGPU (SwiftShader). Not on WebGL, where the fused kernel was slower for deit-micro in the first
 * A/B pairs of npm run bench and no faster in a later interleaved one (within noise; README, Performance). On WebGPU
 * with the engine's kernels, the bias gradient is one pass (webgpu/linear.ts) and `inputIsData` (x is the images, not
 * differentiated) skips dx.
 */
export function linear(x: tf.Tensor, params: Params, name: string, opts: { inputIsData?: boolean } = {}): tf.Tensor {
  const w = param(params, `${name}.weight`);
  const b = param(params, `${name}.bias`);
  const [inDim, outDim] = w.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  if (x.shape[x.rank - 1] !== inDim) {
    throw new Error(`${name}: input last dim ${x.shape[x.rank - 1]} does not match weight [${w.shape}]`);
  }
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inDim]) as tf.Tensor2D; // [B*T, in]
  const backend = tf.getBackend();
  const y = backend === 'webgl'
    ? tf.add(tf.matMul(flat, w as tf.Tensor2D), b)
    : backend === 'wasm'
      ? wasmLinear(flat, w as tf.Tensor2D, b as tf.Tensor1D)
      : useWebGpuKernels()
        ? linearKernel(flat, w as tf.Tensor2D, b as tf.Tensor1D, opts.inputIsData ?? false)
        : tf.fused.matMul({ a: flat, b: w as tf.Tensor2D, bias: b }); // [B*T, out]
  return x.rank === 2 ? y : tf.reshape(y, [...lead, outDim]);
}

/**
 * The linear layer on tfjs-wasm, with its gradient written as plain 2-D matMuls of explicitly transposed operands.
 * tfjs-wasm's matMul is fast (XNNPACK) only for 2-D operands without a transpose flag; the built-in gradient of a
 * matMul uses the flags, and those fall to a slow loop: at deit-micro's shapes (3264 x 64 by 64 x 256) x^T dy took
 * 141 ms with the flag and 7.6 ms as transpose + matMul, dy W^T 90 ms (npm run bench:node; README Performance).
 * Same arithmetic: dx = dy W^T, dW = x^T dy, db = sum over rows of dy.
 */
const wasmLinear = tf.customGrad((...args: unknown[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }), // [N, out]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D; // [N, out]
      return [
        tf.matMul(g, tf.transpose(sw)), // [N, in]
        tf.matMul(tf.transpose(sx), g), // [in, out]
        tf.sum(g, 0), // [out]
      ];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * LayerNorm over the last axis with eps 1e-6 (DeiT's `partial(nn.LayerNorm, eps=1e-6)`). On WebGPU one kernel forward
 * and four backward (webgpu/layerNorm.ts) instead of ~35 tfjs kernels; the same arithmetic either way.
 */
export function layerNorm(x: tf.Tensor, params: Params, name: string, eps = 1e-6): tf.Tensor {
  if (useWebGpuKernels()) return layerNormKernel(x, param(params, `${name}.gamma`), param(params, `${name}.beta`), eps);
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, param(params, `${name}.gamma`)), param(params, `${name}.beta`));
}

/**
 * Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.GELU() (tfjs has no GELU op; erf has a gradient). On WebGPU one
 * kernel each way (webgpu/layerNorm.ts) instead of 5 forward and ~10 backward.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (useWebGpuKernels()) return geluKernel(x);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** Total number of scalars in a parameter store. */
export function countParams(params: Params): number {
  return Object.values(params).reduce((n, v) => n + v.size, 0);
}

export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}
