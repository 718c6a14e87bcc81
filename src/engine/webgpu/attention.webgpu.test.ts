// The attention kernels and the linear layer's bias-gradient pass against the plain tfjs path on the same WebGPU
// device, and a whole student's forward and gradients with every kernel on against all off.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { DATASETS, type StudentArch } from '../config';
import { disposeParams, linear, type Params } from '../nn';
import { attentionCore, createStudent, studentForwardWithInternals } from '../student';
import { gradsOf } from '../train';
import { describeWebGpu } from '../testing/describeWebGpu';
import { recordPrograms } from '../testing/dispatchCounter';
import { expectClose, wave } from './testUtil';

const FLAG = 'DEIT_WEBGPU_KERNELS';
afterEach(() => tf.env().set(FLAG, true));

async function readAll(out: Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  const read: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(out)) read[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(out));
  return read;
}

/** Attention's output, weights and the gradient of sum(output * w) with respect to qkv, kernels on or off. */
async function attentionParts(kernels: boolean, shape: [number, number, number], heads: number, scale: number) {
  tf.env().set(FLAG, kernels);
  return readAll(tf.tidy(() => {
    const qkv = tf.tensor(wave(shape[0] * shape[1] * shape[2], 0.7, scale), shape) as tf.Tensor3D;
    const w = tf.tensor(wave(shape[0] * shape[1] * (shape[2] / 3), 1.9), [shape[0], shape[1], shape[2] / 3]);
    const { merged, weights } = attentionCore(qkv, heads);
    const dqkv = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(attentionCore(x as tf.Tensor3D, heads).merged, w)))(qkv);
    return { merged, weights: weights(), dqkv };
  }));
}

describeWebGpu('attention and linear kernels (WebGPU)', () => {
  for (const [shape, heads, scale] of [[[3, 11, 48], 4, 1], [[2, 51, 192], 4, 1], [[2, 9, 36], 3, 4]] as const) {
    it(`attention [${shape}] with ${heads} heads, inputs x${scale}: output, weights and d qkv match the plain path to 1e-5`, async () => {
      const plain = await attentionParts(false, [...shape], heads, scale);
      const fused = await attentionParts(true, [...shape], heads, scale);
      // Scores 16x larger make the softmax sharp: float32 rounding of the two paths' different summation orders,
      // amplified by exp, reaches ~5e-5 relative there.
      for (const k of Object.keys(plain)) expectClose(fused[k]!, plain[k]!, scale === 1 ? 1e-5 : 1e-4, scale === 1 ? 1e-6 : 1e-5);
      // Softmax rows sum to 1 (over the patches and the tokens).
      const [b, t] = shape;
      for (let r = 0; r < b * heads * t; r++) {
        const s = fused.weights!.subarray(r * t, (r + 1) * t).reduce((a, v) => a + v, 0);
        expect(Math.abs(s - 1)).toBeLessThan(1e-5);
      }
    });
  }

  it('attention: 1 dispatch forward, 2 backward; the weights only when asked for', async () => {
    const qkv = tf.randomNormal([2, 10, 24]) as tf.Tensor3D;
    const rec = recordPrograms(tf.backend());
    const g = tf.grad((x: tf.Tensor) => tf.sum(attentionCore(x as tf.Tensor3D, 2).merged))(qkv);
    rec.stop();
    expect(rec.names).toContain('AttentionForwardProgram');
    expect(rec.names.filter((n) => n.startsWith('Attention'))).toEqual(['AttentionForwardProgram', 'AttentionGradScoresProgram', 'AttentionGradQkvProgram']);
    expect(rec.names.filter((n) => !n.startsWith('Attention'))).toEqual(['ReduceProgram']); // the test's own tf.sum
    tf.dispose([qkv, g]);
  });

  it('token embedding: 1 dispatch forward, 4 backward (patches, position rows, two token slices)', async () => {
    const info = DATASETS['fashion-mnist'];
    const student = createStudent({ embedDim: 8, depth: 1, numHeads: 2, mlpRatio: 2, patchSize: 7 }, info, 2);
    const x = tf.randomUniform([2, 28, 28, 1]) as tf.Tensor4D;
    const rec = recordPrograms(tf.backend());
    const { grads, value } = tf.variableGrads(() => tf.sum(studentForwardWithInternals(student, x).cls) as tf.Scalar, Object.values(student.params));
    rec.stop();
    expect(rec.names.filter((n) => n.startsWith('Embed'))).toEqual(['EmbedProgram', 'EmbedGradPatchesProgram']);
    expect(rec.names).not.toContain('ConcatProgram');
    expect(rec.names.filter((n) => n === 'TransposeProgram')).toHaveLength(1); // patchify's, forward only
    tf.dispose([x, value, ...Object.values(grads)]);
    disposeParams(student.params);
  });

  it('linear: values and gradients (x, W, b) match the plain path to 1e-5; the bias gradient is one pass', async () => {
    const params: Params = {
      'l.weight': tf.variable(tf.tensor(wave(40 * 70, 0.3), [40, 70])),
      'l.bias': tf.variable(tf.tensor(wave(70, 2.1))),
    };
    const x = tf.tensor(wave(3 * 130 * 40, 1.3), [3, 130, 40]);
    const run = async (kernels: boolean) => {
      tf.env().set(FLAG, kernels);
      const w = tf.tensor(wave(3 * 130 * 70, 0.5), [3, 130, 70]);
      const f = () => tf.sum(tf.mul(linear(x, params, 'l'), w)) as tf.Scalar;
      const rec = recordPrograms(tf.backend());
      const out = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(f);
        const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(linear(xx, params, 'l'), w)))(x);
        return { value, dx, dw: grads[params['l.weight']!.name]!, db: grads[params['l.bias']!.name]! };
      });
      rec.stop();
      w.dispose();
      return { read: await readAll(out), programs: rec.names };
    };
    const plain = await run(false);
    const fused = await run(true);
    for (const k of Object.keys(plain.read)) expectClose(fused.read[k]!, plain.read[k]!, 1e-5, 1e-5);
    expect(plain.programs.filter((n) => n === 'TransposeProgram').length).toBeGreaterThan(0);
    expect(fused.programs.filter((n) => n === 'ColumnSumProgram')).toHaveLength(2);
    expect(fused.programs).not.toContain('TransposeProgram');
    tf.dispose([x, ...Object.values(params)]);
  });

  for (const distToken of [true, false]) it(`a whole student${distToken ? '' : ' without the distillation token'} (every kernel on vs all off): logits, embeddings, last attention and all 30+ gradients to 1e-4`, async () => {
    const info = DATASETS['fashion-mnist'];
    const arch: StudentArch = { embedDim: 24, depth: 2, numHeads: 3, mlpRatio: 2, patchSize: 7 };
    const student = createStudent(arch, info, 5, distToken);
    const x = tf.randomUniform([3, 28, 28, 1], -1, 1, 'float32', 9) as tf.Tensor4D;
    const run = async (kernels: boolean) => {
      tf.env().set(FLAG, kernels);
      return readAll(tf.tidy(() => {
        const { grads, extras } = gradsOf(student.params, () => {
          const o = studentForwardWithInternals(student, x);
          const second = o.dist ?? o.clsEmbed;
          const loss = tf.add(tf.sum(tf.square(o.cls)), tf.sum(tf.mul(second, 0.5))) as tf.Scalar;
          return { loss, extras: { cls: o.cls, second, clsEmbed: o.clsEmbed, att: o.lastAttention } };
        });
        return { ...extras, ...grads };
      }));
    };
    const plain = await run(false);
    const fused = await run(true);
    expect(Object.keys(fused).length).toBeGreaterThan(distToken ? 30 : 28);
    for (const k of Object.keys(plain)) {
      try {
        expectClose(fused[k]!, plain[k]!, 1e-4, 1e-5);
      } catch (e) {
        throw new Error(`${k}: ${(e as Error).message}`);
      }
    }
    tf.dispose(x);
    disposeParams(student.params);
  });
});
