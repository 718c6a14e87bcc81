// Paper slice: DeiT's Table 3 at browser scale. Queues paper mode's runs (engine/paperRuns.ts) on top of the
// controls' student, budget and seed, remembers which run is which row's, and reads their test accuracies back.
import type { TrainConfig } from '../../engine/config';
import type { TeacherModelName } from '../../engine/config';
import { paperPlan, teacherPlan, type PaperRunKind, type PaperSeeds } from '../../engine/paperRuns';
import type { PaperRunResult } from '../paper/paperTable';
import type { AppState, SliceCreator } from './appStore';
import type { Run, RunOrigin } from './runModel';

export interface PaperSession {
  seeds: PaperSeeds;
  /** The controls when paper mode was queued: what every run shares. */
  base: TrainConfig;
  runs: { kind: PaperRunKind; seed: number; runId: string }[];
}

/** A queued teacher comparison: DeiT⚗ hard with each shipped teacher, on what the controls said then. */
export interface TeacherComparison {
  base: TrainConfig;
  runs: { teacherModel: TeacherModelName; runId: string }[];
}

export interface PaperSlice {
  /** Seeds per row for the next paper mode (link key paperSeeds). */
  paperSeeds: PaperSeeds;
  /** The latest paper mode queued in this session, or null. */
  paper: PaperSession | null;
  setPaperSeeds(seeds: PaperSeeds): void;
  /** Queues paper mode's runs on top of `base` (seeds from paperSeeds) and records them as the paper session. */
  queuePaper(base: TrainConfig, origin: RunOrigin): string[];
  /** The latest teacher comparison queued in this session, or null. */
  teacherComparison: TeacherComparison | null;
  /** Queues the teacher comparison's runs on top of `base` and records them. */
  queueTeacherComparison(base: TrainConfig, origin: RunOrigin): string[];
}

export const createPaperSlice: SliceCreator<PaperSlice> = (set, get) => ({
  paperSeeds: 1,
  paper: null,
  teacherComparison: null,

  setPaperSeeds(seeds) {
    set({ paperSeeds: seeds });
  },

  queuePaper(base, origin) {
    const seeds = get().paperSeeds;
    const plan = paperPlan(base, seeds);
    const ids = get().queueRuns(plan.map((p) => p.config), origin);
    set({ paper: { seeds, base: { ...base }, runs: plan.map((p, i) => ({ kind: p.kind, seed: p.seed, runId: ids[i]! })) } });
    return ids;
  },

  queueTeacherComparison(base, origin) {
    const plan = teacherPlan(base);
    const ids = get().queueRuns(plan.map((p) => p.config), origin);
    set({ teacherComparison: { base: { ...base }, runs: plan.map((p, i) => ({ teacherModel: p.teacherModel, runId: ids[i]! })) } });
    return ids;
  },
});

/** A finished run's accuracies on the test images (its last end-of-epoch evaluation), or null. */
export function testAccuracies(run: Run | undefined): PaperRunResult['acc'] {
  if (!run || run.status !== 'done') return null;
  const last = [...run.evals].reverse().find((e) => e.phase === 'student' && e.split === 'test');
  if (!last || last.clsAcc === null || last.fusedAcc === null) return null;
  return { cls: last.clsAcc, dist: last.distAcc, fused: last.fusedAcc };
}

/** The paper session's results, one per planned run (acc null while a run is queued, training or removed). */
export function selectPaperResults(s: Pick<AppState, 'paper' | 'runs'>): PaperRunResult[] {
  return (s.paper?.runs ?? []).map((r) => ({ kind: r.kind, seed: r.seed, acc: testAccuracies(s.runs[r.runId]) }));
}

/** One row of the teacher comparison: the teacher's accuracy and the student's test accuracies with it (null until known). */
export interface TeacherComparisonRow {
  teacherModel: TeacherModelName;
  runId: string;
  /** The teacher's test accuracy recorded in its checkpoint (null until the run has loaded it). */
  teacherAcc: number | null;
  /** The same teacher on this run's evaluation subset. */
  teacherEvalAcc: number | null;
  student: PaperRunResult['acc'];
}

export function selectTeacherComparison(s: Pick<AppState, 'teacherComparison' | 'runs'>): TeacherComparisonRow[] {
  return (s.teacherComparison?.runs ?? []).map((r) => {
    const run = s.runs[r.runId];
    return {
      teacherModel: r.teacherModel, runId: r.runId,
      teacherAcc: run?.teacher?.checkpointAccuracy ?? null,
      teacherEvalAcc: run?.teacher?.evalAccuracy ?? null,
      student: testAccuracies(run),
    };
  });
}
