// Tests for the shader warm-up's safety: off WebGPU it does nothing, and a step on a shadow (what it traces) leaves the
// student, the optimizer and tf.memory() exactly as they were.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DATASETS, STUDENT_PRESETS } from './config';
import { disposeParams } from './nn';
import { AdamW } from './optimizer';
import { canCompileOnly, compileOnly, createShadow } from './shaderWarmup';
import { createStudent } from './student';
import { studentStep } from './train';

describe('compileOnly', () => {
  it('is a no-op returning null off WebGPU (the trace is not even called)', async () => {
    expect(tf.getBackend()).toBe('cpu');
    expect(canCompileOnly()).toBe(false);
    let called = false;
    expect(await compileOnly(() => void (called = true))).toBeNull();
    expect(called).toBe(false);
  });
});

describe('createShadow', () => {
  it('a step on the shadow updates no real parameter and no real optimizer state, and frees everything', () => {
    const info = DATASETS['fashion-mnist'];
    const student = createStudent(STUDENT_PRESETS['deit-nano'], info, 7);
    const optimizer = new AdamW(student.params, { weightDecay: 0.05 });
    const x = tf.randomNormal([2, info.imageSize, info.imageSize, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d([3, 5], 'int32');
    const teacher = tf.randomNormal([2, info.numClasses], 0, 1, 'float32', 2) as tf.Tensor2D;
    const snapshot = (params: Record<string, tf.Variable>) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v.dataSync())]));
    const before = snapshot(student.params);
    const tensors = tf.memory().numTensors;
    const opts = { distillation: 'hard' as const, alpha: 0.5, tau: 3, labelSmoothing: 0, lr: 1e-2, clipNorm: 1 };
    const shadow = createShadow(student, 0.05);
    expect(snapshot(shadow.student.params)).toEqual(before); // the same values, without a copy
    tf.dispose(Object.values(studentStep(shadow.student, shadow.optimizer, x, y, teacher, opts)));
    // The shadow did step (on tfjs-cpu it really runs): the test is not vacuous.
    expect(shadow.optimizer.step).toBe(1);
    expect(snapshot(shadow.student.params)['blocks.0.attn.qkv.weight']).not.toEqual(before['blocks.0.attn.qkv.weight']);
    shadow.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(optimizer.step).toBe(0);
    expect(snapshot(student.params)).toEqual(before);
    tf.dispose([x, y, teacher]);
    optimizer.dispose();
    disposeParams(student.params);
  });
});
