// Store actions: config edits, run lifecycle, metric appends, markers, queue and link application.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, LIGHT_SETTINGS, totalSteps, withDefaults } from '../../engine/config';
import { parse } from '../shareCodec';
import { evalPoint, metricsPoint, teacherInfo } from '../testing/fakeWorker';
import { createAppStore } from './appStore';
import { runLabel, summarize } from './runModel';
import { selectFirstQueuedId, selectFocusedRunId, selectIsTraining, selectPaceFor, selectQueueLength, selectStudentPace } from './selectors';

const fresh = () => {
  let t = 1000;
  return createAppStore({ now: () => (t += 10) });
};

describe('config slice', () => {
  it('starts from the defaults', () => {
    expect(fresh().getState().config).toEqual(DEFAULT_CONFIG);
  });

  it('applies valid values and refuses invalid ones', () => {
    const s = fresh();
    expect(s.getState().setParam('tau', 5)).toBe(true);
    expect(s.getState().config.tau).toBe(5);
    expect(s.getState().setParam('tau', 50)).toBe(false);
    expect(s.getState().setParam('alpha', Number.NaN)).toBe(false);
    expect(s.getState().setParam('batchSize', 20000)).toBe(false); // larger than the training subset
    expect(s.getState().config.tau).toBe(5);
  });

  it('keeps the same config object when nothing changes', () => {
    const s = fresh();
    const before = s.getState().config;
    s.getState().setParam('tau', DEFAULT_CONFIG.tau);
    expect(s.getState().config).toBe(before);
  });

  it('applies the light settings for a slow GPU over the user\'s other choices', () => {
    const s = fresh();
    s.getState().setParam('distillation', 'soft');
    s.getState().setParam('tau', 5);
    expect(s.getState().applyLightSettings()).toBe(true);
    const c = s.getState().config;
    expect(c).toMatchObject(LIGHT_SETTINGS);
    expect(c.distillation).toBe('soft');
    expect(c.tau).toBe(5);
    // A run of minutes on a software GPU (~18 images/s): 2 epochs of 62 full batches of 16 from 1,000 images.
    expect(totalSteps(c)).toBe(124);
  });

  it('applies a share link: controls, notice and queued runs', () => {
    const s = fresh();
    s.getState().applyShareLink(parse('tau=7&alpha=oops&runs=none,soft:tau=2'));
    const st = s.getState();
    expect(st.config.tau).toBe(7);
    expect(st.config.alpha).toBe(DEFAULT_CONFIG.alpha);
    expect(st.urlNotice.map((e) => e.key)).toEqual(['alpha']);
    expect(st.runOrder.map((id) => st.runs[id]!.status)).toEqual(['queued', 'queued']);
    expect(st.runOrder.map((id) => st.runs[id]!.origin)).toEqual(['link', 'link']);
    expect(st.runs[st.runOrder[1]!]!.config.tau).toBe(2);
    st.dismissUrlNotice();
    expect(s.getState().urlNotice).toEqual([]);
    s.getState().applyShareLink(parse('runs=hard'), { replaceQueued: true });
    expect(s.getState().runOrder.map((id) => s.getState().runs[id]!.config.distillation)).toEqual(['hard']);
  });
});

describe('run lifecycle', () => {
  it('goes queued -> initializing -> loading -> student -> done', () => {
    const s = fresh();
    const id = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    expect(id).toBe('run-1');
    expect(s.getState().runs[id]!.status).toBe('queued');
    expect(selectQueueLength(s.getState())).toBe(1);
    s.getState().activateRun(id);
    expect(s.getState().activeRunId).toBe(id);
    expect(s.getState().runs[id]!.status).toBe('initializing');
    expect(selectIsTraining(s.getState())).toBe(true);
    s.getState().setRunStatus(id, 'idle', 0); // 'ready' before 'start' keeps the run initialising
    expect(s.getState().runs[id]!.status).toBe('initializing');
    s.getState().setRunStatus(id, 'loading', 0);
    s.getState().setRunStatus(id, 'student', 0);
    s.getState().setRunStatus(id, 'done', 312);
    const run = s.getState().runs[id]!;
    expect(run.status).toBe('done');
    expect(run.step).toBe(312);
    expect(run.endedAt).not.toBeNull();
    expect(selectIsTraining(s.getState())).toBe(false);
  });

  it('keeps a stopped run stopped when a late idle status arrives', () => {
    const s = fresh();
    const id = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().activateRun(id);
    s.getState().setAutoAdvance(true);
    s.getState().stopRun(id);
    s.getState().setRunStatus(id, 'idle', 0);
    expect(s.getState().runs[id]!.status).toBe('stopped');
    expect(s.getState().autoAdvance).toBe(false);
  });

  it('turns auto-advance off when the active run errors', () => {
    const s = fresh();
    const id = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().activateRun(id);
    s.getState().setAutoAdvance(true);
    s.getState().setRunStatus(id, 'error', 12);
    expect(s.getState().autoAdvance).toBe(false);
  });

  it('ignores data for unknown runs', () => {
    const s = fresh();
    const before = s.getState().runs;
    s.getState().appendMetrics('nope', [metricsPoint(1)]);
    s.getState().setRunStatus('nope', 'student', 1);
    expect(s.getState().runs).toBe(before);
  });

  it('does not remove the run in training, removes others', () => {
    const s = fresh();
    const a = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    const b = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().activateRun(a);
    s.getState().removeRun(a);
    s.getState().removeRun(b);
    expect(s.getState().runOrder).toEqual([a]);
  });
});

describe('metric appends', () => {
  it('appends student and teacher points to their own series and tracks progress', () => {
    const s = fresh();
    const id = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().appendMetrics(id, [metricsPoint(10, { phase: 'teacher' }), metricsPoint(5), metricsPoint(10, { epoch: 1 })]);
    s.getState().appendMetrics(id, [metricsPoint(15)]);
    const run = s.getState().runs[id]!;
    expect(run.metrics.map((p) => p.step)).toEqual([5, 10, 15]);
    expect(run.teacherMetrics).toHaveLength(1);
    expect(run.step).toBe(15);
    expect(run.totalSteps).toBe(312);
    expect(run.imagesSeen).toBe(15 * 64);
  });

  it('finds a measured pace for settings of the same student, batch and backend, the latest run first', () => {
    const s = fresh();
    const a = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().appendMetrics(a, [metricsPoint(1, { time: 1_000 }), metricsPoint(11, { time: 3_000 })]); // 200 ms/step
    const b = s.getState().addRun(withDefaults({ batchSize: 32 }), 'manual');
    s.getState().appendMetrics(b, [metricsPoint(1, { time: 0 }), metricsPoint(5, { time: 400 })]);
    const c = s.getState().addRun(DEFAULT_CONFIG, 'manual'); // one point: no pace yet
    s.getState().appendMetrics(c, [metricsPoint(1, { time: 9_000 })]);
    const st = s.getState();
    expect(selectPaceFor(st, DEFAULT_CONFIG)).toEqual({ runNumber: 1, msPerStep: 200 });
    expect(selectPaceFor(st, withDefaults({ batchSize: 32 }))).toEqual({ runNumber: 2, msPerStep: 100 });
    expect(selectPaceFor(st, withDefaults({ student: 'deit-nano' }))).toBeNull();
    expect(selectPaceFor(st, withDefaults({ backend: 'wasm' }))).toBeNull();
    // Per preset, any batch: the latest run with a pace (run 2: 32 images in 100 ms = 320 images/s).
    expect(selectStudentPace(st, DEFAULT_CONFIG.student)).toEqual({ runNumber: 2, imagesPerSec: 320, batchSize: 32 });
    expect(selectStudentPace(st, 'deit-ti')).toBeNull();
  });

  it('never replaces an earlier series object in place (selectors see new references)', () => {
    const s = fresh();
    const id = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().appendMetrics(id, [metricsPoint(1)]);
    const first = s.getState().runs[id]!.metrics;
    s.getState().appendMetrics(id, [metricsPoint(2)]);
    expect(first).toHaveLength(1);
    expect(s.getState().runs[id]!.metrics).not.toBe(first);
  });

  it('summarises final and best accuracies', () => {
    const s = fresh();
    const id = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().appendEval(id, evalPoint(25, { fusedAcc: 0.6 }));
    s.getState().appendEval(id, evalPoint(50, { fusedAcc: 0.7 }));
    s.getState().appendEval(id, evalPoint(75, { fusedAcc: 0.65 }));
    s.getState().appendEval(id, evalPoint(75, { split: 'test', count: 10000, fusedAcc: 0.66 }));
    s.getState().appendEval(id, evalPoint(0, { phase: 'teacher' }));
    s.getState().setTeacher(id, teacherInfo());
    const sum = summarize(s.getState().runs[id]!);
    expect(sum.final?.split).toBe('test');
    expect(sum.final?.fusedAcc).toBe(0.66);
    expect(sum.bestFused).toEqual({ acc: 0.7, step: 50 });
    expect(s.getState().runs[id]!.teacherEvals).toHaveLength(1);
  });
});

describe('markers', () => {
  it('labels a live change from the previous values and updates the live parameters', () => {
    const s = fresh();
    const id = s.getState().addRun(withDefaults({ distillation: 'soft', tau: 3 }), 'manual');
    s.getState().addMarker(id, 40, 2560, { tau: 5 });
    s.getState().addMarker(id, 80, 5120, { distillation: 'hard', alpha: 0.7 });
    const run = s.getState().runs[id]!;
    expect(run.markers.map((m) => [m.step, m.label])).toEqual([
      [40, 'τ 3 → 5'],
      [80, 'mode soft → hard, α 0.5 → 0.7'],
    ]);
    expect(run.live).toMatchObject({ distillation: 'hard', tau: 5, alpha: 0.7 });
    expect(run.config.tau).toBe(3); // the start config (what a link re-trains) is unchanged
  });
});

describe('sweep queue', () => {
  it('queues runs in order, finds the first queued, clears the rest', () => {
    const s = fresh();
    const ids = s.getState().queueRuns(['none', 'soft', 'hard'].map((d) => withDefaults({ distillation: d as 'none' })), 'sweep');
    expect(ids).toEqual(['run-1', 'run-2', 'run-3']);
    expect(selectFirstQueuedId(s.getState())).toBe('run-1');
    s.getState().activateRun('run-1');
    expect(selectFirstQueuedId(s.getState())).toBe('run-2');
    expect(selectQueueLength(s.getState())).toBe(2);
    s.getState().clearQueue();
    expect(s.getState().runOrder).toEqual(['run-1']);
    expect(ids.map((id) => s.getState().runs[id]?.config.seed)).toEqual([0, undefined, undefined]);
  });
});

describe('focus and view', () => {
  it('focuses the live run, else the picked run, else the latest that ran', () => {
    const s = fresh();
    expect(selectFocusedRunId(s.getState())).toBeNull();
    const a = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    const b = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    expect(selectFocusedRunId(s.getState())).toBeNull(); // queued runs have nothing to show
    s.getState().activateRun(a);
    s.getState().focusRun(b);
    expect(selectFocusedRunId(s.getState())).toBe(a);
    s.getState().setRunStatus(a, 'done', 10);
    expect(selectFocusedRunId(s.getState())).toBe(b);
    s.getState().focusRun(null);
    expect(selectFocusedRunId(s.getState())).toBe(a);
  });

  it('toggles heads, loss parts and run visibility', () => {
    const s = fresh();
    s.getState().toggleHead('dist');
    s.getState().toggleLossPart('base');
    s.getState().toggleRunVisible('run-1');
    s.getState().setXAxis('images');
    const st = s.getState();
    expect(st.heads).toEqual({ cls: true, dist: false, fused: true });
    expect(st.lossParts.base).toBe(false);
    expect(st.hiddenRuns['run-1']).toBe(true);
    expect(st.xAxis).toBe('images');
  });

  it('names runs by mode, tau and alpha', () => {
    expect(runLabel(withDefaults({ distillation: 'none' }))).toBe('none');
    expect(runLabel(withDefaults({ distillation: 'hard', alpha: 0.5 }))).toBe('hard α=0.5');
    expect(runLabel(withDefaults({ distillation: 'soft', tau: 3, alpha: 0.5 }))).toBe('soft τ=3 α=0.5');
  });
});

describe('worker slice', () => {
  it('fails the live run on a crash and keeps its data; a restart clears the crash', () => {
    const s = fresh();
    const id = s.getState().addRun(DEFAULT_CONFIG, 'manual');
    s.getState().activateRun(id);
    s.getState().appendMetrics(id, [metricsPoint(3)]);
    s.getState().workerCrashed('out of memory');
    let st = s.getState();
    expect(st.crash).toEqual({ message: 'out of memory' });
    expect(st.runs[id]!.status).toBe('error');
    expect(st.runs[id]!.error?.code).toBe('crash');
    expect(st.runs[id]!.metrics).toHaveLength(1);
    st.workerRestarted();
    st = s.getState();
    expect(st.crash).toBeNull();
    expect(st.activeRunId).toBeNull();
    expect(st.runs[id]!.metrics).toHaveLength(1);
  });

  it('keeps the last five error notices, dismissable one by one', () => {
    const s = fresh();
    for (let i = 0; i < 7; i++) s.getState().pushError({ runId: null, runNumber: null, code: 'internal', message: `e${i}`, step: null });
    expect(s.getState().errors.map((e) => e.message)).toEqual(['e2', 'e3', 'e4', 'e5', 'e6']);
    s.getState().dismissError(s.getState().errors[0]!.id);
    expect(s.getState().errors).toHaveLength(4);
  });
});
