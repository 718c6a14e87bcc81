// The bench worker's host over a MessageChannel: the benchmark request answered with a backend report and one finite
// result per preset, an unavailable backend reported before the error, and malformed requests refused by name.
import { describe, expect, it } from 'vitest';
import { benchmarkStudent } from '../engine/benchmark';
import { BenchHost } from './benchHost';
import type { BenchmarkReply, BenchmarkRequest } from './benchProtocol';
import { PROTOCOL_VERSION } from './protocol';
import { hostSuite, numTensors, type Harness } from './testHost';

const hosts = hostSuite();
const benchHarness = (): Harness => hosts.connect(undefined, {}, (endpoint, opts) => new BenchHost(endpoint, opts, benchmarkStudent));

const request = (over: Partial<BenchmarkRequest> = {}): BenchmarkRequest =>
  ({ type: 'benchmark', backend: 'cpu', presets: ['deit-nano'], batchSize: 2, steps: 1, warmupSteps: 0, ...over });

/** The reply is outside the app's protocol: read it from the raw messages, waiting on progress. */
async function reply(h: Harness): Promise<BenchmarkReply> {
  const hit = await h.next('benchmark' as never, undefined, 60_000);
  return hit as unknown as BenchmarkReply;
}

describe('BenchHost', () => {
  it('answers a benchmark with the backend report and one finite result per preset, leaking no tensor', async () => {
    const baseline = numTensors();
    const h = benchHarness();
    h.send({ type: 'probe', version: PROTOCOL_VERSION, backend: 'cpu' }); // the app's messages still work
    expect((await h.next('backend')).report.backend).toBe('cpu');
    h.send(request() as never);
    const { results } = await reply(h);
    expect(results).toHaveLength(1);
    const r = results[0]!;
    expect(r).toMatchObject({ backend: 'cpu', preset: 'deit-nano', batchSize: 2 });
    for (const v of [r.firstStepMs, r.stepMs, r.imagesPerSec, r.imagesPerSecPrecomputed, r.evalImagesPerSec]) {
      expect(v).toBeGreaterThan(0);
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(numTensors()).toBe(baseline);
  });

  it('an unavailable backend answers its report (backend none, the reason) before the error; bad requests are refused by name', async () => {
    const h = benchHarness();
    h.send(request({ backend: 'webgpu' }) as never);
    const report = (await h.next('backend')).report;
    expect(report).toMatchObject({ requested: 'webgpu', backend: 'none' });
    expect(report.fallbackReason).toMatch(/navigator\.gpu is undefined/);
    expect(await h.next('error')).toMatchObject({ code: 'backend-init', runId: '' });
    expect(h.messages.filter((m) => m.type === ('benchmark' as never))).toEqual([]);

    h.send(request({ presets: ['deit-huge' as never] }) as never);
    h.send(request({ options: { flags: { WEBGPU_ENGINE_COMPILE_ONLY: true } } }) as never);
    h.send(request({ options: { flags: { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 'many' as never } } }) as never);
    h.send(request({ options: { shaderWarmup: 1 as never } }) as never);
    h.send(request({ batchSize: 0 }) as never);
    await h.next('error', () => h.of('error').length === 6);
    expect(h.of('error').slice(1).map((e) => e.message)).toEqual([
      expect.stringMatching(/^benchmark\.presets must be a non-empty list of deit-nano/),
      expect.stringMatching(/WEBGPU_ENGINE_COMPILE_ONLY is not one of WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE/),
      'benchmark.options.flags.WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE must be a number',
      'benchmark.options.shaderWarmup must be a boolean',
      'benchmark.batchSize must be an integer in [1, 1024]',
    ]);
  });
});
