// WebGPU in Node (no browser) through Dawn's bindings (npm `webgpu`), for the WebGPU test lane and bench:node.
/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs-core';

/** What {@link setupNodeWebGpu} found: an adapter (and tfjs's webgpu backend set), or why there is none. */
export type NodeWebGpu = { ok: true; adapter: string } | { ok: false; reason: string };

let setup: Promise<NodeWebGpu> | null = null;
let described = '';

/** The adapter tfjs runs on, in words (e.g. 'Dawn opengles: llvmpipe ...'); empty before a successful setup. */
export function describeAdapter(): string {
  return described;
}

/**
 * Installs `navigator.gpu` from Dawn, then imports tfjs-backend-webgpu (which registers itself only when
 * `navigator.gpu` exists at import time) and makes it the active backend. Idempotent.
 *
 * Dawn's default backend is Vulkan; on a machine without a Vulkan driver (this project's GPU-less machines) there is
 * no adapter there, so an OpenGL ES adapter is tried next, in WebGPU compatibility mode, on Mesa's llvmpipe through
 * EGL's surfaceless platform (no display needed). tfjs requests its own adapter, so `requestAdapter` is wrapped to
 * ask for the compatibility feature level when the GL backend is in use. Never throws: a machine where neither works
 * gets `{ ok: false, reason }`, so the lane can skip with that reason.
 */
export function setupNodeWebGpu(): Promise<NodeWebGpu> {
  setup ??= doSetup();
  return setup;
}

async function doSetup(): Promise<NodeWebGpu> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator?.gpu) return { ok: false, reason: 'navigator.gpu was already set by someone else' };
  process.env.EGL_PLATFORM ??= 'surfaceless';
  let dawn: { create(options: string[]): GPU; globals: object };
  try {
    dawn = await import('webgpu');
  } catch (e) {
    return { ok: false, reason: `the npm package 'webgpu' did not load: ${(e as Error).message}` };
  }
  Object.assign(globalThis, dawn.globals);
  const forced = process.env.DAWN_BACKEND; // e.g. 'vulkan' or 'opengles', to pin one
  const attempts = forced ? [forced] : ['default', 'opengles'];
  const tried: string[] = [];
  let chosen: { gpu: GPU; backend: string; adapter: GPUAdapter } | null = null;
  for (const backend of attempts) {
    try {
      const gpu = dawn.create(backend === 'default' ? [] : [`backend=${backend}`]);
      const compat = backend === 'opengles' || backend === 'opengl';
      if (compat) {
        const request = gpu.requestAdapter.bind(gpu);
        gpu.requestAdapter = (o?: GPURequestAdapterOptions) => request({ ...o, featureLevel: 'compatibility' } as GPURequestAdapterOptions);
      }
      const adapter = await gpu.requestAdapter();
      if (adapter) {
        chosen = { gpu, backend, adapter };
        break;
      }
      tried.push(`${backend}: no adapter`);
    } catch (e) {
      tried.push(`${backend}: ${(e as Error).message}`);
    }
  }
  if (!chosen) return { ok: false, reason: `Dawn found no WebGPU adapter (${tried.join('; ')})` };
  Object.defineProperty(globalThis, 'navigator', { value: { ...g.navigator, gpu: chosen.gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: 'tfjs could not initialise its webgpu backend on the Dawn adapter' };
  await tf.ready();
  const info = chosen.adapter.info;
  const words = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ');
  described = `Dawn ${chosen.backend}${words ? `: ${words}` : ''}`;
  return { ok: true, adapter: described };
}
