// The run controller against a fake worker: handshake, buttons, queue advance, live updates, restart.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withDefaults } from '../../engine/config';
import { PROTOCOL_VERSION, type ToWorker } from '../../workers/protocol';
import { createAppStore } from '../store/appStore';
import { FakeClient, backendReport } from '../testing/fakeWorker';
import { connectBridge } from './bridge';
import { selectTeacherComparison } from '../store/paperSlice';
import { createRunController } from './runController';

function setup() {
  const store = createAppStore();
  const client = new FakeClient();
  connectBridge(client, store);
  const ctl = createRunController(client, store, { baseUrl: 'http://x/', liveDebounceMs: 100 });
  const ready = (runId: string) => client.emit({ type: 'ready', version: PROTOCOL_VERSION, runId, backend: backendReport() });
  const status = (runId: string, s: 'student' | 'paused' | 'done' | 'loading') => client.emit({ type: 'status', runId, status: s, step: 0 });
  return { store, client, ctl, ready, status, st: () => store.getState() };
}

const flushMicrotasks = () => new Promise<void>((r) => queueMicrotask(r));

describe('run controller', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('starts a run with the controls config: init, then start after ready', () => {
    const { client, ctl, ready, st } = setup();
    st().setParam('tau', 5);
    ctl.start();
    const init = client.sent[0] as Extract<ToWorker, { type: 'init' }>;
    expect(init).toMatchObject({ type: 'init', version: PROTOCOL_VERSION, runId: 'run-1', baseUrl: 'http://x/' });
    expect(init.config.tau).toBe(5);
    expect(client.sentTypes()).toEqual(['init']);
    ready('other-run');
    expect(client.sentTypes()).toEqual(['init']);
    ready('run-1');
    expect(client.sentTypes()).toEqual(['init', 'start']);
    expect(st().runs['run-1']!.status).toBe('initializing');
  });

  it('sends pause / resume / step / evalNow only when they make sense', () => {
    const { client, ctl, ready, status } = setup();
    ctl.pause();
    ctl.start();
    ready('run-1');
    status('run-1', 'student');
    ctl.step(); // not paused: ignored
    ctl.pause();
    status('run-1', 'paused');
    ctl.step(3);
    ctl.evalNow();
    ctl.start(); // Start while paused resumes
    expect(client.sent.slice(2)).toEqual([{ type: 'pause' }, { type: 'step', n: 3 }, { type: 'evalNow' }, { type: 'resume' }]);
  });

  it('stop ends the run in the UI and keeps the queue for the next Start', () => {
    const { client, ctl, ready, st } = setup();
    ctl.sweepModes();
    ready('run-1');
    ctl.stop();
    expect(client.sentTypes()).toEqual(['init', 'start', 'stop']);
    expect(st().runs['run-1']!.status).toBe('stopped');
    expect(st().autoAdvance).toBe(false);
    ctl.start();
    expect((client.sent[3] as Extract<ToWorker, { type: 'init' }>).runId).toBe('run-2');
  });

  it('a sweep queues none / soft / hard with one seed and runs them one after another', async () => {
    const { client, ctl, ready, status, st } = setup();
    st().setParam('seed', 7);
    ctl.sweepModes();
    const inits = () => client.sent.filter((m): m is Extract<ToWorker, { type: 'init' }> => m.type === 'init');
    expect(inits().map((m) => m.config.distillation)).toEqual(['none']);
    for (const [i, id] of ['run-1', 'run-2', 'run-3'].entries()) {
      ready(id);
      status(id, 'student');
      status(id, 'done');
      await flushMicrotasks();
      expect(inits()).toHaveLength(Math.min(i + 2, 3));
    }
    expect(inits().map((m) => [m.config.distillation, m.config.seed])).toEqual([['none', 7], ['soft', 7], ['hard', 7]]);
    expect(st().runOrder.map((id) => st().runs[id]!.status)).toEqual(['done', 'done', 'done']);
  });

  it('paper mode queues Table 3’s four runs per seed with the controls’ student and budget, and runs them in order', async () => {
    const { client, ctl, ready, status, st } = setup();
    st().setParam('student', 'deit-nano');
    st().setParam('seed', 4);
    st().setPaperSeeds(3);
    ctl.paperMode();
    expect(st().paper!.runs.map((r) => `${r.kind}@${r.seed}:${r.runId}`).slice(0, 5)).toEqual([
      'none@4:run-1', 'usual-soft@4:run-2', 'hard-class@4:run-3', 'deit@4:run-4', 'none@5:run-5',
    ]);
    expect(st().runOrder).toHaveLength(12);
    const inits = () => client.sent.filter((m): m is Extract<ToWorker, { type: 'init' }> => m.type === 'init');
    for (const id of ['run-1', 'run-2']) {
      ready(id);
      status(id, 'student');
      status(id, 'done');
      await flushMicrotasks();
    }
    expect(inits().map((m) => [m.config.distillation, m.config.distToken, m.config.student, m.config.seed, m.config.alpha])).toEqual([
      ['none', false, 'deit-nano', 4, 0.5], ['soft', false, 'deit-nano', 4, 0.1], ['hard', false, 'deit-nano', 4, 0.5],
    ]);
  });

  it('Compare teachers queues DeiT⚗ hard with each shipped teacher, and the table reads each teacher and test accuracy back', async () => {
    const { client, ctl, ready, status, st } = setup();
    st().setParam('student', 'deit-nano');
    st().setParam('distillation', 'soft');
    st().setParam('seed', 3);
    st().setPaperSeeds(3);
    ctl.compareTeachers();
    expect(st().teacherComparison!.runs.map((r) => `${r.teacherModel}@${r.seed}:${r.runId}`).slice(0, 4)).toEqual(['cnn@3:run-1', 'cnn-matched@3:run-2', 'vit@3:run-3', 'cnn@4:run-4']);
    expect(st().teacherComparison!.runs).toHaveLength(9);
    const inits = () => client.sent.filter((m): m is Extract<ToWorker, { type: 'init' }> => m.type === 'init');
    ready('run-1');
    client.emit({ type: 'teacher', runId: 'run-1', info: { source: 'pretrained', family: 'cnn', parameters: 426122, evalAccuracy: 0.9, checkpointAccuracy: 0.9077 } });
    client.emit({ type: 'eval', runId: 'run-1', point: {
      phase: 'student', step: 10, imagesSeen: 640, split: 'test', count: 100, clsAcc: 0.6, distAcc: 0.7, fusedAcc: 0.65, teacherAcc: 0.9,
      agreement: null, loss: 1, tokenCosine: null, confusion: null,
    } });
    status('run-1', 'done');
    await flushMicrotasks();
    expect(inits().map((m) => [m.config.teacherModel, m.config.teacher, m.config.distillation, m.config.distToken, m.config.alpha, m.config.seed, m.config.student]))
      .toEqual([['cnn', 'pretrained', 'hard', true, 0.5, 3, 'deit-nano'], ['cnn-matched', 'pretrained', 'hard', true, 0.5, 3, 'deit-nano']]);
    const rows = selectTeacherComparison(st());
    expect(rows.map((r) => r.teacherModel)).toEqual(['cnn', 'cnn-matched', 'vit']);
    expect(rows[0]).toMatchObject({ teacherAcc: 0.9077, teacherEvalAcc: 0.9, finished: 1, planned: 3 });
    expect(rows[0]!.fused).toEqual({ values: [0.65], mean: 0.65, min: 0.65, max: 0.65 });
    expect(rows[0]!.dist.values).toEqual([0.7]);
    expect(rows[1]).toMatchObject({ teacherAcc: null, finished: 0, planned: 3, fused: { values: [], mean: null } });
  });

  it('a tau sweep queues soft runs at 1, 3, 10 behind a running run', async () => {
    const { client, ctl, ready, status, st } = setup();
    ctl.start();
    ready('run-1');
    status('run-1', 'student');
    ctl.sweepTau();
    expect(client.sentTypes()).toEqual(['init', 'start']);
    expect(st().runOrder.slice(1).map((id) => [st().runs[id]!.config.distillation, st().runs[id]!.config.tau])).toEqual([
      ['soft', 1], ['soft', 3], ['soft', 10],
    ]);
    status('run-1', 'done');
    await flushMicrotasks();
    expect(client.sentTypes()).toEqual(['init', 'start', 'init']);
  });

  it('does not advance the queue after an error', async () => {
    const { client, ctl, ready, st } = setup();
    ctl.sweepModes();
    ready('run-1');
    client.emit({ type: 'error', runId: 'run-1', code: 'non-finite-loss', message: 'NaN', step: 3 });
    client.emit({ type: 'status', runId: 'run-1', status: 'error', step: 3 });
    await flushMicrotasks();
    expect(client.sentTypes()).toEqual(['init', 'start']);
    expect(st().runs['run-2']!.status).toBe('queued');
  });

  it('sends one debounced update with every live key changed during a run', () => {
    const { client, ctl, ready, status, st } = setup();
    st().setParam('tau', 4); // not training: no update
    vi.advanceTimersByTime(200);
    expect(client.sentTypes()).toEqual([]);
    ctl.start();
    ready('run-1');
    status('run-1', 'student');
    st().setParam('tau', 5);
    st().setParam('tau', 7);
    st().setParam('alpha', 0.7);
    st().setParam('epochs', 5); // not live: never sent
    expect(client.sentTypes()).toEqual(['init', 'start']);
    vi.advanceTimersByTime(150);
    expect(client.sent[2]).toEqual({ type: 'update', patch: { tau: 7, alpha: 0.7 } });
    expect(client.sent).toHaveLength(3);
  });

  it('a live change while the run is paused with a sweep queued behind it still reaches the run', () => {
    const { client, ctl, ready, status, st } = setup();
    ctl.start();
    ready('run-1');
    status('run-1', 'student');
    ctl.pause();
    status('run-1', 'paused');
    ctl.sweepModes();
    expect(st().activeRunId).toBe('run-1');
    st().setParam('alpha', 0.4);
    vi.advanceTimersByTime(150);
    st().setParam('tau', 5);
    vi.advanceTimersByTime(150);
    expect(client.sent.filter((m) => m.type === 'update')).toEqual([{ type: 'update', patch: { alpha: 0.4 } }, { type: 'update', patch: { tau: 5 } }]);
  });

  it('a loaded teacher file goes with the runs launched while it is loaded, only when their teacher is the pre-trained one', () => {
    const { client, ctl, ready, st } = setup();
    const weights = new ArrayBuffer(8);
    st().setTeacherFile({ name: 't.json', weightsName: 't.weights.bin', json: '{}', weights, dataset: 'fashion-mnist', parameters: 2, recordedAccuracy: 0.5, accuracyImages: null });
    ctl.start();
    expect((client.sent[0] as Extract<ToWorker, { type: 'init' }>).options).toEqual({ teacherFile: { name: 't.json', json: '{}', weights } });
    ready('run-1');
    ctl.stop();
    st().setParam('teacher', 'train');
    ctl.start();
    expect((client.sent.at(-1) as Extract<ToWorker, { type: 'init' }>).options).toBeUndefined();
    ctl.stop();
    st().setParam('teacher', 'pretrained');
    st().setTeacherFile(null);
    ctl.start();
    expect((client.sent.at(-1) as Extract<ToWorker, { type: 'init' }>).options).toBeUndefined();
  });

  it('exportWeights resolves with the held run’s weights, rejects on the worker’s refusal or when the run is not held', async () => {
    const { client, ctl, ready, status } = setup();
    await expect(ctl.exportWeights('run-1', 'student')).rejects.toThrow(/no longer holds/);
    ctl.start();
    ready('run-1');
    status('run-1', 'student');
    const asked = ctl.exportWeights('run-1', 'student');
    expect(client.sent.at(-1)).toEqual({ type: 'exportWeights', which: 'student' });
    const weights = new ArrayBuffer(4);
    client.emit({ type: 'weights', runId: 'run-1', which: 'teacher', fileBase: 'other', json: '{}', weights }); // not this request
    client.emit({ type: 'weights', runId: 'run-1', which: 'student', fileBase: 'f', json: '{"a":1}', weights });
    await expect(asked).resolves.toEqual({ runId: 'run-1', which: 'student', fileBase: 'f', json: '{"a":1}', weights });
    const refused = ctl.exportWeights('run-1', 'teacher');
    client.emit({ type: 'error', runId: 'run-1', code: 'protocol', message: 'exportWeights: the run has no teacher yet', step: null });
    await expect(refused).rejects.toThrow(/no teacher yet/);
  });

  it('requests a sample and test images of the run the worker holds', () => {
    const { client, ctl, ready } = setup();
    ctl.requestSample(); // nothing held: ignored
    ctl.requestImages('run-1', [3]);
    expect(client.sent).toHaveLength(0);
    ctl.start();
    ready('run-1');
    ctl.requestSample(12);
    expect(client.sent.at(-1)).toEqual({ type: 'requestSample', index: 12 });
    ctl.requestImages('run-1', [3, 4]);
    expect(client.sent.at(-1)).toEqual({ type: 'requestImages', indices: [3, 4] });
    const n = client.sent.length;
    ctl.requestImages('run-9', [3]); // not the run the worker holds
    expect(client.sent).toHaveLength(n);
  });

  it('restarts the worker after a crash, keeping the data, and can start again', () => {
    const { client, ctl, ready, st } = setup();
    ctl.start();
    ready('run-1');
    client.crash('boom');
    expect(st().crash).not.toBeNull();
    ctl.restartWorker();
    expect(client.restarts).toBe(1);
    expect(st().crash).toBeNull();
    expect(st().runs['run-1']!.status).toBe('error');
    ctl.start();
    expect((client.sent.at(-1) as Extract<ToWorker, { type: 'init' }>).runId).toBe('run-2');
  });

  it('re-trains runs from a link with their own configs on Start', () => {
    const { client, ctl, st } = setup();
    st().queueRuns([withDefaults({ distillation: 'none', seed: 3 })], 'link');
    ctl.start();
    expect(client.sent[0]).toMatchObject({ type: 'init', runId: 'run-1', config: { distillation: 'none', seed: 3 } });
  });

  it('refuses a worker that speaks another protocol version', () => {
    const { client, ctl, st } = setup();
    ctl.start();
    client.emit({ type: 'ready', version: PROTOCOL_VERSION + 1, runId: 'run-1', backend: backendReport() });
    expect(client.sentTypes()).toEqual(['init']);
    expect(st().runs['run-1']!.status).toBe('error');
    expect(st().errors[0]?.code).toBe('protocol');
  });
});

describe('run controller: backend probe', () => {
  const probes = (client: FakeClient) => client.sent.filter((m): m is Extract<ToWorker, { type: 'probe' }> => m.type === 'probe');

  it('probes the controls backend at page load, and the answer reaches the badge before any run', () => {
    const { client, ctl, st } = setup();
    ctl.probeBackend();
    expect(client.sent).toEqual([{ type: 'probe', version: PROTOCOL_VERSION, backend: 'auto' }]);
    expect(st().backendPending).toBe('auto');
    expect(st().backend).toBeNull();
    client.emit({ type: 'backend', report: backendReport() });
    expect(st().backend).toMatchObject({ backend: 'webgpu', adapter: { architecture: 'swiftshader' } });
    expect(st().backendPending).toBeNull();
    ctl.probeBackend(); // already selected: nothing new to ask
    expect(client.sentTypes()).toEqual(['probe']);
  });

  it('shows a fallback and its reason from the probe answer', () => {
    const { client, ctl, st } = setup();
    ctl.probeBackend();
    const fallback = backendReport({
      backend: 'webgl', adapter: null, fallbackReason: 'navigator.gpu is undefined',
      attempts: [{ backend: 'webgpu', ok: false, reason: 'navigator.gpu is undefined' }, { backend: 'webgl', ok: true, reason: null }],
    });
    client.emit({ type: 'backend', report: fallback });
    expect(st().backend).toEqual(fallback);
  });

  it('probes again when the backend control changes with no run live', async () => {
    const { client, ctl, st } = setup();
    ctl.probeBackend();
    st().setParam('backend', 'wasm');
    await flushMicrotasks();
    st().setParam('backend', 'auto');
    await flushMicrotasks();
    st().setParam('tau', 5); // not the backend: no probe
    await flushMicrotasks();
    expect(probes(client).map((m) => m.backend)).toEqual(['auto', 'wasm', 'auto']);
    expect(st().backendPending).toBe('auto');
  });

  it('never probes under a live run; the changed choice is probed once the run ends', async () => {
    const { client, ctl, ready, status, st } = setup();
    ctl.probeBackend();
    ctl.start();
    ready('run-1');
    status('run-1', 'student');
    st().setParam('backend', 'webgl');
    await flushMicrotasks();
    expect(client.sentTypes()).toEqual(['probe', 'init', 'start']);
    status('run-1', 'done');
    await flushMicrotasks();
    // The worker still holds the finished run: it is let go first, or the host would keep its backend.
    expect(client.sent.slice(3)).toEqual([{ type: 'stop' }, { type: 'probe', version: PROTOCOL_VERSION, backend: 'webgl' }]);
    expect(st().runs['run-1']!.status).toBe('done');
    st().setParam('backend', 'auto');
    await flushMicrotasks();
    ctl.requestSample(); // the worker no longer holds run-1
    expect(client.sentTypes().slice(5)).toEqual(['probe']);
  });

  it('a run that ends without a change of the control sends no probe (its ready already told the backend)', async () => {
    const { client, ctl, ready, status } = setup();
    ctl.probeBackend();
    ctl.start();
    ready('run-1');
    status('run-1', 'student');
    status('run-1', 'done');
    await flushMicrotasks();
    expect(client.sentTypes()).toEqual(['probe', 'init', 'start']);
  });

  it('does not probe between the runs of a sweep (the next run inits with its own backend)', async () => {
    const { client, ctl, ready, status, st } = setup();
    ctl.sweepModes();
    ready('run-1');
    status('run-1', 'student');
    st().setParam('backend', 'wasm'); // the queued runs keep the config they were queued with
    status('run-1', 'done');
    await flushMicrotasks();
    expect(client.sentTypes()).toEqual(['init', 'start', 'init']);
  });

  it('stops saying "checking" when no backend could be selected', () => {
    const { client, ctl, st } = setup();
    st().setParam('backend', 'webgpu');
    ctl.probeBackend();
    expect(st().backendPending).toBe('webgpu');
    client.emit({ type: 'error', runId: '', code: 'backend-init', message: 'no adapter', step: null });
    expect(st().backendPending).toBeNull();
    expect(st().errors[0]).toMatchObject({ code: 'backend-init', runId: null });
  });

  it('probes the fresh worker after a restart', () => {
    const { client, ctl, st } = setup();
    ctl.probeBackend();
    client.emit({ type: 'backend', report: backendReport() });
    client.crash('boom');
    ctl.restartWorker();
    expect(st().backend).toBeNull();
    expect(probes(client)).toHaveLength(2);
    expect(st().backendPending).toBe('auto');
  });
});
