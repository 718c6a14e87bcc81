// The training host driven over a MessageChannel in Node, as the UI drives the real worker. The runs that train for
// real use the wasm backend (testing/wasmBackend.ts: same engine, several times faster than cpu in Node).
import { describe, expect, it } from 'vitest';
import type { BackendSelection } from './backend';
import { selectBackend } from './backend';
import type { EvalPoint, FromWorker, MetricsPoint } from './protocol';
import { PROTOCOL_VERSION } from './protocol';
import { fsFetchBytes } from '../engine/data/nodeFetch';
import { hostSuite, memoryTeacher, numTensors, PUBLIC_DIR, tinyConfig, withFiles } from './testHost';

const hosts = hostSuite();
const harness = hosts.connect;

/** A clock that advances 1 s per reading: every step looks slow, so every step is a log point (k = 1). */
function slowClock(): () => number {
  let t = 0;
  return () => (t += 1000);
}

const finite = (p: MetricsPoint) => [p.loss.total, p.loss.base, p.loss.distill, p.gradNorm].every(Number.isFinite);
const kinds = (ms: FromWorker[]) => ms.map((m) => (m.type === 'status' ? `status:${m.status}` : m.type));

describe('TrainingHost over a MessageChannel', () => {
  it('runs a full soft-distillation run: ready -> progress -> teacher -> metrics -> eval (with insight data) -> done, then frees every tensor on stop', async () => {
    const baseline = numTensors();
    const h = harness(hosts.files());
    h.init(tinyConfig({ epochs: 2, backend: 'wasm', testSubset: 24 }));
    const ready = await h.next('ready');
    expect(ready.version).toBe(PROTOCOL_VERSION);
    expect(ready.backend.backend).toBe('wasm');
    expect(ready.backend.convImpl).toBe('im2col');
    h.send({ type: 'start' });
    await h.next('status', (m) => m.status === 'done' || m.status === 'error', 80_000);

    const seq = kinds(h.messages);
    const first = (k: string) => seq.indexOf(k);
    expect(seq).not.toContain('error');
    expect(first('ready')).toBeLessThan(first('progress'));
    expect(first('progress')).toBeLessThan(first('teacher'));
    expect(first('teacher')).toBeLessThan(first('metrics'));
    expect(first('metrics')).toBeLessThan(first('eval'));
    expect(seq.at(-1)).toBe('status:done');
    expect(seq.filter((k) => k.startsWith('status:')).filter((k, i, a) => k !== a[i - 1])).toEqual(
      ['status:idle', 'status:loading', 'status:teacher', 'status:student', 'status:done']);

    const phases = new Set(h.of('progress').map((m) => m.phase));
    expect(phases).toEqual(new Set(['dataset', 'teacher', 'precompute', 'student']));
    expect(h.of('progress').filter((m) => m.phase === 'student').at(-1)).toMatchObject({ done: 8, total: 8 });
    const points = h.of('metrics').flatMap((m) => m.points);
    expect(points.every(finite)).toBe(true);
    expect(points.at(-1)).toMatchObject({ phase: 'student', step: 8, totalSteps: 8, epoch: 1, imagesSeen: 128 });
    expect(new Set(points.map((p) => p.numTensors)).size).toBe(1); // no tensor leaks from step to step
    expect(points.map((p) => p.step)).toEqual([...points.map((p) => p.step)].sort((a, b) => a - b));
    const evals = h.of('eval').map((m) => m.point);
    // Subset every evalInterval = 2 steps; the test split (capped by init's options) at the end of each epoch.
    expect(evals.filter((e) => e.split === 'subset').map((e) => [e.step, e.count])).toEqual([[2, 16], [4, 16], [6, 16], [8, 16]]);
    expect(evals.filter((e) => e.split === 'test').map((e) => [e.step, e.count])).toEqual([[4, 24], [8, 24]]);
    for (const e of evals) {
      expect(e.teacherAcc).not.toBeNull();
      expect(e.fusedAcc).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(e.loss)).toBe(true);
    }
    const info = h.of('teacher')[0]!.info;
    expect(info).toMatchObject({ source: 'pretrained', parameters: 426_122, checkpointAccuracy: 0.1 });
    // The insight data: the class strip, token similarity and agreement with each subset evaluation and a sample after
    // it, confusion with each test evaluation, and test images on request (the finished run is still held).
    const strip = h.of('images').find((m) => m.purpose === 'strip')!;
    expect(strip.images.map((i) => i.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const subset = evals.filter((e) => e.split === 'subset');
    for (const e of subset) {
      expect(e.tokenCosine!.layers).toHaveLength(2); // depth 1 + the final norm
      expect(e.tokenCosine!.count).toBe(16);
      for (const c of [...e.tokenCosine!.layers, e.tokenCosine!.params]) expect(Math.abs(c)).toBeLessThanOrEqual(1 + 1e-5);
      for (const a of Object.values(e.agreement!)) expect(a).toBeGreaterThanOrEqual(0);
      expect(e.confusion).toBeNull();
    }
    // One sample after each subset evaluation, of the strip's first image (nothing was chosen).
    const samples = h.of('sample').map((m) => m.sample);
    expect(samples.map((s) => s.step)).toEqual(subset.map((e) => e.step));
    expect(new Set(samples.map((s) => s.index))).toEqual(new Set([strip.images[0]!.index]));
    const test = evals.filter((e) => e.split === 'test');
    expect(test.length).toBeGreaterThan(0);
    for (const e of test) {
      expect(Object.keys(e.confusion!.counts).sort()).toEqual(['cls', 'dist', 'fused', 'teacher']);
      for (const counts of Object.values(e.confusion!.counts)) {
        expect(counts).toHaveLength(100);
        expect(counts.reduce((x, y) => x + y, 0)).toBe(24);
      }
      // The fused matrix's diagonal is the fused accuracy.
      const diag = e.confusion!.counts.fused!.filter((_, i) => i % 11 === 0).reduce((x, y) => x + y, 0);
      expect(diag / 24).toBeCloseTo(e.fusedAcc!, 6);
      expect(e.tokenCosine).toBeNull();
    }
    const cell = test[0]!.confusion!.examples.fused!.find((ex) => ex.length > 0)!;
    h.send({ type: 'requestImages', indices: cell });
    const got = await h.next('images', (m) => m.purpose === 'request');
    expect(got.images.map((i) => i.index)).toEqual(cell);
    h.send({ type: 'requestImages', indices: [-1] });
    expect((await h.next('error', (m) => m.code === 'protocol')).message).toMatch(/requestImages/);

    h.send({ type: 'stop' });
    await h.next('status', (m) => m.status === 'idle', 10_000, h.messages.length);
    expect(numTensors()).toBe(baseline);
  }, 600_000);

  it('echoes a mid-run tau update with its step, and only the losses after it differ from a run without it (same seed)', async () => {
    // The shipped teacher (no in-memory one): its confident logits make the KL term, and so tau's effect on the
    // next step's weights, large enough to see in float32. With the untrained test teacher both sides are near
    // uniform, the KL term is ~1e-4, and on wasm step 4's base loss came out identical to the last bit.
    const run = async (withUpdate: boolean) => {
      const h = harness(new Map(), { now: slowClock() });
      h.init(tinyConfig({ tau: 3, evalInterval: 100, backend: 'wasm' }), withUpdate ? 'with' : 'without');
      await h.next('ready');
      h.send({ type: 'step', n: 2 }); // starts the run paused and takes 2 student steps
      await h.next('status', (m) => m.status === 'paused' && m.step === 2, 60_000);
      if (withUpdate) {
        h.send({ type: 'update', patch: { tau: 10 } });
        const ev = await h.next('event');
        expect(ev).toMatchObject({ step: 2, imagesSeen: 32, patch: { tau: 10 } });
      }
      h.send({ type: 'resume' });
      await h.next('status', (m) => m.status === 'done', 60_000);
      const points = h.of('metrics').flatMap((m) => m.points);
      expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
      return points;
    };
    const plain = await run(false);
    const updated = await run(true);
    const core = (p: MetricsPoint) => ({ step: p.step, imagesSeen: p.imagesSeen, lr: p.lr, loss: p.loss, gradNorm: p.gradNorm });
    expect(updated.slice(0, 2).map(core)).toEqual(plain.slice(0, 2).map(core));
    // Step 3 starts from the same weights: the label loss is identical, the tau-dependent KL term is not.
    expect(updated[2]!.loss.base).toBe(plain[2]!.loss.base);
    expect(Math.abs(updated[2]!.loss.distill / plain[2]!.loss.distill - 1)).toBeGreaterThan(0.1); // measured 1.05 vs 1.48
    // Step 4 starts from weights that step 3 moved differently (measured: 9e-5 apart, ~400 float32 ulps).
    expect(Math.abs(updated[3]!.loss.base - plain[3]!.loss.base)).toBeGreaterThan(1e-5);
  });

  it('pauses, steps while paused, refuses a bad update without stopping, resumes and stops mid-epoch; a new run then works', async () => {
    const baseline = numTensors();
    const h = harness(hosts.files());
    h.init(tinyConfig({ epochs: 3, evalInterval: 100, backend: 'wasm' }));
    await h.next('ready');
    h.send({ type: 'start' });
    await h.next('metrics', (m) => m.points.some((p) => p.phase === 'student'), 60_000);
    h.send({ type: 'pause' });
    const paused = await h.next('status', (m) => m.status === 'paused', 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const lastStep = () => h.of('metrics').flatMap((m) => m.points).at(-1)!.step;
    expect(lastStep()).toBe(paused.step); // nothing trains while paused

    const from = h.messages.length;
    h.send({ type: 'step', n: 2 });
    const after = await h.next('status', (m) => m.status === 'paused' && m.step === paused.step + 2, 30_000, from);
    expect(lastStep()).toBe(after.step);

    h.send({ type: 'update', patch: { tau: 100 } });
    const refused = await h.next('error', () => true, 10_000, from);
    expect(refused.code).toBe('bad-config');
    expect(refused.message).toMatch(/tau=100 is outside/);

    h.send({ type: 'evalNow' });
    const ev = await h.next('eval', (m) => m.point.split === 'subset', 30_000, from);
    expect(ev.point).toMatchObject({ phase: 'student', split: 'subset', step: after.step, count: 16 });

    h.send({ type: 'resume' });
    await h.next('status', (m) => m.status === 'student', 10_000, from);
    await h.next('metrics', (m) => m.points.some((p) => p.step > after.step), 30_000, from);
    h.send({ type: 'stop' });
    const stopped = await h.next('status', (m) => m.status === 'idle', 30_000, from);
    expect(stopped.step).toBe(0);
    const pointsAtStop = h.of('metrics').flatMap((m) => m.points).length;
    expect(h.of('status').some((m) => m.status === 'done')).toBe(false); // stopped mid-run
    expect(numTensors()).toBe(baseline);

    // Same worker, new run: the dataset comes from the cache.
    h.init(tinyConfig({ distillation: 'hard' }), 'run-2');
    await h.next('ready', (m) => m.runId === 'run-2');
    h.send({ type: 'start' });
    await h.next('status', (m) => m.runId === 'run-2' && m.status === 'done', 60_000);
    expect(h.of('progress', 'run-2').find((m) => m.phase === 'dataset')!.detail).toMatch(/cached/);
    // Run 1's bar ended on what it loaded, not on the last file it decoded.
    expect(h.of('progress', 'run-1').filter((m) => m.phase === 'dataset').at(-1)!.detail).toMatch(/images loaded, checksums verified$/);
    expect(h.of('metrics', 'run-1').flatMap((m) => m.points)).toHaveLength(pointsAtStop); // nothing late from run-1
    expect(h.of('error', 'run-2')).toEqual([]);
    const beforeStop = h.messages.length;
    h.send({ type: 'stop' });
    await h.next('status', (m) => m.runId === 'run-2' && m.status === 'idle', 10_000, beforeStop);
    expect(numTensors()).toBe(baseline);
  });

  it('stops with non-finite-loss, earlier metrics intact, when switched to soft distillation on a teacher checkpoint full of NaN', async () => {
    // lr = 1 (the range's maximum) with clipping off did not diverge reliably on this model (AdamW steps are
    // bounded by lr): losses bounced between 2 and 120 but stayed finite for 30 steps. A poisoned teacher does.
    const baseline = numTensors();
    const h = harness(await memoryTeacher(true));
    h.init(tinyConfig({ distillation: 'none', epochs: 2, backend: 'wasm' }));
    await h.next('ready');
    h.send({ type: 'step', n: 2 });
    await h.next('status', (m) => m.status === 'paused' && m.step === 2, 60_000);
    h.send({ type: 'update', patch: { distillation: 'soft' } });
    await h.next('event');
    h.send({ type: 'resume' });
    const err = await h.next('error', () => true, 60_000);
    expect(err.code).toBe('non-finite-loss');
    // Found at the first read-back after step 3 (the first step the poisoned teacher touches): step 3 when every step
    // is read, later when the log pacer reads every k steps because steps are fast (it adapts to the machine's speed).
    expect(err.step).toBeGreaterThanOrEqual(3);
    expect(err.message).toContain(`non-finite loss at step ${err.step}`);
    await h.next('status', (m) => m.status === 'error', 10_000);
    const points = h.of('metrics').flatMap((m) => m.points);
    expect(points.map((p) => p.step)).toEqual([1, 2]);
    expect(points.every(finite)).toBe(true);
    // A failed run frees its tensors by itself.
    await expect.poll(numTensors, { timeout: 10_000 }).toBe(baseline);
    h.send({ type: 'step', n: 1 });
    expect((await h.next('error', (m) => m.code === 'protocol', 10_000)).message).toMatch(/ended with an error/);
  });

  it('answers requestSample before training (the preview student) with attention rows of both tokens per layer and head', async () => {
    const h = harness(hosts.files());
    h.init(tinyConfig());
    await h.next('ready');
    h.send({ type: 'requestSample', index: 5 });
    h.send({ type: 'requestSample' });
    await h.next('sample', () => h.of('sample').length === 2, 60_000);
    const [a, b] = h.of('sample').map((m) => m.sample);
    for (const s of [a!, b!]) {
      expect(s.gridSize).toBe(7);
      expect(s.image).toHaveLength(784);
      expect(s.imageSize).toBe(28);
      for (const probs of [s.clsProbs, s.distProbs!, s.fusedProbs]) {
        expect(probs).toHaveLength(10);
        expect(probs.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
      }
      expect(s.teacherLogits).toHaveLength(10);
      // deit-nano: depth 1, 2 heads; rows over [cls, dist, 49 patches] sum to 1.
      expect(s.attention).toHaveLength(1);
      expect(s.attention[0]).toHaveLength(2);
      for (const rows of s.attention[0]!) {
        expect(rows).toHaveLength(2);
        for (const row of rows) expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
        expect(rows[0]).toHaveLength(51);
      }
      expect(s.step).toBe(0);
    }
    expect(a!.index).toBe(5);
    expect(b!.index).toBeGreaterThanOrEqual(0);
  });

  it.each(['cnn', 'vit'] as const)('trains the %s teacher in the page (teacher metrics and eval points) before distilling', async (teacherModel) => {
    const h = harness(hosts.files());
    h.init(tinyConfig({ teacher: 'train', teacherModel, teacherEpochs: 1, batchSize: 32, distillation: 'hard', backend: 'wasm' }));
    await h.next('ready');
    h.send({ type: 'start' });
    await h.next('status', (m) => m.status === 'done' || m.status === 'error', 80_000);
    expect(h.of('error')).toEqual([]);
    const points = h.of('metrics').flatMap((m) => m.points);
    expect(points.filter((p) => p.phase === 'teacher').map((p) => p.step)).toEqual([1, 2]);
    expect(points.filter((p) => p.phase === 'student').map((p) => p.step)).toEqual([1, 2]);
    const teacherEvals: EvalPoint[] = h.of('eval').map((m) => m.point).filter((p) => p.phase === 'teacher');
    expect(teacherEvals.map((p) => p.step)).toEqual([2]);
    expect(teacherEvals[0]).toMatchObject({ split: 'subset', count: 16, clsAcc: null });
    expect(h.of('teacher')[0]!.info).toMatchObject({ source: 'train', family: teacherModel, checkpointAccuracy: null });
    expect(h.of('progress').filter((m) => m.phase === 'teacher').at(-1)).toMatchObject({ done: 2, total: 2 });
  });

  it('reports a lost WebGPU device as device-lost, keeps the metrics sent, and selects a backend again on the next init', async () => {
    let loseDevice: (info: { reason: string; message: string }) => void = () => {};
    const fakeDevice = { lost: new Promise((resolve) => (loseDevice = resolve)) } as unknown as GPUDevice;
    let selections = 0;
    const h = harness(hosts.files(), {
      selectBackend: async (choice, env): Promise<BackendSelection> => {
        selections++;
        const real = await selectBackend(choice, env);
        return { report: real.report, device: fakeDevice };
      },
    });
    h.init(tinyConfig({ epochs: 5, evalInterval: 100 }));
    await h.next('ready');
    h.send({ type: 'start' });
    await h.next('metrics', (m) => m.points.some((p) => p.phase === 'student'), 60_000);
    loseDevice({ reason: 'unknown', message: 'simulated GPU process crash' });
    const err = await h.next('error', () => true, 10_000);
    expect(err.code).toBe('device-lost');
    expect(err.message).toMatch(/simulated GPU process crash/);
    await h.next('status', (m) => m.status === 'error');
    const sent = h.of('metrics').flatMap((m) => m.points).length;
    await new Promise((r) => setTimeout(r, 500));
    expect(h.of('metrics').flatMap((m) => m.points)).toHaveLength(sent); // the run really ended
    h.init(tinyConfig(), 'run-2');
    await h.next('ready', (m) => m.runId === 'run-2');
    expect(selections).toBe(2);
  });

  it('stops during the dataset download at once, without waiting for it', async () => {
    const slow = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const h = harness(hosts.files(), {
      fetchBytes: () => async (path, onBytes) => {
        await slow(path.endsWith('.gz') ? 3000 : 0);
        return withFiles(fsFetchBytes(PUBLIC_DIR), hosts.files())(path, onBytes);
      },
    });
    h.init(tinyConfig());
    await h.next('ready');
    h.send({ type: 'start' });
    await h.next('progress', (m) => m.phase === 'dataset');
    const t0 = Date.now();
    h.send({ type: 'stop' });
    await h.next('status', (m) => m.status === 'idle', 2000, h.messages.length);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(h.of('error')).toEqual([]);
  });

  it('refuses malformed messages, another protocol version and a bad config without a run', async () => {
    const h = harness(hosts.files());
    h.send({ type: 'nonsense' } as never);
    h.send({ type: 'init', version: PROTOCOL_VERSION + 1, runId: 'v', config: tinyConfig(), baseUrl: '' });
    h.init(tinyConfig({ lr: 5, tau: 0 }), 'bad');
    h.send({ type: 'start' });
    h.send({ type: 'step', n: -1 });
    await h.next('error', () => h.of('error').length === 5, 10_000);
    const errors = h.of('error');
    expect(errors.map((e) => e.code)).toEqual(['protocol', 'protocol', 'bad-config', 'protocol', 'protocol']);
    expect(errors[0]!.message).toMatch(/malformed message/);
    expect(errors[1]).toMatchObject({ runId: 'v', message: `the page speaks protocol ${PROTOCOL_VERSION + 1}, this worker ${PROTOCOL_VERSION}: reload the page` });
    expect(errors[4]!.message).toMatch(/step\.n must be an integer/);
    const bad = errors.find((e) => e.runId === 'bad')!;
    expect(bad.message).toMatch(/lr=5 is outside/);
    expect(bad.message).toMatch(/tau=0 is outside/);
    expect(h.of('ready')).toEqual([]);
    expect(errors[3]!.message).toMatch(/start: no run; send init first/);
  });

  it('answers probe with the backend in use before any run', async () => {
    const h = harness(hosts.files());
    h.send({ type: 'probe', version: PROTOCOL_VERSION, backend: 'cpu' });
    const probed = await h.next('backend');
    expect(probed.report.backend).toBe('cpu');
    expect(probed.report.requested).toBe('cpu');
  });

  it("the app's worker does not know the bench worker's benchmark request: a malformed message, no backend touched", async () => {
    const h = harness(hosts.files());
    h.send({ type: 'benchmark', backend: 'cpu', presets: ['deit-nano'], batchSize: 2, steps: 1, warmupSteps: 0 } as never);
    expect(await h.next('error')).toMatchObject({ code: 'protocol', message: 'malformed message (type benchmark)' });
    expect(h.of('backend')).toEqual([]);
  });
});
