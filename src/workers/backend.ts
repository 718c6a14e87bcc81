// Chooses the tfjs backend (WebGPU, then WebGL, then wasm, then cpu) and reports honestly what is in use and why:
// tf.setBackend() returns false instead of throwing, so every attempt is checked and recorded.
import * as tf from '@tensorflow/tfjs-core';
// The union package registers the gradients and the cpu and webgl backends.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
// Registers 'webgpu' only when navigator.gpu exists when this module is evaluated.
import '@tensorflow/tfjs-backend-webgpu';
// Registers 'wasm'; its binaries are fetched only when it is selected (setWasmPaths first).
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from '../engine/config';
import { convImplFor } from '../engine/teacher';
import type { AdapterInfo, BackendAttempt, BackendReport } from './protocol';

export type BackendName = Exclude<BackendChoice, 'auto'>;

/** The order 'auto' tries, fastest first. */
export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The browser-only parts, injected so Node tests never touch navigator.gpu or Vite's `?url` imports. */
export interface BackendEnv {
  /** navigator.gpu, or undefined where WebGPU is not exposed (Node, a browser without WebGPU). */
  gpu: GPU | undefined;
  /** Where the tfjs-wasm binaries are served (a prefix or a file map for setWasmPaths); null: wasm is not offered. */
  wasmPaths: string | Record<string, string> | null;
}

/** What the host keeps of a selection: the report, and on WebGPU the device (to watch for its loss). */
export interface BackendSelection {
  report: BackendReport;
  device: GPUDevice | null;
}

export class BackendInitError extends Error {
  constructor(message: string, readonly report: BackendReport) {
    super(message);
    this.name = 'BackendInitError';
  }
}

/** Runs `f` while recording console.warn lines: tfjs logs a backend's init failure there and then returns false. */
async function captureWarnings<T>(f: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    original.apply(console, args);
  };
  try {
    return { value: await f(), warnings };
  } finally {
    console.warn = original;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}

/** Adapter info for the report, from our own requestAdapter() (tfjs keeps its adapter private). */
export function adapterInfoOf(adapter: GPUAdapter): AdapterInfo {
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const fallback =
    (info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined)?.isFallbackAdapter ??
    (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: typeof fallback === 'boolean' ? fallback : null,
  };
}

/** Runs one tiny op and reads it back, so a backend that initialises but cannot compute is not reported as working. */
async function smokeTest(): Promise<string | null> {
  try {
    const t = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
    const v = await t.data();
    t.dispose();
    return v[0] === 12 ? null : `smoke test computed ${v[0]} instead of 12`;
  } catch (e) {
    return `smoke test failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** One attempt: checks the preconditions tfjs would silently swallow, then setBackend and a smoke test. */
async function attempt(name: BackendName, env: BackendEnv): Promise<{ reason: string | null; adapter: AdapterInfo | null }> {
  let adapter: AdapterInfo | null = null;
  if (name === 'webgpu') {
    if (!env.gpu) return { reason: 'navigator.gpu is undefined (WebGPU not available in this browser / worker)', adapter };
    let a: GPUAdapter | null;
    try {
      a = await env.gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch (e) {
      return { reason: `requestAdapter() threw: ${e instanceof Error ? e.message : String(e)}`, adapter };
    }
    if (!a) return { reason: 'requestAdapter() returned null', adapter };
    adapter = adapterInfoOf(a);
    if (!tf.findBackendFactory('webgpu')) {
      return { reason: 'the tfjs webgpu backend is not registered (navigator.gpu was missing when it loaded)', adapter };
    }
  }
  if (name === 'wasm') {
    if (!env.wasmPaths) return { reason: 'no wasm binaries are configured in this environment', adapter };
    // Threaded wasm crashed in the production build (shared/WEBGPU-NOTES.md), and 2 cores gain nothing from it.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(env.wasmPaths as Parameters<typeof setWasmPaths>[0]);
  }
  // tfjs registers webgl only in a browser, webgpu only where navigator.gpu exists: setBackend would throw.
  if (!tf.findBackendFactory(name)) return { reason: `the tfjs ${name} backend is not registered in this environment`, adapter };
  let ok: boolean;
  let warnings: string[];
  try {
    ({ value: ok, warnings } = await captureWarnings(() => tf.setBackend(name)));
  } catch (e) {
    return { reason: `tf.setBackend('${name}') threw: ${firstLine(e instanceof Error ? e.message : String(e))}`, adapter };
  }
  if (!ok) {
    const why = warnings.filter((w) => !w.startsWith('Initialization of backend')).map(firstLine)[0];
    return { reason: `tf.setBackend('${name}') returned false${why ? `: ${why}` : ''}`, adapter };
  }
  await tf.ready();
  if (tf.getBackend() !== name) return { reason: `tf.getBackend() is '${tf.getBackend()}' after setBackend('${name}')`, adapter };
  const broken = await smokeTest();
  return { reason: broken, adapter };
}

/**
 * Selects a backend. 'auto' tries AUTO_ORDER and keeps the first that computes; a forced choice is tried alone and
 * its failure throws BackendInitError (the user asked for it: silently training elsewhere would be dishonest).
 */
export async function selectBackend(choice: BackendChoice, env: BackendEnv): Promise<BackendSelection> {
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  const attempts: BackendAttempt[] = [];
  let adapter: AdapterInfo | null = null;
  for (const name of order) {
    const r = await attempt(name, env);
    adapter = r.adapter ?? adapter;
    attempts.push({ backend: name, ok: r.reason === null, reason: r.reason });
    if (r.reason !== null) continue;
    const webgpuFailure = attempts.find((a) => a.backend === 'webgpu' && !a.ok);
    const report: BackendReport = {
      requested: choice,
      backend: name,
      adapter: name === 'webgpu' ? adapter : null,
      tfjsVersion: tf.version_core,
      fallbackReason: name === 'webgpu' ? null : (webgpuFailure?.reason ?? `${choice === 'auto' ? 'auto' : 'the config'} chose ${name}`),
      attempts,
      convImpl: convImplFor(name),
    };
    const device = name === 'webgpu' ? ((tf.backend() as unknown as { device?: GPUDevice }).device ?? null) : null;
    return { report, device };
  }
  const report: BackendReport = {
    requested: choice,
    backend: 'none',
    adapter,
    tfjsVersion: tf.version_core,
    fallbackReason: attempts.map((a) => `${a.backend}: ${a.reason}`).join('; '),
    attempts,
    convImpl: 'im2col',
  };
  throw new BackendInitError(`no tfjs backend could be initialised (${report.fallbackReason})`, report);
}

/**
 * Forgets a backend whose device was lost, so the next selection builds a fresh one: tfjs caches the backend
 * instance, and a lost GPUDevice never comes back.
 */
export function resetBackend(name: string): void {
  const factory = tf.findBackendFactory(name);
  if (!factory) return;
  try {
    tf.removeBackend(name);
  } catch {
    // removeBackend disposes the old instance, which may throw on a lost device; the registry entry is gone anyway.
  }
  tf.registerBackend(name, factory, name === 'webgpu' ? 3 : 1);
}
