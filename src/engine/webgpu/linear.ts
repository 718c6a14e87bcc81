// The linear layer's gradient on WebGPU with the bias gradient in one pass: tfjs's fused matMul computes it as a sum
// over the leading axis, which its WebGPU backend runs as a transpose and a reduction (two dispatches per linear).
import * as tf from '@tensorflow/tfjs-core';
import { runProgram, type WebGPUProgram } from './program';

const COLS = 16; // columns per workgroup: neighbouring threads read neighbouring floats of a row
const LANES = 16; // threads per column, each summing every LANES-th row, then a sum of their partials

/**
 * The body of a column reduction over R rows of C columns: a workgroup per COLS columns, LANES threads per column,
 * each summing `term(r, col)` (a WGSL expression in r and col) over every LANES-th row, then lane 0 adds the partials
 * and writes result[col]. The program needs uniforms `rows` and `cols`, COLS * LANES threads per workgroup and
 * ceil(C / COLS) workgroups in x (see {@link columnDispatch}).
 */
export function columnReduceCode(term: string): string {
  return `
      var<workgroup> partial : array<f32, ${COLS * LANES}>;
      fn main(index : i32) {
        let lid = i32(localId.x);
        let lane = lid / ${COLS};
        let col = i32(workgroupId.x) * ${COLS} + lid % ${COLS};
        var s = 0.0;
        if (col < uniforms.cols) {
          for (var r = lane; r < uniforms.rows; r = r + ${LANES}) {
            s = s + ${term};
          }
        }
        partial[lid] = s;
        workgroupBarrier();
        if (lane == 0 && col < uniforms.cols) {
          var t = 0.0;
          for (var k = 0; k < ${LANES}; k = k + 1) {
            t = t + partial[k * ${COLS} + lid];
          }
          result[col] = t;
        }
      }`;
}

/** Workgroup size and count of a column reduction over `cols` columns. */
export function columnDispatch(cols: number): { workgroupSize: [number, number, number]; dispatch: [number, number, number]; key: string } {
  return { workgroupSize: [COLS * LANES, 1, 1], dispatch: [Math.ceil(cols / COLS), 1, 1], key: `${COLS}_${LANES}` };
}

/** sum over rows of X [R, C] -> [C]. */
class ColumnSumProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ['X'];
  workgroupSize: [number, number, number];
  uniforms = 'rows : i32, cols : i32,';

  constructor(cols: number) {
    this.outputShape = [cols];
    const c = columnDispatch(cols);
    this.dispatch = c.dispatch;
    this.workgroupSize = c.workgroupSize;
    this.shaderKey = `deitColumnSum_${c.key}`;
  }

  getUserCode(): string {
    return columnReduceCode('X[r * uniforms.cols + col]');
  }
}

/** sum(x, 0) of a 2-D tensor in one dispatch. */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  const [rows, cols] = x.shape;
  return runProgram(new ColumnSumProgram(cols), [x], [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [cols] },
  ]) as tf.Tensor1D;
}

type Linear2D = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * x @ W + b on WebGPU: the fused matMul forward (one dispatch) and three backward: dx = dy W^T and dW = x^T dy as
 * tfjs's own gradient computes them (matMuls with transpose flags, no transpose pass), db in one column-sum pass.
 * `inputIsData`: x is not differentiated (the images' patches), so dx is not computed.
 */
export function linearKernel(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, inputIsData: boolean): tf.Tensor2D {
  return inputIsData ? linearOnData(x)(w, b) : linearOp(x, w, b);
}

const linearOp = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, sw, false, true), tf.matMul(sx, g, true, false), columnSum(g)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Linear2D;

function linearOnData(x: tf.Tensor2D): (w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D {
  return tf.customGrad(((w: tf.Tensor2D, b: tf.Tensor1D) => ({
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor) => [tf.matMul(x, dy as tf.Tensor2D, true, false), columnSum(dy as tf.Tensor2D)],
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
}
