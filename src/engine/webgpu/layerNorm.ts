// LayerNorm and GELU as WebGPU kernels with hand-written gradients (tf.customGrad): one dispatch for LayerNorm forward
// and four for its backward (~10 and ~25 tfjs kernels on the plain path); one each way for GELU (5 and ~10).
import * as tf from '@tensorflow/tfjs-core';
import { columnDispatch, columnReduceCode } from './linear';
import { FlatProgram, runProgram, type WebGPUProgram } from './program';

// Rows are normalised one thread per row: D (32-192 here) is too short to share across a workgroup profitably, and it
// keeps mean and variance in the two-pass form tf.moments uses (mean, then mean of squared deviations).
const ROW_STATS = `
  fn rowStats(base : i32, d : i32) -> vec2<f32> {
    var mean = 0.0;
    for (var i = 0; i < d; i = i + 1) {
      mean = mean + X[base + i];
    }
    mean = mean / f32(d);
    var variance = 0.0;
    for (var i = 0; i < d; i = i + 1) {
      let c = X[base + i] - mean;
      variance = variance + c * c;
    }
    variance = variance / f32(d);
    return vec2<f32>(mean, inverseSqrt(variance + uniforms.eps));
  }`;

/** Base of the row-wise programs: X [R, D] flattened, one thread per row. */
abstract class RowProgram implements WebGPUProgram {
  outputShape: number[];
  abstract shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  abstract variableNames: string[];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'rows : i32, d : i32, eps : f32,';

  constructor(outputSize: number, threads: number) {
    this.outputShape = [outputSize];
    this.dispatch = [Math.max(1, Math.ceil(threads / 64)), 1, 1];
  }
  abstract getUserCode(): string;
}

/** y = (x - mean) * rstd * gamma + beta per row. */
class LayerNormProgram extends RowProgram {
  shaderKey = 'deitLayerNorm';
  variableNames = ['X', 'Gamma', 'Beta'];
  getUserCode(): string {
    return `${ROW_STATS}
      fn main(index : i32) {
        if (index >= uniforms.rows) {
          return;
        }
        let base = index * uniforms.d;
        let s = rowStats(base, uniforms.d);
        for (var i = 0; i < uniforms.d; i = i + 1) {
          result[base + i] = (X[base + i] - s.x) * s.y * Gamma[i] + Beta[i];
        }
      }`;
  }
}

/** Per row: [mean, rstd] -> [R, 2], for the parameter gradients. */
class RowStatsProgram extends RowProgram {
  shaderKey = 'deitLayerNormStats';
  variableNames = ['X'];
  getUserCode(): string {
    return `${ROW_STATS}
      fn main(index : i32) {
        if (index >= uniforms.rows) {
          return;
        }
        let s = rowStats(index * uniforms.d, uniforms.d);
        result[2 * index] = s.x;
        result[2 * index + 1] = s.y;
      }`;
  }
}

/** dx = rstd * (dy*gamma - mean(dy*gamma) - xhat * mean(dy*gamma*xhat)) per row. */
class LayerNormGradXProgram extends RowProgram {
  shaderKey = 'deitLayerNormGradX';
  variableNames = ['X', 'Dy', 'Gamma'];
  getUserCode(): string {
    return `${ROW_STATS}
      fn main(index : i32) {
        if (index >= uniforms.rows) {
          return;
        }
        let d = uniforms.d;
        let base = index * d;
        let s = rowStats(base, d);
        var a = 0.0;
        var b = 0.0;
        for (var i = 0; i < d; i = i + 1) {
          let g = Dy[base + i] * Gamma[i];
          a = a + g;
          b = b + g * (X[base + i] - s.x) * s.y;
        }
        a = a / f32(d);
        b = b / f32(d);
        for (var i = 0; i < d; i = i + 1) {
          let xhat = (X[base + i] - s.x) * s.y;
          result[base + i] = s.y * (Dy[base + i] * Gamma[i] - a - xhat * b);
        }
      }`;
  }
}

/**
 * dgamma = sum_rows dy * xhat (withXhat) or dbeta = sum_rows dy: a column reduction (linear.ts), several threads per
 * column so that a long batch of rows is not one thread's loop.
 */
class LayerNormGradParamProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms = 'rows : i32, cols : i32,';
  private readonly withXhat: boolean;
  constructor(d: number, withXhat: boolean) {
    this.outputShape = [d];
    const c = columnDispatch(d);
    this.dispatch = c.dispatch;
    this.workgroupSize = c.workgroupSize;
    this.withXhat = withXhat;
    this.variableNames = withXhat ? ['Dy', 'X', 'Stats'] : ['Dy'];
    this.shaderKey = `${withXhat ? 'deitLayerNormGradGamma' : 'deitLayerNormGradBeta'}_${c.key}`;
  }
  getUserCode(): string {
    const i = 'r * uniforms.cols + col';
    return columnReduceCode(this.withXhat ? `Dy[${i}] * (X[${i}] - Stats[2 * r]) * Stats[2 * r + 1]` : `Dy[${i}]`);
  }
}

/** exact GELU with tfjs's erf approximation (Abramowitz-Stegun 7.1.26, as its Erf kernel), so values match the plain path. */
const ERF = `
  fn erfApprox(a : f32) -> f32 {
    let t = 1.0 / (1.0 + 0.3275911 * abs(a));
    return sign(a) * (1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-abs(a) * abs(a)));
  }`;

/** y = 0.5 x (1 + erf(x / sqrt 2)), or its gradient dy * (0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2/2) / sqrt(2 pi)). */
class GeluProgram extends FlatProgram {
  shaderKey: string;
  variableNames: string[];
  size = true;
  private readonly grad: boolean;
  constructor(n: number, grad: boolean) {
    super([n], n);
    this.grad = grad;
    this.variableNames = grad ? ['X', 'Dy'] : ['X'];
    this.shaderKey = grad ? 'deitGeluGrad' : 'deitGelu';
  }
  getUserCode(): string {
    // The plain path's arithmetic: mul(mul(x, 0.5), add(erf(mul(x, SQRT1_2)), 1)); its gradient through tfjs's
    // Erf gradient, 2/sqrt(pi) exp(-u^2), which is the exact derivative (not that of the approximation).
    const body = this.grad
      ? `let e = erfApprox(x * ${Math.SQRT1_2});
         result[index] = Dy[index] * ((e + 1.0) * 0.5 + x * 0.5 * ${2 / Math.sqrt(Math.PI)} * exp(-(x * ${Math.SQRT1_2}) * (x * ${Math.SQRT1_2})) * ${Math.SQRT1_2});`
      : `result[index] = (x * 0.5) * (erfApprox(x * ${Math.SQRT1_2}) + 1.0);`;
    return `${ERF}
      fn main(index : i32) {
        if (index >= uniforms.size) {
          return;
        }
        let x = X[index];
        ${body}
      }`;
  }
}

function run(program: WebGPUProgram, inputs: tf.Tensor[], uniforms: { rows: number; d: number; eps: number } | null): tf.Tensor {
  return runProgram(program, inputs, uniforms
    ? [{ type: 'int32', data: [uniforms.rows] }, { type: 'int32', data: [uniforms.d] }, { type: 'float32', data: [uniforms.eps] }]
    : undefined);
}

/**
 * LayerNorm over the last axis on WebGPU kernels: x [..., D], gamma [D], beta [D]. Values and gradients as
 * nn.ts layerNorm computes them on the plain path (two-pass mean and variance, rsqrt(var + eps)).
 */
export const layerNormKernel: (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number) => tf.Tensor = (x, gamma, beta, eps) => {
  const d = x.shape[x.rank - 1]!;
  if (gamma.size !== d || beta.size !== d) throw new Error(`layerNormKernel: gamma [${gamma.shape}] / beta [${beta.shape}] for width ${d}`);
  const op = tf.customGrad(((xIn: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const rows = xIn.size / d;
    const flat = tf.reshape(xIn, [-1]); // [R*D]
    const y = run(new LayerNormProgram(rows * d, rows), [flat, g, b], { rows, d, eps });
    save([flat, g]);
    return {
      value: tf.reshape(y, xIn.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs] = saved as [tf.Tensor, tf.Tensor];
        const dyFlat = tf.reshape(dy, [-1]);
        const u = { rows, d, eps };
        const dx = run(new LayerNormGradXProgram(rows * d, rows), [xs, dyFlat, gs], u);
        const stats = run(new RowStatsProgram(rows * 2, rows), [xs], u);
        const cu = [{ type: 'int32' as const, data: [rows] }, { type: 'int32' as const, data: [d] }];
        const dGamma = runProgram(new LayerNormGradParamProgram(d, true), [dyFlat, xs, stats], cu);
        const dBeta = runProgram(new LayerNormGradParamProgram(d, false), [dyFlat], cu);
        stats.dispose();
        return [tf.reshape(dx, xIn.shape), tf.reshape(dGamma, g.shape), tf.reshape(dBeta, b.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, gamma, beta);
};

/** Exact GELU on a WebGPU kernel, with its gradient on another: values and gradients as nn.ts gelu on the plain path. */
export const geluKernel: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const flat = tf.reshape(x, [-1]);
  const y = run(new GeluProgram(x.size, false), [flat], null);
  save([flat]);
  return {
    value: tf.reshape(y, x.shape),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.reshape(run(new GeluProgram(x.size, true), [saved[0]!, tf.reshape(dy, [-1])], null), x.shape),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
