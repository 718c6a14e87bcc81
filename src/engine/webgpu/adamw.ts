// WebGPU kernels of the optimizer step: the global gradient norm in one pass, AdamW's moments for every parameter in
// one pass, and one pass per parameter tensor for the update itself (~12 tfjs kernels each before).
import * as tf from '@tensorflow/tfjs-core';
import { FlatProgram, webgpuBackend, WORKGROUP, type WebGPUProgram } from './program';

/**
 * sqrt(sum g^2) over a flat gradient G [N] -> [1], in one workgroup that strides over G and then reduces in
 * workgroup memory. One pass instead of square + sum + sqrt; a single workgroup reads a few MB (DeiT-Ti: 5.4 M
 * floats) in well under a millisecond on a GPU, less than the launches it saves.
 */
class GlobalNormProgram implements WebGPUProgram {
  outputShape = [1];
  shaderKey = `deitGlobalNorm_${WORKGROUP}`;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  variableNames = ['G'];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];

  getUserCode(): string {
    return `
      var<workgroup> partial : array<f32, ${WORKGROUP}>;
      fn main(index : i32) {
        let lid = i32(localId.x);
        var s = 0.0;
        for (var i = lid; i < uniforms.gShape; i = i + ${WORKGROUP}) {
          let v = G[i];
          s = s + v * v;
        }
        partial[lid] = s;
        workgroupBarrier();
        for (var k = ${WORKGROUP / 2}; k > 0; k = k / 2) {
          if (lid < k) {
            partial[lid] = partial[lid] + partial[lid + k];
          }
          workgroupBarrier();
        }
        if (lid == 0) {
          result[0] = sqrt(partial[0]);
        }
      }`;
  }
}

/**
 * AdamW's moments, in place in MV [2N] (m in [0, N), v in [N, 2N)) for a run of `count` parameters' values starting
 * at `mvOffset`, from the flat gradients G starting at `gOffset`, each scaled by the clipping factor
 * min(1, maxNorm / (norm + 1e-6)) when maxNorm > 0. Arithmetic arranged as the plain path (optimizer.ts) does it.
 */
class MomentsProgram extends FlatProgram {
  shaderKey = 'deitAdamWMoments';
  variableNames = ['G', 'Norm'];
  uniforms = 'b1 : f32, oneMinusB1 : f32, b2 : f32, oneMinusB2 : f32, maxNorm : f32, n : i32, count : i32, mvOffset : i32, gOffset : i32,';

  constructor(mvSize: number, count: number) {
    super([mvSize], count);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.count) {
          return;
        }
        var g = G[uniforms.gOffset + index];
        if (uniforms.maxNorm > 0.0) {
          g = g * min(1.0, uniforms.maxNorm / (Norm[0] + 1e-6));
        }
        let im = uniforms.mvOffset + index;
        let iv = uniforms.n + im;
        result[im] = uniforms.b1 * result[im] + uniforms.oneMinusB1 * g;
        result[iv] = uniforms.b2 * result[iv] + uniforms.oneMinusB2 * (g * g);
      }`;
  }
}

/**
 * One parameter's AdamW update from the new moments: P * decay - (m * stepSize) / (sqrt(v) * invSqrtBc2 + eps), with
 * m, v read from MV at the parameter's offset. The output is a new tensor shaped as P (flat).
 */
class ParamUpdateProgram extends FlatProgram {
  shaderKey = 'deitAdamWParam';
  variableNames = ['P', 'MV'];
  uniforms = 'offset : i32, n : i32, stepSize : f32, invSqrtBc2 : f32, eps : f32, decay : f32,';
  size = true;

  constructor(size: number) {
    super([size], size);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) {
          return;
        }
        let m = MV[uniforms.offset + index];
        let v = MV[uniforms.n + uniforms.offset + index];
        let denom = sqrt(v) * uniforms.invSqrtBc2 + uniforms.eps;
        result[index] = P[index] * uniforms.decay - (m * uniforms.stepSize) / denom;
      }`;
  }
}

const GLOBAL_NORM = 'DeitGlobalNorm';
const ADAMW_PARAM = 'DeitAdamWParam';

tf.registerKernel({
  kernelName: GLOBAL_NORM,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const g = inputs['g']!;
    return (backend as unknown as ReturnType<typeof webgpuBackend>).runWebGPUProgram(new GlobalNormProgram(), [g], 'float32');
  },
});

tf.registerKernel({
  kernelName: ADAMW_PARAM,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { p, mv } = inputs as { p: tf.TensorInfo; mv: tf.TensorInfo };
    const a = attrs as unknown as { offset: number; n: number; stepSize: number; invSqrtBc2: number; eps: number; decay: number };
    return (backend as unknown as ReturnType<typeof webgpuBackend>).runWebGPUProgram(new ParamUpdateProgram(p.shape[0]!), [p, mv], 'float32', [
      { type: 'int32', data: [a.offset] },
      { type: 'int32', data: [a.n] },
      { type: 'float32', data: [a.stepSize] },
      { type: 'float32', data: [a.invSqrtBc2] },
      { type: 'float32', data: [a.eps] },
      { type: 'float32', data: [a.decay] },
    ]);
  },
});

/** sqrt(sum g^2) of a flat float32 tensor, one dispatch. Returns a scalar. */
export function globalNormFlat(g: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.reshape(tf.engine().runKernel(GLOBAL_NORM, { g }) as tf.Tensor, []) as tf.Scalar);
}

export interface MomentsUpdate {
  b1: number;
  b2: number;
  /** Clip the gradients to this global norm first (0: no clipping). */
  maxNorm: number;
  /** Run of consecutive parameters: their first value's index in m (and in v, minus N), in G, and their total size. */
  mvOffset: number;
  gOffset: number;
  count: number;
}

/**
 * Updates AdamW's moments in place in `mv` (a float32 tensor [2N] whose buffer nothing else shares) from the flat
 * gradients `g` and their global `norm` (for clipping). In place, so no tensor is created: tfjs's backend binds `mv`'s
 * own buffer as the program's read_write output, behind all earlier work on the queue.
 */
export function updateMomentsInPlace(mv: tf.Tensor1D, g: tf.Tensor1D, norm: tf.Tensor, u: MomentsUpdate): void {
  const n = mv.size / 2;
  if (u.mvOffset + u.count > n || u.gOffset + u.count > g.size) throw new Error(`updateMomentsInPlace: run [${u.mvOffset}, +${u.count}) out of range`);
  if (u.count === 0) return;
  webgpuBackend().runWebGPUProgram(new MomentsProgram(mv.size, u.count), [g, norm], 'float32', [
    { type: 'float32', data: [u.b1] },
    { type: 'float32', data: [1 - u.b1] },
    { type: 'float32', data: [u.b2] },
    { type: 'float32', data: [1 - u.b2] },
    { type: 'float32', data: [u.maxNorm] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [u.count] },
    { type: 'int32', data: [u.mvOffset] },
    { type: 'int32', data: [u.gOffset] },
  ], mv);
}

/**
 * A parameter's next value, P * decay - (m * stepSize) / (sqrt(v) * invSqrtBc2 + eps), with its moments at `offset`
 * in `mv` [2N]. `p` flat; returns a new flat tensor.
 */
export function adamWParam(p: tf.Tensor1D, mv: tf.Tensor1D, a: { offset: number; stepSize: number; invSqrtBc2: number; eps: number; decay: number }): tf.Tensor1D {
  const attrs = { ...a, n: mv.size / 2 };
  return tf.engine().runKernel(ADAMW_PARAM, { p, mv }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
