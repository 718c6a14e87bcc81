// The student's token embedding on WebGPU: [class token, distillation token, patches] + position embedding in one pass,
// and its gradient in four (patches; position embedding, whose first rows summed over the batch are the tokens'
// gradients, sliced off), instead of 4 forward and 9 backward tfjs kernels (two broadcasts, a concat and an add; a
// transpose and a reduction per broadcast parameter and a split).
import * as tf from '@tensorflow/tfjs-core';
import { columnSum } from './linear';
import { FlatProgram, runProgram } from './program';

interface Dims {
  b: number;
  t: number;
  d: number;
  /** Tokens before the patches: 2 with the distillation token, 1 without. */
  extra: number;
}

/** out[b, t] = (t == 0 ? cls : t == 1 && extra == 2 ? dist : patches[b, t - extra]) + pos[t]. */
class EmbedProgram extends FlatProgram {
  shaderKey: string;
  variableNames: string[];
  size = true;

  constructor(private readonly m: Dims) {
    super([m.b, m.t, m.d], m.b * m.t * m.d);
    this.variableNames = m.extra === 2 ? ['Patches', 'Cls', 'Dist', 'Pos'] : ['Patches', 'Cls', 'Pos'];
    this.shaderKey = `deitEmbed_${m.t}_${m.d}_${m.extra}`;
  }

  getUserCode(): string {
    const { t, d, extra } = this.m;
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) {
          return;
        }
        let c = index % ${d};
        let tt = (index / ${d}) % ${t};
        let bb = index / ${t * d};
        var v = 0.0;
        if (tt == 0) {
          v = Cls[c];
        } ${extra === 2 ? `else if (tt == 1) {
          v = Dist[c];
        }` : ''} else {
          v = Patches[(bb * ${t - extra} + tt - ${extra}) * ${d} + c];
        }
        result[index] = v + Pos[tt * ${d} + c];
      }`;
  }
}

/** The patches' rows of the gradient: dPatches[b, n] = dy[b, n + extra]. */
class EmbedGradPatchesProgram extends FlatProgram {
  shaderKey: string;
  variableNames = ['Dy'];
  size = true;

  constructor(private readonly m: Dims) {
    super([m.b, m.t - m.extra, m.d], m.b * (m.t - m.extra) * m.d);
    this.shaderKey = `deitEmbedGradPatches_${m.t}_${m.d}_${m.extra}`;
  }

  getUserCode(): string {
    const { t, d, extra } = this.m;
    const n = t - extra;
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) {
          return;
        }
        let bb = index / ${n * d};
        result[index] = Dy[bb * ${t * d} + index - bb * ${n * d} + ${extra * d}];
      }`;
  }
}

/**
 * concat([cls, dist, patches], 1) + pos with cls and dist broadcast over the batch: patches [B, N, D], cls and dist
 * [1, 1, D] (dist null without the distillation token), pos [1, T, D] -> [B, T, D]. Differentiable in all four.
 */
export function embedTokensKernel(patches: tf.Tensor3D, cls: tf.Tensor, dist: tf.Tensor | null, pos: tf.Tensor): tf.Tensor3D {
  const [b, n, d] = patches.shape;
  const extra = dist ? 2 : 1;
  const m: Dims = { b, t: n + extra, d, extra };
  if (pos.size !== m.t * d || cls.size !== d || (dist && dist.size !== d)) {
    throw new Error(`embedTokens: patches [${patches.shape}], cls [${cls.shape}], dist [${dist?.shape ?? '-'}], pos [${pos.shape}]`);
  }
  const op = tf.customGrad(((...args: unknown[]) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    return {
      value: runProgram(new EmbedProgram(m), inputs),
      gradFunc: (dy: tf.Tensor) => {
        const dPatches = runProgram(new EmbedGradPatchesProgram(m), [dy]);
        const dPos = columnSum(tf.reshape(dy, [b, m.t * d]) as tf.Tensor2D); // [T*D]
        const token = (i: number) => tf.reshape(tf.slice(dPos, [i * d], [d]), [1, 1, d]);
        const dTokens = dist ? [token(0), token(1)] : [token(0)];
        return [dPatches, ...dTokens, tf.reshape(dPos, pos.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return dist ? op(patches, cls, dist, pos) : op(patches, cls, pos);
}
