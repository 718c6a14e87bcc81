// Counts WebGPU kernel dispatches and queue submits, by wrapping the WebGPU classes' prototypes (bench and tests only).
/// <reference types="@webgpu/types" />

/** Running totals since {@link countDispatches} started, or since the last `reset()`. */
export interface DispatchCounter {
  readonly dispatches: number;
  readonly submits: number;
  reset(): void;
  /** Puts the original methods back. */
  stop(): void;
}

/**
 * Wraps `GPUComputePassEncoder.prototype.dispatchWorkgroups` and `GPUQueue.prototype.submit`, so every dispatch and
 * submit of every device in this realm (tfjs's included, which holds its own encoders) is counted. In a browser
 * worker or in Node with Dawn's globals; throws where WebGPU's classes do not exist. Not reentrant: stop() one
 * counter before starting another.
 */
export function countDispatches(): DispatchCounter {
  const g = globalThis as { GPUComputePassEncoder?: typeof GPUComputePassEncoder; GPUQueue?: typeof GPUQueue };
  if (!g.GPUComputePassEncoder || !g.GPUQueue) throw new Error('countDispatches: no WebGPU classes in this realm');
  const pass = g.GPUComputePassEncoder.prototype;
  const queue = g.GPUQueue.prototype;
  const dispatch = pass.dispatchWorkgroups;
  const submit = queue.submit;
  const state = { dispatches: 0, submits: 0 };
  pass.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) {
    state.dispatches++;
    return dispatch.apply(this, args);
  };
  queue.submit = function (this: GPUQueue, buffers: Iterable<GPUCommandBuffer>) {
    state.submits++;
    return submit.call(this, buffers);
  };
  return {
    get dispatches() {
      return state.dispatches;
    },
    get submits() {
      return state.submits;
    },
    reset() {
      state.dispatches = 0;
      state.submits = 0;
    },
    stop() {
      pass.dispatchWorkgroups = dispatch;
      queue.submit = submit;
    },
  };
}

interface ProgramRunner {
  runWebGPUProgram(program: { constructor: { name: string } }, ...rest: unknown[]): unknown;
}

/** The WebGPU programs tfjs runs while recording, by class name (e.g. BinaryOpProgram), in order. */
export interface ProgramRecorder {
  readonly names: readonly string[];
  stop(): void;
}

/**
 * Records the class name of every program the active tfjs webgpu backend runs (each is one dispatch), to see which
 * kernels a step's dispatches come from. Wraps the backend object's runWebGPUProgram until stop().
 */
export function recordPrograms(backend: object): ProgramRecorder {
  const b = backend as ProgramRunner;
  if (typeof b.runWebGPUProgram !== 'function') throw new Error('recordPrograms: not a tfjs webgpu backend');
  const names: string[] = [];
  const run = b.runWebGPUProgram;
  b.runWebGPUProgram = function (this: ProgramRunner, program, ...rest) {
    names.push(program.constructor.name);
    return run.call(this, program, ...rest);
  };
  return {
    names,
    stop() {
      b.runWebGPUProgram = run;
    },
  };
}
