// Multi-head self-attention's core on WebGPU: from the qkv projection's output straight to the heads' merged context,
// one dispatch forward and two backward, instead of ~9 forward (transpose, split, scale, two batched matMuls, softmax,
// transpose back) and ~12 backward tfjs kernels. The softmax rows are recomputed in the backward pass rather than kept.
import * as tf from '@tensorflow/tfjs-core';
import { FlatProgram, runProgram } from './program';

/** Shapes baked into a program: batch, tokens, heads, head width. T sizes the per-thread row arrays. */
interface Dims {
  b: number;
  t: number;
  h: number;
  hd: number;
}

/**
 * WGSL that computes, for thread `index` = (b, h, i) in row-major order, row i of head h's softmax attention into
 * p[0..T): scores (q_i * scale) . k_j over the head's channels, minus their max, exp, divided by their sum (the
 * plain path's tf.softmax). QKV is [B, T, 3D] with q, k, v at channel offsets 0, D, 2D and head h at h * hd.
 */
function softmaxRow(d: Dims): string {
  const { t, h, hd } = d;
  const d3 = 3 * h * hd;
  return `
        let i = index % ${t};
        let bh = index / ${t};
        let hh = bh % ${h};
        let bb = bh / ${h};
        let qBase = (bb * ${t} + i) * ${d3} + hh * ${hd};
        var p : array<f32, ${t}>;
        var m = -3.402823e38;
        for (var j = 0; j < ${t}; j = j + 1) {
          let kBase = (bb * ${t} + j) * ${d3} + ${h * hd} + hh * ${hd};
          var s = 0.0;
          for (var c = 0; c < ${hd}; c = c + 1) {
            s = s + (QKV[qBase + c] * ${1 / Math.sqrt(hd)}) * QKV[kBase + c];
          }
          p[j] = s;
          m = max(m, s);
        }
        var l = 0.0;
        for (var j = 0; j < ${t}; j = j + 1) {
          p[j] = exp(p[j] - m);
          l = l + p[j];
        }
        for (var j = 0; j < ${t}; j = j + 1) {
          p[j] = p[j] / l;
        }`;
}

/** The shader of a program with one thread per (b, h, i) query row: the row's softmax in p, then `after`. */
function rowMain(d: Dims, after: string): string {
  return `
      fn main(index : i32) {
        if (index >= uniforms.threads) {
          return;
        }
        ${softmaxRow(d)}
        ${after}
      }`;
}

abstract class AttentionProgram extends FlatProgram {
  shaderKey: string;
  // The thread count as a uniform the shader reads: a shader that reads no uniform has no uniform binding in its
  // derived layout, and tfjs binds one regardless (an invalid bind group).
  uniforms = 'threads : i32,';

  constructor(readonly d: Dims, outputShape: number[], readonly threads: number, name: string) {
    super(outputShape, threads);
    this.shaderKey = `deitAttn${name}_${d.b}_${d.t}_${d.h}_${d.hd}`;
  }
}

/** The heads' context, merged: [B, T, D] with head h's channels at h * hd (the layout the output projection takes). */
class AttentionForwardProgram extends AttentionProgram {
  variableNames = ['QKV'];
  constructor(d: Dims) {
    super(d, [d.b, d.t, d.h * d.hd], d.b * d.h * d.t, 'Fwd');
  }
  getUserCode(): string {
    const { t, h, hd } = this.d;
    return rowMain(this.d, `
        let outBase = (bb * ${t} + i) * ${h * hd} + hh * ${hd};
        for (var c = 0; c < ${hd}; c = c + 1) {
          var acc = 0.0;
          for (var j = 0; j < ${t}; j = j + 1) {
            acc = acc + p[j] * QKV[(bb * ${t} + j) * ${3 * h * hd} + ${2 * h * hd} + hh * ${hd} + c];
          }
          result[outBase + c] = acc;
        }`);
  }
}

/** The softmax attention itself, [B, H, T, T] (for the insight views; training never needs it). */
class AttentionWeightsProgram extends AttentionProgram {
  variableNames = ['QKV'];
  constructor(d: Dims) {
    super(d, [d.b, d.h, d.t, d.t], d.b * d.h * d.t, 'Weights');
  }
  getUserCode(): string {
    const { t } = this.d;
    return rowMain(this.d, `
        for (var j = 0; j < ${t}; j = j + 1) {
          result[index * ${t} + j] = p[j];
        }`);
  }
}

/**
 * Backward, first pass: per (b, h, i) row, P and dS = P * (dP - sum_j P dP) with dP_ij = dO_i . v_j (tf.softmax's
 * gradient), into [B, H, T, 2T]: P in the first T columns, dS in the last T.
 */
class AttentionGradScoresProgram extends AttentionProgram {
  variableNames = ['QKV', 'DO'];
  constructor(d: Dims) {
    super(d, [d.b, d.h, d.t, 2 * d.t], d.b * d.h * d.t, 'GradScores');
  }
  getUserCode(): string {
    const { t, h, hd } = this.d;
    return rowMain(this.d, `
        let doBase = (bb * ${t} + i) * ${h * hd} + hh * ${hd};
        var dp : array<f32, ${t}>;
        var dsum = 0.0;
        for (var j = 0; j < ${t}; j = j + 1) {
          let vBase = (bb * ${t} + j) * ${3 * h * hd} + ${2 * h * hd} + hh * ${hd};
          var s = 0.0;
          for (var c = 0; c < ${hd}; c = c + 1) {
            s = s + DO[doBase + c] * QKV[vBase + c];
          }
          dp[j] = s;
          dsum = dsum + s * p[j];
        }
        let rowBase = index * ${2 * t};
        for (var j = 0; j < ${t}; j = j + 1) {
          result[rowBase + j] = p[j];
          result[rowBase + ${t} + j] = (dp[j] - dsum) * p[j];
        }`);
  }
}

/**
 * Backward, second pass: the gradient of the qkv projection's output, [B, T, 3D], one thread per element:
 * dq_t = scale * sum_j dS_tj k_j, dk_t = sum_i dS_it (q_i * scale), dv_t = sum_i P_it dO_i (per head).
 */
class AttentionGradQkvProgram extends AttentionProgram {
  variableNames = ['QKV', 'S', 'DO'];
  constructor(d: Dims) {
    super(d, [d.b, d.t, 3 * d.h * d.hd], d.b * d.t * 3 * d.h * d.hd, 'GradQkv');
  }
  getUserCode(): string {
    const { t, h, hd } = this.d;
    const dm = h * hd;
    const scale = 1 / Math.sqrt(hd);
    return `
      fn main(index : i32) {
        if (index >= uniforms.threads) {
          return;
        }
        let e = index % ${3 * dm};
        let bt = index / ${3 * dm};
        let tt = bt % ${t};
        let bb = bt / ${t};
        let part = e / ${dm};
        let hh = (e % ${dm}) / ${hd};
        let c = e % ${hd};
        let sBase = (bb * ${h} + hh) * ${t};
        var acc = 0.0;
        if (part == 0) {
          for (var j = 0; j < ${t}; j = j + 1) {
            acc = acc + S[(sBase + tt) * ${2 * t} + ${t} + j] * QKV[(bb * ${t} + j) * ${3 * dm} + ${dm} + hh * ${hd} + c];
          }
          acc = acc * ${scale};
        } else if (part == 1) {
          for (var r = 0; r < ${t}; r = r + 1) {
            acc = acc + S[(sBase + r) * ${2 * t} + ${t} + tt] * (QKV[(bb * ${t} + r) * ${3 * dm} + hh * ${hd} + c] * ${scale});
          }
        } else {
          for (var r = 0; r < ${t}; r = r + 1) {
            acc = acc + S[(sBase + r) * ${2 * t} + tt] * DO[(bb * ${t} + r) * ${dm} + hh * ${hd} + c];
          }
        }
        result[index] = acc;
      }`;
  }
}

function run(program: AttentionProgram, inputs: tf.Tensor[]): tf.Tensor {
  return runProgram(program, inputs, [{ type: 'int32', data: [program.threads] }]);
}

function dimsOf(qkv: tf.Tensor3D, numHeads: number): Dims {
  const [b, t, d3] = qkv.shape;
  if (d3 % (3 * numHeads) !== 0) throw new Error(`attention: qkv width ${d3} is not 3 x heads (${numHeads}) x head width`);
  return { b, t, h: numHeads, hd: d3 / (3 * numHeads) };
}

/**
 * softmax(q k^T / sqrt(hd)) v per head, heads merged: qkv [B, T, 3D] (q, k, v each [B, T, H, hd] side by side, as
 * the qkv projection and PyTorch's reshape(B, N, 3, H, hd) lay them out) -> [B, T, D]. Differentiable.
 */
export const attentionKernel: (qkv: tf.Tensor3D, numHeads: number) => tf.Tensor3D = (qkv, numHeads) => {
  const d = dimsOf(qkv, numHeads);
  const op = tf.customGrad(((x: tf.Tensor3D, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: run(new AttentionForwardProgram(d), [x]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sx = saved[0]!;
        const scratch = run(new AttentionGradScoresProgram(d), [sx, dy]);
        const dx = run(new AttentionGradQkvProgram(d), [sx, scratch, dy]);
        scratch.dispose();
        return dx;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor3D) => tf.Tensor3D;
  return op(qkv);
};

/** The softmax attention [B, H, T, T] of qkv [B, T, 3D], one dispatch; not differentiable (the insight views read it). */
export function attentionWeightsKernel(qkv: tf.Tensor3D, numHeads: number): tf.Tensor4D {
  return run(new AttentionWeightsProgram(dimsOf(qkv, numHeads)), [qkv]) as tf.Tensor4D;
}
