// Picks a tfjs backend for Node scripts: 'wasm' (XNNPACK, fastest on CPU here), 'cpu', or 'webgpu' (Dawn, see nodeWebgpu.ts).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setupNodeWebGpu } from '../src/engine/testing/nodeWebgpu';

/** Sets and verifies the backend (tf.setBackend returns false instead of throwing). */
export async function useNodeBackend(name: string): Promise<string> {
  if (name === 'webgpu') {
    const gpu = await setupNodeWebGpu();
    if (!gpu.ok) throw new Error(`no WebGPU in Node here: ${gpu.reason}`);
    return tf.getBackend();
  }
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    // DEIT_WASM_DIR: the packed bench (npm run bench:pack) carries the binaries beside its bundle, without node_modules.
    setWasmPaths(process.env.DEIT_WASM_DIR ?? dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' could not be initialised`);
  await tf.ready();
  return tf.getBackend();
}
