// Selectors over the app state: small, returning store references or primitives so components can use them
// atomically without re-rendering on unrelated changes.
import type { TrainConfig } from '../../engine/config';
import type { AppState } from './appStore';
import { isLive, studentMsPerStep, type Run } from './runModel';

export function selectActiveRun(s: AppState): Run | null {
  return s.activeRunId ? s.runs[s.activeRunId] ?? null : null;
}

/** Whether the worker holds a run that has not finished (Start is then disabled). */
export function selectIsTraining(s: AppState): boolean {
  const run = selectActiveRun(s);
  return run !== null && isLive(run.status);
}

/** The id of the run whose numbers are shown: the live run, else the one picked in the table, else the latest that ran. */
export function selectFocusedRunId(s: AppState): string | null {
  const active = selectActiveRun(s);
  if (active && isLive(active.status)) return active.id;
  if (s.focusedRunId && s.runs[s.focusedRunId]) return s.focusedRunId;
  for (let i = s.runOrder.length - 1; i >= 0; i--) {
    const run = s.runs[s.runOrder[i]!];
    if (run && run.status !== 'queued') return run.id;
  }
  return null;
}

export function selectFocusedRun(s: AppState): Run | null {
  const id = selectFocusedRunId(s);
  return id ? s.runs[id] ?? null : null;
}

/** The runs files and results links are made of: shown on the charts (ticked in the table) and not merely queued. */
export function selectShownRuns(s: Pick<AppState, 'runs' | 'runOrder' | 'hiddenRuns'>): Run[] {
  return s.runOrder.map((id) => s.runs[id]).filter((r): r is Run => r !== undefined && r.status !== 'queued' && !s.hiddenRuns[r.id]);
}

export function selectQueueLength(s: AppState): number {
  let n = 0;
  for (const id of s.runOrder) if (s.runs[id]?.status === 'queued') n++;
  return n;
}

export function selectFirstQueuedId(s: AppState): string | null {
  return s.runOrder.find((id) => s.runs[id]?.status === 'queued') ?? null;
}

export function selectActiveStatus(s: AppState): Run['status'] | 'none' {
  return selectActiveRun(s)?.status ?? 'none';
}

/** The latest run (by creation) that `match`es and has measured a student pace, with that pace in ms per step. */
function latestPace(s: AppState, match: (run: Run) => boolean): { run: Run; msPerStep: number } | null {
  for (let i = s.runOrder.length - 1; i >= 0; i--) {
    const run = s.runs[s.runOrder[i]!];
    if (!run || !match(run)) continue;
    const msPerStep = studentMsPerStep(run);
    if (msPerStep !== null) return { run, msPerStep };
  }
  return null;
}

/**
 * A measured pace for `config`: the latest run in this session with the same student, batch size and backend choice
 * (steps of the same size on the same device), as milliseconds per step with two significant digits (so that each
 * new metrics point does not re-render what shows it). Null when no such run has measured one.
 */
export function selectPaceFor(s: AppState, config: Pick<TrainConfig, 'student' | 'batchSize' | 'backend'>): { runNumber: number; msPerStep: number } | null {
  const p = latestPace(s, (r) => r.config.student === config.student && r.config.batchSize === config.batchSize && r.config.backend === config.backend);
  return p && { runNumber: p.run.number, msPerStep: Number(p.msPerStep.toPrecision(2)) };
}

/**
 * What this session measured for a student preset: the latest run of it with a pace, as training images per second
 * (batch size over the time per step, evaluations included; two significant digits). Null when none has run yet.
 */
export function selectStudentPace(s: AppState, student: TrainConfig['student']): { runNumber: number; imagesPerSec: number; batchSize: number } | null {
  const p = latestPace(s, (r) => r.config.student === student);
  if (!p) return null;
  const { number, config } = p.run;
  return { runNumber: number, imagesPerSec: Number(((config.batchSize * 1000) / p.msPerStep).toPrecision(2)), batchSize: config.batchSize };
}
