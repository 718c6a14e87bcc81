// Runs slice: every run of the session (queued, live, finished) with its data, the run the worker holds, and the
// queue of runs to train next. Data actions accept any known run id; unknown ids are ignored.
import type { TrainConfig } from '../../engine/config';
import type { BackendReport, EvalPoint, LiveParams, MetricsPoint, Phase, RunStatus, Sample, TeacherInfo, TestImage } from '../../workers/protocol';
import type { SliceCreator } from './appStore';
import { isLive, isTerminal, markerLabel, newRun, type ProgressInfo, type Run, type RunError, type RunOrigin } from './runModel';

export interface RunsSlice {
  runs: Record<string, Run>;
  /** Run ids in creation order (the table's and the legend's order). */
  runOrder: string[];
  /** The run the worker was last initialised with (it may be finished). */
  activeRunId: string | null;
  /** Whether the next queued run starts when the active one finishes (off after Stop, an error or a crash). */
  autoAdvance: boolean;
  nextRunNumber: number;

  /** Adds a queued run and returns its id ("run-3"). */
  addRun(config: TrainConfig, origin: RunOrigin): string;
  queueRuns(configs: readonly TrainConfig[], origin: RunOrigin): string[];
  /** Removes a run that the worker does not hold. */
  removeRun(id: string): void;
  /** Removes every queued run. */
  clearQueue(): void;
  /** Removes every run the worker does not hold ("Clear all"). */
  clearRuns(): void;
  /**
   * Puts runs restored from storage into the session with their ids and numbers (ids already present are skipped);
   * the next run number follows `minNextNumber` and every restored number.
   */
  restoreRuns(runs: readonly Run[], minNextNumber?: number): void;
  /** Adds finished runs from a file or a results link after the session's own, renumbered; returns their ids. */
  addFinishedRuns(runs: readonly Run[], origin: 'imported' | 'results-link'): string[];
  /** The worker's `ready` for a run: the backend and adapter it trains on. */
  setRunBackend(id: string, report: BackendReport): void;
  /** The controller sent `init` for this run: it becomes the active run. */
  activateRun(id: string): void;
  /** A worker status; terminal runs keep their status (a late 'idle' after stop does not revive them). */
  setRunStatus(id: string, status: RunStatus, step: number): void;
  stopRun(id: string): void;
  /** Ends a run with an error (a crash); worker errors only note it, the worker's 'error' status ends the run. */
  failRun(id: string, error: RunError): void;
  /** Records the latest error the worker reported for a run, without changing its status. */
  noteRunError(id: string, error: RunError): void;
  appendMetrics(id: string, points: readonly MetricsPoint[]): void;
  appendEval(id: string, point: EvalPoint): void;
  setTeacher(id: string, info: TeacherInfo): void;
  setProgress(id: string, phase: Phase, info: ProgressInfo): void;
  /** A live change took effect at `step`: a marker, and the run's live parameters follow the patch. */
  addMarker(id: string, step: number, imagesSeen: number, patch: Partial<LiveParams>): void;
  setSample(id: string, sample: Sample): void;
  /** Test images for a run; the strip's also become its strip. */
  addImages(id: string, images: readonly TestImage[], strip: boolean): void;
  setAutoAdvance(on: boolean): void;
}

export const createRunsSlice: SliceCreator<RunsSlice> = (set, get, deps) => {
  /** Immutable update of one run; a no-op for unknown ids or when `fn` returns null. */
  const patchRun = (id: string, fn: (run: Run) => Partial<Run> | null) => {
    const run = get().runs[id];
    if (!run) return;
    const patch = fn(run);
    if (patch) set({ runs: { ...get().runs, [id]: { ...run, ...patch } } });
  };

  return {
    runs: {},
    runOrder: [],
    activeRunId: null,
    autoAdvance: false,
    nextRunNumber: 1,

    addRun(config, origin) {
      const number = get().nextRunNumber;
      const id = `run-${number}`;
      const run = newRun(id, number, { ...config }, origin, deps.now());
      set({ runs: { ...get().runs, [id]: run }, runOrder: [...get().runOrder, id], nextRunNumber: number + 1 });
      return id;
    },

    queueRuns(configs, origin) {
      return configs.map((c) => get().addRun(c, origin));
    },

    removeRun(id) {
      const s = get();
      if (!s.runs[id] || (s.activeRunId === id && !isTerminal(s.runs[id]!.status))) return;
      const { [id]: _removed, ...rest } = s.runs;
      set({
        runs: rest,
        runOrder: s.runOrder.filter((r) => r !== id),
        activeRunId: s.activeRunId === id ? null : s.activeRunId,
        focusedRunId: s.focusedRunId === id ? null : s.focusedRunId,
      });
    },

    clearQueue() {
      for (const id of get().runOrder) if (get().runs[id]?.status === 'queued') get().removeRun(id);
    },

    clearRuns() {
      for (const id of get().runOrder) get().removeRun(id);
    },

    restoreRuns(runs, minNextNumber = 1) {
      const s = get();
      const fresh = runs.filter((r) => !s.runs[r.id]);
      const added = Object.fromEntries(fresh.map((r) => [r.id, r]));
      const next = Math.max(s.nextRunNumber, minNextNumber, ...fresh.map((r) => r.number + 1));
      set({ runs: { ...s.runs, ...added }, runOrder: [...fresh.map((r) => r.id), ...s.runOrder], nextRunNumber: next });
    },

    addFinishedRuns(runs, origin) {
      const ids: string[] = [];
      const added: Record<string, Run> = {};
      let number = get().nextRunNumber;
      for (const r of runs) {
        const id = `run-${number}`;
        added[id] = { ...r, id, number, origin, status: isLive(r.status) || r.status === 'queued' ? 'interrupted' : r.status, progress: {} };
        ids.push(id);
        number++;
      }
      set({ runs: { ...get().runs, ...added }, runOrder: [...get().runOrder, ...ids], nextRunNumber: number });
      return ids;
    },

    setRunBackend(id, report) {
      patchRun(id, () => ({ backend: report }));
    },

    activateRun(id) {
      if (!get().runs[id]) return;
      patchRun(id, () => ({ status: 'initializing', startedAt: deps.now(), error: null }));
      set({ activeRunId: id, focusedRunId: id });
    },

    setRunStatus(id, status, step) {
      patchRun(id, (run) => {
        if (isTerminal(run.status)) return null;
        if (run.status === 'initializing' && status === 'idle') return { step };
        const ended = status === 'done' || status === 'error';
        if (status === 'error' && get().activeRunId === id) set({ autoAdvance: false });
        return { status, step: Math.max(run.step, step), ...(ended ? { endedAt: deps.now() } : {}) };
      });
    },

    stopRun(id) {
      patchRun(id, (run) => (isTerminal(run.status) ? null : { status: 'stopped', endedAt: deps.now() }));
      if (get().activeRunId === id) set({ autoAdvance: false });
    },

    failRun(id, error) {
      patchRun(id, (run) => ({ status: 'error', error, endedAt: run.endedAt ?? deps.now() }));
      if (get().activeRunId === id) set({ autoAdvance: false });
    },

    noteRunError(id, error) {
      patchRun(id, () => ({ error }));
    },

    appendMetrics(id, points) {
      if (points.length === 0) return;
      patchRun(id, (run) => {
        const student = points.filter((p) => p.phase === 'student');
        const teacher = points.filter((p) => p.phase === 'teacher');
        const last = student[student.length - 1];
        return {
          metrics: student.length ? [...run.metrics, ...student] : run.metrics,
          teacherMetrics: teacher.length ? [...run.teacherMetrics, ...teacher] : run.teacherMetrics,
          ...(last ? { step: Math.max(run.step, last.step), totalSteps: last.totalSteps, epoch: last.epoch, imagesSeen: last.imagesSeen } : {}),
        };
      });
    },

    appendEval(id, point) {
      patchRun(id, (run) => (point.phase === 'student'
        ? { evals: [...run.evals, point] }
        : { teacherEvals: [...run.teacherEvals, point] }));
    },

    setTeacher(id, info) {
      patchRun(id, () => ({ teacher: info }));
    },

    setProgress(id, phase, info) {
      patchRun(id, (run) => ({ progress: { ...run.progress, [phase]: info } }));
    },

    addMarker(id, step, imagesSeen, patch) {
      patchRun(id, (run) => ({
        markers: [...run.markers, { step, imagesSeen, patch, label: markerLabel(run.live, patch) }],
        live: { ...run.live, ...patch },
      }));
    },

    setSample(id, sample) {
      patchRun(id, () => ({ sample }));
    },

    addImages(id, images, strip) {
      patchRun(id, (run) => ({
        images: { ...run.images, ...Object.fromEntries(images.map((im) => [im.index, im])) },
        ...(strip ? { strip: images.map((im) => im.index) } : {}),
      }));
    },

    setAutoAdvance(on) {
      set({ autoAdvance: on });
    },
  };
};
