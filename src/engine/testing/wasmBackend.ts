// The tfjs wasm backend for the tests that train for real (the learning checks, the host's full runs): in Node it
// runs the same float32 engine 5-11x faster than the pure-JS cpu backend (measured here: a deit-nano step at batch 16
// 666 -> 142 ms, a TEACHER_ARCH step 3,072 -> 272 ms, identical losses to 6 digits), which keeps `npm test` within CI's
// budget on a loaded 2-core machine. Reference and closed-form checks stay on the cpu backend.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, expect } from 'vitest';

/** The folder holding the tfjs-wasm binaries in node_modules (for setWasmPaths, as the worker's build serves them). */
export const WASM_DIR = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/';

/** Inside a describe(): its tests run on the wasm backend, and the cpu backend is restored after them. */
export function onWasmBackend(): void {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
}
