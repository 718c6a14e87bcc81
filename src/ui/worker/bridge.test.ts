// The bridge, driven with fake worker messages: every message type lands in the right store action.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../engine/config';
import type { FromWorker } from '../../workers/protocol';
import { createAppStore } from '../store/appStore';
import { FakeClient, backendReport, evalPoint, metricsPoint, sample, teacherInfo } from '../testing/fakeWorker';
import { applyMessage, connectBridge } from './bridge';

function setup() {
  const store = createAppStore();
  const client = new FakeClient();
  const disconnect = connectBridge(client, store);
  const id = store.getState().addRun(DEFAULT_CONFIG, 'manual');
  store.getState().activateRun(id);
  return { store, client, disconnect, id, run: () => store.getState().runs[id]! };
}

describe('bridge', () => {
  it('maps ready to the backend report', () => {
    const { store, client, id } = setup();
    const report = backendReport({ backend: 'webgl', fallbackReason: 'no WebGPU adapter' });
    client.emit({ type: 'ready', version: 1, runId: id, backend: report });
    expect(store.getState().backend).toEqual(report);
  });

  it('maps progress per phase', () => {
    const { client, id, run } = setup();
    client.emit({ type: 'progress', runId: id, phase: 'dataset', done: 3, total: 5, detail: 'train images' });
    client.emit({ type: 'progress', runId: id, phase: 'teacher', done: 1, total: 2, detail: 'epoch 1' });
    expect(run().progress).toEqual({
      dataset: { done: 3, total: 5, detail: 'train images' },
      teacher: { done: 1, total: 2, detail: 'epoch 1' },
    });
  });

  it('appends metrics and eval points', () => {
    const { client, id, run } = setup();
    client.emit({ type: 'metrics', runId: id, points: [metricsPoint(5), metricsPoint(10)] });
    client.emit({ type: 'metrics', runId: id, points: [metricsPoint(15)] });
    client.emit({ type: 'eval', runId: id, point: evalPoint(15) });
    expect(run().metrics.map((p) => p.step)).toEqual([5, 10, 15]);
    expect(run().evals).toHaveLength(1);
    expect(run().step).toBe(15);
  });

  it('maps teacher, status, sample', () => {
    const { client, id, run } = setup();
    client.emit({ type: 'teacher', runId: id, info: teacherInfo() });
    client.emit({ type: 'status', runId: id, status: 'student', step: 0 });
    client.emit({ type: 'sample', runId: id, sample: sample() });
    expect(run().teacher?.evalAccuracy).toBe(0.878);
    expect(run().status).toBe('student');
    expect(run().sample?.index).toBe(7);
  });

  it('turns an event into a marker at the worker-reported step', () => {
    const { client, id, run } = setup();
    client.emit({ type: 'event', runId: id, step: 42, imagesSeen: 2688, patch: { tau: 10 } });
    expect(run().markers).toEqual([{ step: 42, imagesSeen: 2688, patch: { tau: 10 }, label: 'τ 3 → 10' }]);
    expect(run().live.tau).toBe(10);
  });

  it('ends a run whose init the worker refused (no status follows such an error)', () => {
    const { client, id, run } = setup();
    client.emit({ type: 'error', runId: id, code: 'bad-config', message: 'batchSize 9999 exceeds trainSubset', step: null });
    expect(run().status).toBe('error');
    expect(run().error?.code).toBe('bad-config');
  });

  it('keeps a training run going after a refused command', () => {
    const { client, id, run } = setup();
    client.emit({ type: 'status', runId: id, status: 'student', step: 3 });
    client.emit({ type: 'error', runId: id, code: 'bad-config', message: 'update refused', step: 3 });
    expect(run().status).toBe('student');
    expect(run().error?.message).toBe('update refused');
  });

  it('shows an error and notes it on the run; the error status ends the run, charts stay', () => {
    const { store, client, id, run } = setup();
    client.emit({ type: 'status', runId: id, status: 'student', step: 0 });
    client.emit({ type: 'metrics', runId: id, points: [metricsPoint(5)] });
    client.emit({ type: 'error', runId: id, code: 'non-finite-loss', message: 'loss is NaN at step 6', step: 6 });
    expect(store.getState().errors).toMatchObject([{ runId: id, code: 'non-finite-loss', step: 6 }]);
    expect(run().error?.code).toBe('non-finite-loss');
    client.emit({ type: 'status', runId: id, status: 'error', step: 6 });
    expect(run().status).toBe('error');
    expect(run().metrics).toHaveLength(1);
  });

  it('reports an error for an unknown run without a run id', () => {
    const { store, client } = setup();
    client.emit({ type: 'error', runId: '', code: 'protocol', message: 'bad message', step: null });
    expect(store.getState().errors).toMatchObject([{ runId: null, code: 'protocol' }]);
  });

  it('maps a crash to the crash banner and a failed run', () => {
    const { store, client, run } = setup();
    client.crash('Uncaught RangeError');
    expect(store.getState().crash?.message).toBe('Uncaught RangeError');
    expect(run().status).toBe('error');
  });

  it('ignores messages for runs it does not know (except to show errors)', () => {
    const { store, client } = setup();
    const before = store.getState().runs;
    client.emit({ type: 'metrics', runId: 'stale', points: [metricsPoint(1)] });
    client.emit({ type: 'status', runId: 'stale', status: 'done', step: 1 });
    expect(store.getState().runs).toBe(before);
  });

  it('disconnects all its listeners', () => {
    const { client, disconnect } = setup();
    expect(client.listenerCount()).toBe(2);
    disconnect();
    expect(client.listenerCount()).toBe(0);
  });

  it('handles every message type (exhaustive switch)', () => {
    const store = createAppStore();
    const all: FromWorker['type'][] = ['ready', 'progress', 'metrics', 'eval', 'teacher', 'event', 'status', 'sample', 'error'];
    expect(all).toHaveLength(9);
    expect(() => applyMessage(store, { type: 'bogus' } as unknown as FromWorker)).toThrow(/unexpected message/);
  });
});
