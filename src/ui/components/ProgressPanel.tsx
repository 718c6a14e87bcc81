// Progress of the focused run: dataset loading, teacher training, teacher-logit precompute and student epochs.
import type { Phase } from '../../workers/protocol';
import { formatInt, formatTimeLeft } from '../format';
import { useThrottledStore } from '../hooks/useThrottledStore';
import { studentTimeLeftMs, type ProgressInfo, type Run } from '../store/runModel';
import { selectFocusedRun, selectFocusedRunId } from '../store/selectors';

const PHASE_LABEL: Record<Phase, string> = {
  dataset: 'Dataset',
  teacher: 'Teacher',
  precompute: 'Teacher logits',
  student: 'Student',
};

function Bar({ phase, info, extra }: { phase: Phase; info: ProgressInfo; extra?: string }) {
  const frac = info.total > 0 ? Math.min(1, info.done / info.total) : 0;
  const text = `${Math.round(frac * 100)}%${info.detail ? ` · ${info.detail}` : ''}${extra ? ` · ${extra}` : ''}`;
  return (
    <div className="progress-row" data-testid={`progress-${phase}`} data-done={info.done} data-total={info.total}>
      <span className="progress-label">{PHASE_LABEL[phase]}</span>
      <progress value={frac} max={1} aria-label={`${PHASE_LABEL[phase]} progress`} aria-valuetext={`${Math.round(frac * 100)}%`} />
      {/* The title holds the whole line where the column is too narrow for it (an ellipsis on a desktop). */}
      <span className="progress-text" title={text}>{text}</span>
    </div>
  );
}

/** The student's progress from its metrics when the worker sent no explicit progress for it. */
function studentProgress(run: Run): ProgressInfo | undefined {
  if (run.progress.student) return run.progress.student;
  if (run.totalSteps <= 0) return undefined;
  const epochs = run.config.epochs;
  return { done: run.step, total: run.totalSteps, detail: `step ${formatInt(run.step)} / ${formatInt(run.totalSteps)} · epoch ${Math.min(epochs, run.epoch + 1)} of ${epochs}` };
}

export function ProgressPanel() {
  const { run } = useThrottledStore((s) => ({ run: selectFocusedRun(s) }), { urgent: selectFocusedRunId });
  if (!run) return null;
  const rows: [Phase, ProgressInfo | undefined][] = [
    ['dataset', run.progress.dataset],
    ['teacher', run.progress.teacher],
    ['precompute', run.progress.precompute],
    ['student', studentProgress(run)],
  ];
  // Measured, not guessed: the run's own pace so far (shown while the student trains).
  const left = run.status === 'student' ? studentTimeLeftMs(run) : null;
  const timeLeft = left === null ? undefined : `${formatTimeLeft(left)} left`;
  const shown = rows.filter((r): r is [Phase, ProgressInfo] => r[1] !== undefined);
  if (shown.length === 0) return null;
  return (
    // The status this (throttled) snapshot was drawn with: a reader of the bars knows which state their numbers belong to,
    // since the run bar's status updates at once and the bars up to one tick later.
    <div className="progress-panel" data-testid="progress-panel" data-status={run.status} aria-label={`Progress of run #${run.number}`}>
      {shown.map(([phase, info]) => <Bar key={phase} phase={phase} info={info} extra={phase === 'student' ? timeLeft : undefined} />)}
    </div>
  );
}
