// The DeiT distillation loss as WebGPU kernels: one dispatch for the loss and one per head for its gradient, instead
// of ~27 tfjs kernels forward (two log-softmaxes, one-hots, means, the argmax or the KL) and ~23 backward.
// Same arithmetic as losses.ts distillationLoss (log-softmax with the row max subtracted, the KL from log-probabilities,
// DeiT's T^2 / numel scaling), so the two paths agree to float rounding.
import * as tf from '@tensorflow/tfjs-core';
import type { DistillationOptions, LossParts } from '../losses';
import { FlatProgram, runProgram, WORKGROUP, type ProgramUniform, type WebGPUProgram } from './program';

type Mode = DistillationOptions['distillation'];

const UNIFORMS = 'b : i32, c : i32, alpha : f32, tau : f32, eps : f32,';

/** log(sum(exp(row / div))) of row `base` of array `name`, with the row max subtracted first (as tf.logSoftmax). */
function lseFn(name: string): string {
  return `
  fn lse${name}(base : i32, div : f32) -> f32 {
    var m = ${name}[base] / div;
    for (var k = 1; k < uniforms.c; k = k + 1) {
      m = max(m, ${name}[base + k] / div);
    }
    var s = 0.0;
    for (var k = 0; k < uniforms.c; k = k + 1) {
      s = s + exp(${name}[base + k] / div - m);
    }
    return m + log(s);
  }`;
}

/** The first index of the row's largest teacher logit (tf.argMax). */
const ARGMAX_TEACHER = `
  fn argmaxTeacher(base : i32) -> i32 {
    var best = 0;
    var bv = Teacher[base];
    for (var k = 1; k < uniforms.c; k = k + 1) {
      if (Teacher[base + k] > bv) {
        bv = Teacher[base + k];
        best = k;
      }
    }
    return best;
  }`;

function gradInputsOf(head: 'cls' | 'dist'): string[] {
  return head === 'cls' ? ['Cls', 'Labels'] : ['Dist', 'Teacher'];
}

function inputsOf(mode: Mode): string[] {
  return mode === 'none' ? ['Cls', 'Labels'] : ['Cls', 'Dist', 'Teacher', 'Labels'];
}

/**
 * [total, base, distill] of a batch in one workgroup: each thread takes rows, then a tree sum in workgroup memory.
 * base = mean CE(cls, y) with label smoothing eps; distill = mean CE(dist, argmax teacher) (hard) or
 * sum KL(teacher/T || dist/T) * T^2 / (B*C) (soft) or 0 (none); total = (1-alpha) base + alpha distill (base for none).
 */
class LossProgram implements WebGPUProgram {
  outputShape = [3];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  variableNames: string[];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  uniforms = UNIFORMS;

  constructor(private readonly mode: Mode) {
    this.shaderKey = `deitLoss_${mode}_${WORKGROUP}`;
    this.variableNames = inputsOf(mode);
  }

  getUserCode(): string {
    const distRow = {
      none: '',
      hard: `accD = accD - (Dist[base + argmaxTeacher(base)] - lseDist(base, 1.0));`,
      soft: `let lseD = lseDist(base, uniforms.tau);
             let lseT = lseTeacher(base, uniforms.tau);
             for (var k = 0; k < c; k = k + 1) {
               let lpt = Teacher[base + k] / uniforms.tau - lseT;
               let lps = Dist[base + k] / uniforms.tau - lseD;
               accD = accD + exp(lpt) * (lpt - lps);
             }`,
    }[this.mode];
    const distill = {
      none: '0.0',
      hard: 'sumD[0] / f32(uniforms.b)',
      soft: 'sumD[0] * uniforms.tau * uniforms.tau / f32(uniforms.b * uniforms.c)',
    }[this.mode];
    return `
      ${lseFn('Cls')}
      ${this.mode === 'none' ? '' : lseFn('Dist') + lseFn('Teacher') + ARGMAX_TEACHER}
      var<workgroup> sumB : array<f32, ${WORKGROUP}>;
      var<workgroup> sumD : array<f32, ${WORKGROUP}>;
      fn main(index : i32) {
        let lid = i32(localId.x);
        let c = uniforms.c;
        var accB = 0.0;
        var accD = 0.0;
        for (var r = lid; r < uniforms.b; r = r + ${WORKGROUP}) {
          let base = r * c;
          let lseC = lseCls(base, 1.0);
          var sumLogp = 0.0;
          for (var k = 0; k < c; k = k + 1) {
            sumLogp = sumLogp + (Cls[base + k] - lseC);
          }
          let logpY = Cls[base + Labels[r]] - lseC;
          accB = accB - ((1.0 - uniforms.eps) * logpY + uniforms.eps / f32(c) * sumLogp);
          ${distRow}
        }
        sumB[lid] = accB;
        sumD[lid] = accD;
        workgroupBarrier();
        for (var k = ${WORKGROUP / 2}; k > 0; k = k / 2) {
          if (lid < k) {
            sumB[lid] = sumB[lid] + sumB[lid + k];
            sumD[lid] = sumD[lid] + sumD[lid + k];
          }
          workgroupBarrier();
        }
        if (lid == 0) {
          let baseMean = sumB[0] / f32(uniforms.b);
          let distill = ${distill};
          result[0] = ${this.mode === 'none' ? 'baseMean' : '(1.0 - uniforms.alpha) * baseMean + uniforms.alpha * distill'};
          result[1] = baseMean;
          result[2] = distill;
        }
      }`;
  }
}

/**
 * The gradient of [total, base, distill] . Dy with respect to one head's logits [B, C], one thread per logit:
 * - class head: ((1-alpha) dy0 + dy1) (softmax(cls) - target) / B (alpha taken as 0 for none);
 * - distillation head, hard: (alpha dy0 + dy2) (softmax(dist) - onehot(argmax teacher)) / B;
 * - distillation head, soft: (alpha dy0 + dy2) T (softmax(dist/T) - softmax(teacher/T)) / (B*C).
 */
class LossGradProgram extends FlatProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = UNIFORMS;

  constructor(private readonly mode: Mode, private readonly head: 'cls' | 'dist', b: number, c: number) {
    super([b, c], b * c);
    this.shaderKey = `deitLossGrad_${mode}_${head}`;
    // Only the arrays the shader reads: the pipeline's layout is derived from the shader, so an unread input's binding
    // would not exist and the bind group would be invalid.
    this.variableNames = [...gradInputsOf(head), 'Dy'];
  }

  getUserCode(): string {
    const body = this.head === 'cls'
      ? `let coef = ${this.mode === 'none' ? 'Dy[0]' : '(1.0 - uniforms.alpha) * Dy[0]'} + Dy[1];
         var tgt = uniforms.eps / f32(c);
         if (k == Labels[r]) {
           tgt = tgt + 1.0 - uniforms.eps;
         }
         result[index] = coef * (exp(Cls[index] - lseCls(base, 1.0)) - tgt) / f32(uniforms.b);`
      : this.mode === 'hard'
        ? `let coef = uniforms.alpha * Dy[0] + Dy[2];
           var tgt = 0.0;
           if (k == argmaxTeacher(base)) {
             tgt = 1.0;
           }
           result[index] = coef * (exp(Dist[index] - lseDist(base, 1.0)) - tgt) / f32(uniforms.b);`
        : `let coef = uniforms.alpha * Dy[0] + Dy[2];
           let ps = exp(Dist[index] / uniforms.tau - lseDist(base, uniforms.tau));
           let pt = exp(Teacher[index] / uniforms.tau - lseTeacher(base, uniforms.tau));
           result[index] = coef * uniforms.tau * (ps - pt) / f32(uniforms.b * c);`;
    return `
      ${this.head === 'cls' ? lseFn('Cls') : lseFn('Dist') + lseFn('Teacher') + ARGMAX_TEACHER}
      fn main(index : i32) {
        let c = uniforms.c;
        if (index >= uniforms.b * c) {
          return;
        }
        let r = index / c;
        let k = index - r * c;
        let base = r * c;
        ${body}
      }`;
  }
}

/**
 * losses.ts distillationLoss on WebGPU kernels: the same parts from the same inputs (the teacher is a constant, as
 * there), with a hand-written gradient for the student's logits. `dist` may be `cls` itself (a student without the
 * distillation token: the usual distillation), whose two gradients tfjs then adds.
 */
export function distillationLossKernel(
  cls: tf.Tensor2D, dist: tf.Tensor2D, teacher: tf.Tensor2D, labels: tf.Tensor1D, opts: DistillationOptions,
): LossParts {
  const mode = opts.distillation;
  const [b, c] = cls.shape;
  // Outside the tidy below: the gradient reads the labels after it has ended (the caller's scope frees a cast copy).
  const y = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
  return tf.tidy(() => {
    const uniforms: ProgramUniform[] = [
      { type: 'int32', data: [b] },
      { type: 'int32', data: [c] },
      { type: 'float32', data: [opts.alpha] },
      { type: 'float32', data: [opts.tau] },
      { type: 'float32', data: [opts.labelSmoothing ?? 0] },
    ];
    const inputs = (cl: tf.Tensor, di: tf.Tensor) => (mode === 'none' ? [cl, y] : [cl, di, teacher, y]);
    const op = tf.customGrad(((...args: unknown[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const cl = args[0] as tf.Tensor;
      const di = mode === 'none' ? cl : (args[1] as tf.Tensor);
      save([cl, di]);
      return {
        value: runProgram(new LossProgram(mode), inputs(cl, di), uniforms),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sc, sd] = saved as [tf.Tensor, tf.Tensor];
          const grad = (head: 'cls' | 'dist') => runProgram(new LossGradProgram(mode, head, b, c), head === 'cls' ? [sc, y, dy] : [sd, teacher, dy], uniforms);
          return mode === 'none' ? [grad('cls')] : [grad('cls'), grad('dist')];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor1D;
    const v = mode === 'none' ? op(cls) : op(cls, dist); // [3]: total, base, distill
    const part = (i: number) => tf.reshape(tf.slice(v, [i], [1]), []) as tf.Scalar;
    return { total: part(0), base: part(1), distill: part(2) };
  });
}
