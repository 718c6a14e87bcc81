// Selectors over the app state: small, returning store references or primitives so components can use them
// atomically without re-rendering on unrelated changes.
import type { AppState } from './appStore';
import { isLive, type Run } from './runModel';

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
