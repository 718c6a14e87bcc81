// The slice of tfjs-backend-webgpu's program API that this engine's own WebGPU kernels use, typed without importing it.
//
// tfjs-backend-webgpu wraps a program's getUserCode() in a header of its own (webgpu_program.ts makeShader): the output
// is `result` (storage, read_write, binding 0), each input a read-only storage array named as in variableNames, and a
// uniform struct `uniforms` holding NAN, INFINITY, `<name>Shape` / `<name>ShapeStrides` of every input, `outShape`,
// then the program's own `uniforms` fields. The entry point `_start` calls `main(index)` with the flat global index
// when the dispatch layout is flat. The backend caches pipelines by shaderKey plus input ranks and dtypes, so
// anything baked into the WGSL text (workgroup size, constants) must be part of the shaderKey.
import * as tf from '@tensorflow/tfjs-core';

/** A program as tfjs-backend-webgpu's runWebGPUProgram takes it (the WebGPUProgram interface, trimmed). */
export interface WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  getUserCode(): string;
}

/** A program-defined uniform value, in the order of the program's `uniforms` fields. */
export type ProgramUniform = { type: 'float32' | 'int32'; data: number[] };

/** The methods of tfjs-backend-webgpu's WebGPUBackend that the kernels call. */
export interface WebGPUBackendLike {
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: ProgramUniform[], output?: tf.TensorInfo): tf.TensorInfo;
}

/** The workgroup size of the elementwise kernels (tfjs's own elementwise programs use 64-128). */
export const WORKGROUP = 256;

/** Workgroups for `n` threads of WORKGROUP each, in x (the backend spreads an oversized x over y and z). */
export function flatDispatch(n: number): [number, number, number] {
  return [Math.max(1, Math.ceil(n / WORKGROUP)), 1, 1];
}

/**
 * Base of the engine's programs with a flat dispatch: thread `index` in [0, threads), WORKGROUP threads per workgroup.
 * Subclasses set shaderKey, variableNames and, where they use them, uniforms and size.
 */
export abstract class FlatProgram implements WebGPUProgram {
  dispatchLayout = { x: [0] };
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatch: [number, number, number];
  abstract shaderKey: string;
  abstract variableNames: string[];

  constructor(public outputShape: number[], threads: number) {
    this.dispatch = flatDispatch(threads);
  }

  abstract getUserCode(): string;
}

/** Runs `program` on the webgpu backend and returns its output as a new float32 tensor. */
export function runProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], uniforms?: ProgramUniform[]): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(webgpuBackend().runWebGPUProgram(program, inputs, 'float32', uniforms));
}

/** Runs `program` on the active backend, which must be webgpu. */
export function webgpuBackend(): WebGPUBackendLike {
  if (tf.getBackend() !== 'webgpu') throw new Error(`WebGPU kernel on the ${tf.getBackend()} backend`);
  return tf.backend() as unknown as WebGPUBackendLike;
}

/**
 * Whether the engine uses its own WebGPU kernels: only on the webgpu backend, and unless the tfjs flag
 * DEIT_WEBGPU_KERNELS is false (the plain-tfjs path, for parity tests and A/B benchmarks).
 */
export function useWebGpuKernels(): boolean {
  return tf.getBackend() === 'webgpu' && tf.env().getBool(FLAG);
}

const FLAG = 'DEIT_WEBGPU_KERNELS';
tf.env().registerFlag(FLAG, () => true);
