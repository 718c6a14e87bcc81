// Shader warm-up on WebGPU: traces a step's ops in tfjs's compile-only mode, so their pipelines compile in parallel
// (createComputePipelineAsync) before the first real step instead of one after another inside it.
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './optimizer';
import type { StudentModel } from './student';

interface CompilingBackend {
  checkCompileCompletionAsync(): Promise<void>;
}

const FLAG = 'WEBGPU_ENGINE_COMPILE_ONLY';

/** Whether the active backend can compile without running (tfjs-webgpu); elsewhere warm-up is a no-op. */
export function canCompileOnly(): boolean {
  return tf.getBackend() === 'webgpu' && typeof (tf.backend() as Partial<CompilingBackend>).checkCompileCompletionAsync === 'function';
}

/**
 * Runs `trace` with WEBGPU_ENGINE_COMPILE_ONLY set and waits until every pipeline it asked for has compiled.
 *
 * In that mode tfjs allocates outputs and compiles shaders but dispatches nothing: every tensor `trace` makes holds
 * garbage. So `trace` must not assign a variable that matters (step a {@link createShadow} instead) and must not read anything back;
 * whatever it creates is disposed here, and what it returns too (return the tensors a callee tf.keep()s, such as
 * studentStep's losses, or they leak). Returns the milliseconds spent, or null when the backend cannot compile ahead
 * (not WebGPU), in which case `trace` is not called.
 */
export async function compileOnly(trace: () => tf.TensorContainer | void): Promise<number | null> {
  if (!canCompileOnly()) return null;
  const t0 = performance.now();
  const before = tf.env().getBool(FLAG);
  tf.env().set(FLAG, true);
  try {
    tf.dispose(tf.tidy(() => trace() ?? undefined));
  } finally {
    tf.env().set(FLAG, before);
  }
  await (tf.backend() as unknown as CompilingBackend).checkCompileCompletionAsync();
  return performance.now() - t0;
}

/** A student whose variables share the real one's buffers, with a fresh optimizer of its own: see {@link createShadow}. */
export interface Shadow {
  student: StudentModel;
  optimizer: AdamW;
  dispose(): void;
}

/**
 * A shadow of `student` for tracing a training step in compile-only mode: new variables on the same data (no copy),
 * and a new AdamW with the same weight decay. The step's assignments re-point the shadow's variables at garbage and
 * its moments are the shadow optimizer's own, so the real parameters and optimizer state are never touched; the
 * shapes, and so the shaders, are the same. Create it outside the traced function (the optimizer's slots are tensors
 * of their own) and dispose it after.
 */
export function createShadow(student: StudentModel, weightDecay: number): Shadow {
  const params = Object.fromEntries(Object.entries(student.params).map(([k, v]) => [k, tf.variable(v, true)]));
  const optimizer = new AdamW(params, { weightDecay });
  return {
    student: { ...student, params },
    optimizer,
    dispose() {
      optimizer.dispose();
      for (const v of Object.values(params)) v.dispose();
    },
  };
}
