// LayerNorm and GELU kernels against the plain tfjs path (nn.ts with DEIT_WEBGPU_KERNELS off) on the same WebGPU device.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { describeWebGpu } from '../testing/describeWebGpu';
import { recordPrograms } from '../testing/dispatchCounter';
import { gelu, layerNorm, type Params } from '../nn';
import { expectClose, wave } from './testUtil';

const FLAG = 'DEIT_WEBGPU_KERNELS';
afterEach(() => tf.env().set(FLAG, true));

/** Value and gradients of sum(f(x) * w) for a fixed weighting w, with the kernels on or off. */
async function valueAndGrads(kernels: boolean, f: (x: tf.Tensor, params: Params) => tf.Tensor, xs: tf.Tensor, params: Params) {
  tf.env().set(FLAG, kernels);
  const out = tf.tidy(() => {
    const w = tf.tensor(wave(xs.size, 0.9), xs.shape);
    const vars = Object.values(params);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(xs, params), w)) as tf.Scalar, vars);
    const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x, params), w)))(xs);
    const y = f(xs, params);
    return { y, value, dx, ...Object.fromEntries(vars.map((v) => [v.name, grads[v.name]!])) };
  });
  const read: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(out)) read[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(out));
  return read;
}

describeWebGpu('LayerNorm and GELU kernels (WebGPU)', () => {
  it('LayerNorm: values and gradients (x, gamma, beta) match the plain path to 1e-5, over shifted, scaled rows', async () => {
    const [b, t, d] = [3, 7, 24];
    const params: Params = {
      'n.gamma': tf.variable(tf.tensor(wave(d, 0.3, 0.5)).add(1)),
      'n.beta': tf.variable(tf.tensor(wave(d, 1.7, 0.2))),
    };
    // Rows with an offset and a spread of scales, so the mean and variance terms both matter.
    const x = tf.tidy(() => tf.add(tf.mul(tf.tensor(wave(b * t * d, 0.1), [b, t, d]), tf.linspace(0.2, 5, d)), 3));
    const f = (xx: tf.Tensor, p: Params) => layerNorm(xx, p, 'n');
    const plain = await valueAndGrads(false, f, x, params);
    const fused = await valueAndGrads(true, f, x, params);
    for (const k of Object.keys(plain)) expectClose(fused[k]!, plain[k]!, 1e-5, 1e-5);
    tf.dispose([x, ...Object.values(params)]);
  });

  it('LayerNorm: 1 dispatch forward and 4 backward', async () => {
    const params: Params = { 'n.gamma': tf.variable(tf.ones([16])), 'n.beta': tf.variable(tf.zeros([16])) };
    const x = tf.randomNormal([40, 16]);
    const rec = recordPrograms(tf.backend());
    const { grads, value } = tf.variableGrads(() => tf.sum(layerNorm(x, params, 'n')) as tf.Scalar, Object.values(params));
    rec.stop();
    const own = rec.names.filter((n) => n.startsWith('LayerNorm') || n === 'RowStatsProgram');
    expect(own).toEqual(['LayerNormProgram', 'LayerNormGradXProgram', 'RowStatsProgram', 'LayerNormGradParamProgram', 'LayerNormGradParamProgram']);
    tf.dispose([x, value, ...Object.values(grads), ...Object.values(params)]);
  });

  it('GELU: values and gradient match the plain path to 1e-5 across [-6, 6]', async () => {
    const x = tf.linspace(-6, 6, 1001);
    const params: Params = { 's.w': tf.variable(tf.tensor(wave(1001, 0.4))) };
    const f = (xx: tf.Tensor, p: Params) => gelu(tf.mul(xx, p['s.w']!));
    const plain = await valueAndGrads(false, f, x, params);
    const fused = await valueAndGrads(true, f, x, params);
    for (const k of Object.keys(plain)) expectClose(fused[k]!, plain[k]!, 1e-5, 1e-6);
    tf.dispose([x, ...Object.values(params)]);
  });

  it('GELU: 1 dispatch each way', async () => {
    const x = tf.randomNormal([5000]);
    const rec = recordPrograms(tf.backend());
    const dx = tf.grad((v: tf.Tensor) => tf.sum(gelu(v)))(x);
    rec.stop();
    expect(rec.names.filter((n) => n === 'GeluProgram')).toHaveLength(2);
    tf.dispose([x, dx]);
  });
});
