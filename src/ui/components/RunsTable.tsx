// Every run of the session with its config, status, final and best metrics; show/hide on the charts, focus,
// remove. One row per run (data-testid run-row), read at most 5 times per second.
import { memo } from 'react';
import { NO_DIST_TOKEN, distHeadUntrained } from '../charts/chartData';
import { formatDuration, formatInt, formatParam, formatPct } from '../format';
import { useActions } from '../hooks/useAppStore';
import { useController } from '../hooks/useController';
import { useThrottledStore } from '../hooks/useThrottledStore';
import type { AppState } from '../store/appStore';
import { isLive, isTerminal, runColor, runLabel, summarize, teacherLabel, type Run } from '../store/runModel';
import { selectFocusedRunId } from '../store/selectors';

function configText(run: Run): string {
  const c = run.config;
  // The teacher's accuracy beside its name: as recorded in its checkpoint, else as measured on this run's evaluation images.
  const acc = run.teacher ? run.teacher.checkpointAccuracy ?? run.teacher.evalAccuracy : null;
  return `${c.student} · lr ${formatParam(c.lr)} · batch ${c.batchSize} · ${c.epochs} ep · seed ${c.seed} · teacher: ${teacherLabel(c, run.teacher)}${acc === null ? '' : ` ${formatPct(acc)}`}`;
}

/** The row's show-on-charts checkbox, memoised: the row re-renders with each new point, the checkbox need not. */
const ShowRunToggle = memo(function ShowRunToggle({ runId, runNumber, shown, onToggle }: { runId: string; runNumber: number; shown: boolean; onToggle: (id: string) => void }) {
  return <input type="checkbox" checked={shown} onChange={() => onToggle(runId)} aria-label={`Show run #${runNumber} on the charts`} />;
});

function Row({ run, focused, hidden }: { run: Run; focused: boolean; hidden: boolean }) {
  const { toggleRunVisible, focusRun, removeRun } = useActions();
  const ctl = useController();
  const sum = summarize(run);
  const untrained = distHeadUntrained(run);
  const f = sum.final;
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-status={run.status} className={focused ? 'row-focused' : ''} aria-selected={focused}>
      <td>
        <ShowRunToggle runId={run.id} runNumber={run.number} shown={!hidden} onToggle={toggleRunVisible} />
      </td>
      <th scope="row">
        <button type="button" className="link-button" onClick={() => focusRun(run.id)} title="Show this run's numbers above the charts">
          <span className="swatch" style={{ background: runColor(run) }} aria-hidden="true" />#{run.number} {runLabel(run.config)}
        </button>
        <div className="cell-sub">{configText(run)}</div>
        {run.markers.length > 0 && <div className="cell-sub">{run.markers.length} live change{run.markers.length > 1 ? 's' : ''}</div>}
      </th>
      <td>
        <span className={`status-pill status-${run.status}`}>{run.status}</span>
        {run.origin === 'link' && run.status === 'queued' && <div className="cell-sub">from link</div>}
        {run.status === 'interrupted' && <div className="cell-sub" data-testid="run-interrupted">interrupted at step {formatInt(run.step)}</div>}
        {run.origin === 'imported' && <div className="cell-sub" data-testid="run-imported">imported</div>}
        {run.origin === 'results-link' && <div className="cell-sub" data-testid="run-from-results-link">results from a link, not trained here</div>}
        {run.backend && <div className="cell-sub">on {run.backend.backend}{run.backend.adapter?.architecture ? ` (${run.backend.adapter.architecture})` : ''}</div>}
        {run.error && <div className="cell-sub cell-error" title={run.error.message}>{run.error.code}</div>}
      </td>
      <td className="num">{run.totalSteps > 0 ? `${formatInt(run.step)} / ${formatInt(run.totalSteps)}` : '—'}</td>
      <td className="num">{formatPct(f?.clsAcc)}</td>
      {run.config.distToken ? (
        <td className={`num${untrained ? ' cell-muted' : ''}`} title={untrained ? 'untrained head (no distillation signal)' : undefined}>
          {formatPct(f?.distAcc)}{untrained && f?.distAcc != null ? ' †' : ''}
        </td>
      ) : <td className="num cell-muted cell-sub" data-testid="no-dist-token">{NO_DIST_TOKEN}</td>}
      <td className="num strong">{formatPct(f?.fusedAcc)}</td>
      <td className="num">{sum.bestFused ? <>{formatPct(sum.bestFused.acc)} <span className="cell-sub">@{sum.bestFused.step}</span></> : '—'}</td>
      <td className="num">{formatPct(sum.teacherAcc)}</td>
      <td className="num">{sum.meanImagesPerSec !== null ? formatInt(sum.meanImagesPerSec) : '—'}</td>
      <td className="num">{sum.elapsedMs !== null ? formatDuration(sum.elapsedMs) : '—'}</td>
      <td className="row-actions">
        {isTerminal(run.status) && (
          <button type="button" className="btn btn-small btn-quiet" data-testid="retrain-run" onClick={() => ctl.retrain([run.id])}
            aria-label={`Train run #${run.number}'s config again`} title="Queue this config again and train it here">↻</button>
        )}
        <button type="button" className="btn btn-small btn-quiet" disabled={isLive(run.status)} onClick={() => removeRun(run.id)}
          aria-label={`Remove run #${run.number}`} title="Remove from the session (and from this browser's storage)">✕</button>
      </td>
    </tr>
  );
}

/** What the table shows besides the runs' data: a change redraws at once (a run added, shown or hidden, focused). */
const tableView = (st: AppState) => ({ order: st.runOrder, hidden: st.hiddenRuns, focusedId: selectFocusedRunId(st) });

export function RunsTable() {
  const s = useThrottledStore((st) => ({ runs: st.runs, ...tableView(st) }), { urgent: tableView });
  const runs = s.order.map((id) => s.runs[id]).filter((r): r is Run => r !== undefined);
  if (runs.length === 0) {
    return <p className="muted" data-testid="runs-empty">No runs yet. Start one, or queue a sweep to compare distillation modes.</p>;
  }
  const anyFinalTest = runs.some((r) => summarize(r).final?.split === 'test');
  return (
    <div className="table-wrap">
      <table className="runs-table" data-testid="runs-table" data-rows={runs.length}>
        <caption className="sr-only">Runs of this session, with final and best accuracies</caption>
        <thead>
          <tr>
            <th scope="col"><span className="sr-only">Shown</span></th>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">Steps</th>
            <th scope="col" className="num">Class</th>
            <th scope="col" className="num">Dist.</th>
            <th scope="col" className="num">Fused</th>
            <th scope="col" className="num">Best fused</th>
            <th scope="col" className="num">Teacher</th>
            <th scope="col" className="num">img/s</th>
            <th scope="col" className="num">Time</th>
            <th scope="col"><span className="sr-only">Train again, remove</span></th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => <Row key={r.id} run={r} focused={r.id === s.focusedId} hidden={!!s.hidden[r.id]} />)}
        </tbody>
      </table>
      <p className="table-note">
        Class / Dist. / Fused: the latest evaluation{anyFinalTest ? ' (the end-of-epoch test images where an epoch ended, else the evaluation subset)' : ' on the evaluation subset'}.
        Best fused: highest on the subset, at its step. † untrained head in none mode: not a result.
      </p>
    </div>
  );
}
