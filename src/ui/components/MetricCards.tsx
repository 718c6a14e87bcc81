// The latest numbers of the focused run: class-token, distillation-token, fused and teacher accuracy (percent),
// training loss and throughput. In 'none' mode the distillation head is labelled as untrained, not as a result.
import { NO_DIST_TOKEN, distHeadUntrained, runName } from '../charts/chartData';
import { formatInt, formatLoss, formatPct } from '../format';
import { useThrottledStore } from '../hooks/useThrottledStore';
import { runColor, teacherLabel } from '../store/runModel';
import { selectFocusedRun, selectFocusedRunId } from '../store/selectors';

interface CardProps {
  testId: string;
  title: string;
  value: string;
  sub?: string;
  muted?: boolean;
  note?: string;
}

function Card({ testId, title, value, sub, muted, note }: CardProps) {
  return (
    <div className={`metric-card${muted ? ' metric-muted' : ''}`}>
      <div className="metric-title">{title}</div>
      <div className="metric-value" data-testid={testId}>{value}</div>
      {note && <div className="metric-note">{note}</div>}
      {sub && <div className="metric-sub">{sub}</div>}
    </div>
  );
}

export function MetricCards() {
  const { run } = useThrottledStore((s) => ({ run: selectFocusedRun(s) }), { urgent: selectFocusedRunId });
  const last = run?.evals[run.evals.length - 1] ?? null;
  const metric = run?.metrics[run.metrics.length - 1] ?? null;
  const untrained = run ? distHeadUntrained(run) : false;
  const noToken = run ? !run.config.distToken : false;
  const teacherAcc = last?.teacherAcc ?? run?.teacher?.evalAccuracy ?? null;
  const where = last ? `step ${formatInt(last.step)} · ${formatInt(last.count)} ${last.split === 'test' ? 'test' : 'eval'} images` : 'no evaluation yet';
  const teacherSub = run?.teacher
    ? `${run.teacher.source === 'pretrained' ? 'shipped checkpoint' : run.teacher.source === 'file' ? `from file ${run.teacher.fileName ?? ''}` : 'trained here'}${run.teacher.checkpointAccuracy !== null ? ` · ${formatPct(run.teacher.checkpointAccuracy)} on ${run.teacher.checkpointImages ? `${run.teacher.checkpointImages} test images` : 'the full test set'}` : ''}`
    : run?.config.distillation === 'none' ? 'reference only in none mode' : 'not loaded yet';
  return (
    <section className="metrics" aria-label="Latest metrics">
      <div className="metrics-head">
        {run ? (
          <><span className="swatch" style={{ background: runColor(run) }} aria-hidden="true" /> Latest of run {runName(run)}</>
        ) : 'Latest metrics appear here once a run starts.'}
      </div>
      <div className="metric-grid">
        <Card testId="metric-fused-acc" title="Fused accuracy" value={formatPct(last?.fusedAcc)} sub={where}
          note={noToken ? 'equals the class head (no distillation token)' : untrained ? 'averages in the untrained head' : 'mean of both heads’ logits'} />
        <Card testId="metric-cls-acc" title="Class token" value={formatPct(last?.clsAcc)} sub={where} note="head, trained on labels" />
        {noToken ? (
          <Card testId="metric-dist-acc" title="Distillation token" value={NO_DIST_TOKEN} muted
            note={run?.config.distillation === 'none' ? 'class token only' : 'the teacher trains the class head'} />
        ) : (
          <Card testId="metric-dist-acc" title="Distillation token" value={formatPct(last?.distAcc)} sub={where} muted={untrained}
            note={untrained ? 'untrained head (no distillation signal)' : 'headDist, trained on the teacher'} />
        )}
        <Card testId="metric-teacher-acc" title="Teacher" value={formatPct(teacherAcc)} sub={teacherSub}
          note={run ? `${teacherLabel(run.config, run.teacher)}, frozen` : 'frozen'} />
        <Card testId="metric-loss" title="Training loss" value={formatLoss(metric?.loss.total)}
          sub={metric ? `base ${formatLoss(metric.loss.base)} · distill${noToken ? ' (class head)' : ''} ${formatLoss(metric.loss.distill)}` : undefined} note="mean since last point" />
        <Card testId="metric-throughput" title="Throughput" value={metric ? `${formatInt(metric.imagesPerSec)}` : '—'}
          sub={metric ? `step ${formatInt(metric.step)} of ${formatInt(metric.totalSteps)}` : undefined} note="images / s" />
      </div>
    </section>
  );
}
