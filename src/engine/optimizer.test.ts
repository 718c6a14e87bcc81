// Tests for AdamW and gradient clipping against hand-written float64 references.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, clipByGlobalNorm, globalNorm, isNoDecay } from './optimizer';

/** torch.optim.AdamW in float64, written straight from the paper's update, independent of the implementation. */
class RefAdamW {
  private m: number[];
  private v: number[];
  private t = 0;
  constructor(
    public p: number[],
    private readonly wd: number,
    private readonly b1 = 0.9,
    private readonly b2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = p.map(() => 0);
    this.v = p.map(() => 0);
  }
  step(g: readonly number[], lr: number): void {
    this.t += 1;
    for (let i = 0; i < this.p.length; i++) {
      const gi = g[i] as number;
      let p = (this.p[i] as number) * (1 - lr * this.wd);
      const m = this.b1 * (this.m[i] as number) + (1 - this.b1) * gi;
      const v = this.b2 * (this.v[i] as number) + (1 - this.b2) * gi * gi;
      const mhat = m / (1 - this.b1 ** this.t);
      const vhat = v / (1 - this.b2 ** this.t);
      p -= (lr * mhat) / (Math.sqrt(vhat) + this.eps);
      this.p[i] = p;
      this.m[i] = m;
      this.v[i] = v;
    }
  }
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-7): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (diff ${Math.abs(a - e)})`);
    }
  }
}

/** Deterministic, varied values in roughly [-1, 1]. */
function wave(n: number, phase: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + phase) + 0.3 * Math.cos(0.7 * i * phase));
}

const created: tf.Tensor[] = [];
function variable(values: number[], shape: number[], name?: string): tf.Variable {
  // tf.variable shares the initial tensor's data, so the initial tensor is disposed by the tidy.
  const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), true, name));
  created.push(v);
  return v;
}
afterEach(() => {
  tf.dispose(created.splice(0));
});

describe('isNoDecay', () => {
  it('skips biases, norm parameters and the DeiT tokens', () => {
    for (const name of [
      'patchEmbed.bias', 'headDist.bias', 'blocks.0.attn.qkv.bias', 'blocks.0.norm1.gamma',
      'blocks.3.norm2.beta', 'norm.gamma', 'clsToken', 'distToken', 'posEmbed', 'teacher.conv0.bias',
    ]) {
      expect(isNoDecay(name), name).toBe(true);
    }
  });

  it('decays weight matrices and kernels', () => {
    for (const name of [
      'blocks.0.attn.qkv.weight', 'blocks.1.mlp.fc1.weight', 'patchEmbed.weight', 'head.weight',
      'headDist.weight', 'teacher.conv0.kernel', 'teacher.dense.kernel',
    ]) {
      expect(isNoDecay(name), name).toBe(false);
    }
  });

  it('matches whole segments only', () => {
    expect(isNoDecay('biasProj.weight')).toBe(false);
    expect(isNoDecay('blocks.0.gammaLike')).toBe(false);
  });

  it('skips any rank <= 1 parameter when the shape is given', () => {
    expect(isNoDecay('teacher.bn0.scale', [32])).toBe(true);
    expect(isNoDecay('temperature', [])).toBe(true);
    expect(isNoDecay('head.weight', [64, 10])).toBe(false);
  });
});

describe('AdamW', () => {
  it('matches a float64 AdamW over several steps, with decay and no-decay params', () => {
    const wd = 0.05;
    const wInit = wave(12, 0.4);
    const bInit = wave(4, 1.1);
    const w = variable(wInit, [3, 4]);
    const b = variable(bInit, [4]);
    const opt = new AdamW({ 'blocks.0.mlp.fc1.weight': w, 'blocks.0.mlp.fc1.bias': b }, { weightDecay: wd });
    expect(opt.decayedNames).toEqual(['blocks.0.mlp.fc1.weight']);
    const refW = new RefAdamW([...wInit], wd);
    const refB = new RefAdamW([...bInit], 0);
    const lrs = [1e-3, 5e-3, 1e-2, 2e-2, 1e-2, 3e-3, 1e-3];
    lrs.forEach((lr, k) => {
      const gw = wave(12, 2 + k);
      const gb = wave(4, 5 + 0.5 * k);
      const grads = { 'blocks.0.mlp.fc1.weight': tf.tensor(gw, [3, 4]), 'blocks.0.mlp.fc1.bias': tf.tensor(gb, [4]) };
      opt.applyGradients(grads, lr);
      tf.dispose(Object.values(grads));
      refW.step(gw, lr);
      refB.step(gb, lr);
    });
    expect(opt.step).toBe(lrs.length);
    expectClose(w.dataSync(), refW.p);
    expectClose(b.dataSync(), refB.p);
    opt.dispose();
  });

  it('moves each element by ~lr on the first step (bias correction) and keeps doing so for a constant gradient', () => {
    const lr = 0.01;
    const p = variable([1, -2, 3, 0.5], [4]);
    const opt = new AdamW({ 'layer.weight': p }, { weightDecay: 0 });
    const g = tf.tensor([0.5, -3, 1e-3, 20], [4]);
    let prev = Array.from(p.dataSync());
    for (let k = 0; k < 5; k++) {
      opt.applyGradients({ 'layer.weight': g }, lr);
      const cur = Array.from(p.dataSync());
      // mhat = g and vhat = g^2 for a constant g, so each update is lr * g / (|g| + eps) = lr * sign(g).
      const deltas = cur.map((c, i) => (prev[i] as number) - c);
      expectClose(deltas, [lr, -lr, lr, lr], 1e-4);
      prev = cur;
    }
    g.dispose();
    opt.dispose();
  });

  it('with a zero gradient, shrinks a decay param by (1 - lr*wd) per step and leaves a bias untouched', () => {
    const lr = 0.1;
    const wd = 0.5;
    const w = variable([1, -2, 4], [3]);
    const b = variable([1, -2, 4], [3]);
    // A rank-1 'weight' would be exempt by shape, so shape the decayed one as a matrix.
    const w2 = variable([1, -2, 4], [1, 3]);
    const opt = new AdamW({ 'x.weight': w, 'x.bias': b, 'y.weight': w2 }, { weightDecay: wd });
    expect(opt.decayedNames).toEqual(['y.weight']);
    const zeros = { 'x.weight': tf.zeros([3]), 'x.bias': tf.zeros([3]), 'y.weight': tf.zeros([1, 3]) };
    for (let k = 0; k < 3; k++) opt.applyGradients(zeros, lr);
    const f = (1 - lr * wd) ** 3;
    expectClose(w2.dataSync(), [f, -2 * f, 4 * f]);
    expectClose(b.dataSync(), [1, -2, 4], 0, 0);
    expectClose(w.dataSync(), [1, -2, 4], 0, 0);
    tf.dispose(Object.values(zeros));
    opt.dispose();
  });

  it('leaves parameters without a gradient untouched', () => {
    const a = variable([1, 2], [1, 2]);
    const c = variable([3, 4], [1, 2]);
    const opt = new AdamW({ 'a.weight': a, 'c.weight': c }, { weightDecay: 0.1 });
    const g = tf.ones([1, 2]);
    opt.applyGradients({ 'a.weight': g }, 0.1);
    expect(Array.from(c.dataSync())).toEqual([3, 4]);
    expect(a.dataSync()[0]).not.toBe(1);
    g.dispose();
    opt.dispose();
  });

  it('rejects unknown names, wrong shapes, bad learning rates and use after dispose, without updating anything', () => {
    const a = variable([1, 2], [1, 2]);
    const opt = new AdamW({ 'a.weight': a }, { weightDecay: 0.1 });
    const good = tf.ones([1, 2]);
    const bad = tf.ones([2]);
    expect(() => opt.applyGradients({ 'a.weight': good, 'b.weight': good }, 0.1)).toThrow(/unknown parameter "b.weight"/);
    expect(() => opt.applyGradients({ 'a.weight': bad }, 0.1)).toThrow(/shape \[2\], parameter has \[1, 2\]/);
    expect(() => opt.applyGradients({ 'a.weight': good }, Number.NaN)).toThrow(/learning rate/);
    expect(opt.step).toBe(0);
    expect(Array.from(a.dataSync())).toEqual([1, 2]);
    opt.dispose();
    expect(() => opt.applyGradients({ 'a.weight': good }, 0.1)).toThrow(/dispose/);
    expect(() => new AdamW({}, { weightDecay: 0, beta1: 1 })).toThrow(/beta1/);
    tf.dispose([good, bad]);
  });

  it('minimises a quadratic', () => {
    const target = tf.tensor([3, -1, 0.5, 2], [2, 2]);
    const x = variable([0, 0, 0, 0], [2, 2]);
    const opt = new AdamW({ 'quadratic.x': x }, { weightDecay: 0 });
    for (let k = 0; k < 400; k++) {
      // The gradient of sum((x - target)^2), in closed form, so the test does not depend on autodiff registration.
      const g = tf.tidy(() => tf.mul(tf.scalar(2), tf.sub(x, target)));
      opt.applyGradients({ 'quadratic.x': g }, 0.05);
      g.dispose();
    }
    expectClose(x.dataSync(), [3, -1, 0.5, 2], 0, 1e-2);
    target.dispose();
    opt.dispose();
  });

  it('keeps tf.memory().numTensors flat across 20 steps and frees its slots on dispose', () => {
    const before = tf.memory().numTensors;
    const w = variable(wave(6, 0.1), [2, 3]);
    const b = variable(wave(3, 0.2), [3]);
    const grads = { 'fc.weight': tf.tensor(wave(6, 3), [2, 3]), 'fc.bias': tf.tensor(wave(3, 4), [3]) };
    const withParams = tf.memory().numTensors;
    const opt = new AdamW({ 'fc.weight': w, 'fc.bias': b }, { weightDecay: 0.05 });
    opt.applyGradients(grads, 1e-3);
    const afterFirst = tf.memory().numTensors;
    for (let k = 0; k < 20; k++) opt.applyGradients(grads, 1e-3 * (k + 1));
    expect(tf.memory().numTensors).toBe(afterFirst);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(withParams);
    tf.dispose(Object.values(grads));
    tf.dispose([w, b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never reads tensors back (GPU discipline)', () => {
    const w = variable(wave(6, 0.1), [2, 3]);
    const opt = new AdamW({ 'fc.weight': w }, { weightDecay: 0.05 });
    const g = tf.tensor(wave(6, 3), [2, 3]);
    const spies = (['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'] as const).map((m) =>
      vi.spyOn(tf.Tensor.prototype, m),
    );
    try {
      opt.applyGradients({ 'fc.weight': g }, 1e-3);
      const clipped = clipByGlobalNorm({ 'fc.weight': g }, 0.5);
      tf.dispose([clipped.norm, ...Object.values(clipped.grads)]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    g.dispose();
    opt.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  const gaValues = wave(6, 0.3);
  const gbValues = wave(3, 0.9).map((v) => 4 * v);
  const refNorm = Math.sqrt([...gaValues, ...gbValues].reduce((s, v) => s + v * v, 0));
  const make = () => ({ a: tf.tensor(gaValues, [2, 3]), b: tf.tensor(gbValues, [3]) });

  it('computes the global norm', () => {
    const grads = make();
    const norm = globalNorm(grads);
    expectClose([norm.dataSync()[0] as number], [refNorm]);
    const empty = globalNorm({});
    expect(empty.dataSync()[0]).toBe(0);
    tf.dispose([norm, empty, ...Object.values(grads)]);
  });

  it('matches float64 over many gradients without an AddN of more than 7 tensors (WebGPU: 8 storage buffers per shader)', async () => {
    const values = Array.from({ length: 60 }, (_, i) => wave(5, i / 7));
    const grads = Object.fromEntries(values.map((v, i) => [`p${i}`, tf.tensor(v, [5])]));
    const ref = Math.sqrt(values.flat().reduce((s, v) => s + v * v, 0));
    const info = await tf.profile(() => globalNorm(grads));
    expect(info.kernels.filter((k) => k.name === 'AddN').every((k) => k.inputShapes.length <= 7)).toBe(true);
    const norm = globalNorm(grads);
    expectClose([norm.dataSync()[0] as number], [ref]);
    tf.dispose([norm, ...Object.values(grads)]);
  });

  it('scales down to maxNorm when above, preserving direction', () => {
    const grads = make();
    const maxNorm = refNorm / 4;
    const { grads: clipped, norm } = clipByGlobalNorm(grads, maxNorm);
    expectClose([norm.dataSync()[0] as number], [refNorm]);
    const after = globalNorm(clipped);
    expectClose([after.dataSync()[0] as number], [maxNorm]);
    const scale = maxNorm / (refNorm + 1e-6);
    expectClose(clipped.a!.dataSync(), gaValues.map((v) => v * scale));
    expectClose(clipped.b!.dataSync(), gbValues.map((v) => v * scale));
    tf.dispose([norm, after, ...Object.values(clipped), ...Object.values(grads)]);
  });

  it('leaves gradients unchanged below maxNorm, and with maxNorm = 0 still reports the norm', () => {
    for (const maxNorm of [refNorm * 2, 0]) {
      const grads = make();
      const { grads: clipped, norm } = clipByGlobalNorm(grads, maxNorm);
      expectClose([norm.dataSync()[0] as number], [refNorm]);
      expectClose(clipped.a!.dataSync(), gaValues);
      expectClose(clipped.b!.dataSync(), gbValues);
      // Outputs are independent of inputs: disposing the inputs first must not break them.
      tf.dispose(Object.values(grads));
      expectClose(clipped.b!.dataSync(), gbValues);
      tf.dispose([norm, ...Object.values(clipped)]);
    }
  });

  it('does not leak', () => {
    const grads = make();
    const before = tf.memory().numTensors;
    for (let k = 0; k < 10; k++) {
      const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
      tf.dispose([norm, ...Object.values(clipped)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(grads));
  });
});
