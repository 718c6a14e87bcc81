// The WebGPU lane itself: tfjs runs on Dawn's adapter in Node, and a matMul and its gradient match the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeWebGpu } from './describeWebGpu';

describeWebGpu('WebGPU in Node', () => {
  it('trains on the webgpu backend: a matMul and its gradient match the closed form', async () => {
    expect(tf.getBackend()).toBe('webgpu');
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[0.5, -1], [2, 0.25]]);
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => tf.sum(tf.matMul(x, b)))([a]);
    expect(Array.from(await value.data())).toEqual([1 * 0.5 + 2 * 2 + 1 * -1 + 2 * 0.25 + 3 * 0.5 + 4 * 2 + 3 * -1 + 4 * 0.25]);
    // d/dA sum(A B) = 1 B^T: every row is the row sums of B.
    expect(Array.from(await grads[0]!.data())).toEqual([-0.5, 2.25, -0.5, 2.25]);
    tf.dispose([a, b, value, ...grads]);
  });
});
