// Backend selection in Node: every attempt is recorded with its reason, and a forced backend that fails is an error.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterInfoOf, BackendInitError, selectBackend, type BackendEnv } from './backend';

const NODE: BackendEnv = { gpu: undefined, wasmPaths: null };

function fakeGpu(adapter: unknown): GPU {
  return { requestAdapter: async () => adapter } as unknown as GPU;
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('selectBackend', () => {
  it("'auto' in Node falls through webgpu, webgl and wasm to cpu and says why at each step", async () => {
    const { report, device } = await selectBackend('auto', NODE);
    expect(report.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(device).toBeNull();
    expect(report.attempts.map((a) => [a.backend, a.ok])).toEqual([['webgpu', false], ['webgl', false], ['wasm', false], ['cpu', true]]);
    expect(report.fallbackReason).toBe('navigator.gpu is undefined (WebGPU not available in this browser / worker)');
    expect(report.attempts[1]!.reason).toBe('the tfjs webgl backend is not registered in this environment');
    expect(report.attempts[2]!.reason).toMatch(/no wasm binaries/);
    expect(report).toMatchObject({ requested: 'auto', adapter: null, convImpl: 'im2col', tfjsVersion: tf.version_core });
  });

  it('reports an adapter-less WebGPU as "requestAdapter() returned null"', async () => {
    const { report } = await selectBackend('auto', { gpu: fakeGpu(null), wasmPaths: null });
    expect(report.attempts[0]).toEqual({ backend: 'webgpu', ok: false, reason: 'requestAdapter() returned null' });
    expect(report.fallbackReason).toBe('requestAdapter() returned null');
  });

  it('notices that tfjs registered no webgpu backend even when an adapter exists', async () => {
    const adapter = { info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true } };
    const { report } = await selectBackend('auto', { gpu: fakeGpu(adapter), wasmPaths: null });
    expect(report.attempts[0]!.reason).toMatch(/webgpu backend is not registered/);
    expect(report.backend).toBe('cpu');
  });

  it('throws BackendInitError with the report when a forced backend cannot start', async () => {
    const err = await selectBackend('webgpu', NODE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendInitError);
    const report = (err as BackendInitError).report;
    expect(report.attempts).toEqual([{ backend: 'webgpu', ok: false, reason: expect.stringMatching(/navigator\.gpu is undefined/) }]);
    expect((err as Error).message).toMatch(/no tfjs backend could be initialised/);
  });

  it('selects a forced wasm backend (single-threaded) and reports im2col convolutions', async () => {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    const { report } = await selectBackend('wasm', { gpu: undefined, wasmPaths: `${dir}/` });
    expect(report).toMatchObject({ backend: 'wasm', convImpl: 'im2col', fallbackReason: 'the config chose wasm' });
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    await tf.setBackend('cpu');
  });
});

describe('adapterInfoOf', () => {
  it('reads GPUAdapterInfo, with isFallbackAdapter from info or from the adapter (older Chromium)', () => {
    const info = { vendor: 'v', architecture: 'a', device: 'd', description: 'x' };
    expect(adapterInfoOf({ info: { ...info, isFallbackAdapter: true } } as unknown as GPUAdapter)).toEqual({ ...info, isFallbackAdapter: true });
    expect(adapterInfoOf({ info, isFallbackAdapter: false } as unknown as GPUAdapter).isFallbackAdapter).toBe(false);
    expect(adapterInfoOf({} as unknown as GPUAdapter)).toEqual({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: null });
  });
});
