// Paper slice: DeiT's Table 3 at browser scale. Queues paper mode's runs (engine/paperRuns.ts) on top of the
// controls' student, budget and seed, remembers which run is which row's, and reads their test accuracies back.
import type { TeacherModelName, TrainConfig } from '../../engine/config';
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
  seeds: PaperSeeds;
  base: TrainConfig;
  runs: { teacherModel: TeacherModelName; seed: number; runId: string }[];
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
  /** Queues the teacher comparison's runs on top of `base` (seeds from paperSeeds) and records them. */
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
    const seeds = get().paperSeeds;
    const plan = teacherPlan(base, seeds);
    const ids = get().queueRuns(plan.map((p) => p.config), origin);
    set({ teacherComparison: { seeds, base: { ...base }, runs: plan.map((p, i) => ({ teacherModel: p.teacherModel, seed: p.seed, runId: ids[i]! })) } });
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

/** Mean, min and max of the values that exist (null when none). */
export interface Spread {
  values: number[];
  mean: number | null;
  min: number | null;
  max: number | null;
}

function spread(values: number[]): Spread {
  if (values.length === 0) return { values, mean: null, min: null, max: null };
  return { values, mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}

/** One row of the teacher comparison: the teacher's accuracy and the student's test accuracies with it, over seeds. */
export interface TeacherComparisonRow {
  teacherModel: TeacherModelName;
  /** The teacher's test accuracy recorded in its checkpoint (null until a run has loaded it). */
  teacherAcc: number | null;
  /** The same teacher on the runs' evaluation subset (the first run that has it). */
  teacherEvalAcc: number | null;
  /** Student test accuracy in [0, 1] per head, one value per finished seed. */
  fused: Spread;
  cls: Spread;
  dist: Spread;
  finished: number;
  planned: number;
}

export function selectTeacherComparison(s: Pick<AppState, 'teacherComparison' | 'runs'>): TeacherComparisonRow[] {
  const c = s.teacherComparison;
  if (!c) return [];
  const models = [...new Set(c.runs.map((r) => r.teacherModel))];
  return models.map((teacherModel) => {
    const runs = c.runs.filter((r) => r.teacherModel === teacherModel).map((r) => s.runs[r.runId]);
    const withTeacher = runs.find((run) => run?.teacher);
    const accs = runs.map(testAccuracies).filter((a): a is NonNullable<typeof a> => a !== null);
    return {
      teacherModel,
      teacherAcc: withTeacher?.teacher?.checkpointAccuracy ?? null,
      teacherEvalAcc: withTeacher?.teacher?.evalAccuracy ?? null,
      fused: spread(accs.map((a) => a.fused!)),
      cls: spread(accs.map((a) => a.cls!)),
      dist: spread(accs.flatMap((a) => (a.dist === null ? [] : [a.dist]))),
      finished: accs.length,
      planned: runs.length,
    };
  });
}
