// "Compare teachers": DeiT⚗ (hard, with the distillation token) trained once per shipped teacher with the controls'
// student, budget and seed; the table puts each teacher's own accuracy beside the student's test accuracy with it,
// so "convnet or transformer teacher?" is answered in one click, with teachers of similar accuracy side by side.
import { useMemo } from 'react';
import { TEACHER_MODELS } from '../../engine/config';
import { COMPARED_TEACHERS } from '../../engine/paperRuns';
import { formatPct } from '../format';
import { useAppStore } from '../hooks/useAppStore';
import { useController } from '../hooks/useController';
import { useThrottledStore } from '../hooks/useThrottledStore';
import { selectTeacherComparison, type Spread } from '../store/paperSlice';

/** "65.2%" with one seed, "64.2% (60.1–68.9)" with several, "—" before any. */
function spreadCell(x: Spread): string {
  if (x.mean === null) return '—';
  return x.values.length > 1 ? `${formatPct(x.mean)} (${(x.min! * 100).toFixed(1)}–${(x.max! * 100).toFixed(1)})` : formatPct(x.mean);
}

export function TeacherComparisonTable() {
  const ctl = useController();
  const crashed = useAppStore((s) => s.crash !== null);
  const { comparison, runs } = useThrottledStore((s) => ({ comparison: s.teacherComparison, runs: s.runs }));
  const rows = useMemo(() => selectTeacherComparison({ teacherComparison: comparison, runs }), [comparison, runs]);
  const finished = rows.reduce((n, r) => n + r.finished, 0);
  const planned = rows.reduce((n, r) => n + r.planned, 0);
  const seeds = comparison?.seeds ?? 1;
  return (
    <div className="teacher-compare" data-testid="teacher-compare">
      <div className="panel-head">
        <h3>Which teacher: convnet or transformer?</h3>
        <button type="button" className="btn" data-testid="compare-teachers-button" onClick={ctl.compareTeachers} disabled={crashed}
          title="Queue DeiT⚗ (hard, with the distillation token) once per shipped teacher, with the student, budget and seed on the left">
          Compare teachers
        </button>
      </div>
      <p className="panel-note">
        Queues {COMPARED_TEACHERS.length} runs of DeiT⚗ with hard distillation per seed (seeds per row above), one per teacher: the CNN, the same CNN stopped
        at the transformer’s test accuracy, and the transformer (a DeiT without the distillation token, trained on labels).
        The paper (Table 2) found a convnet teacher better than a transformer of similar accuracy; the matched pair tests
        exactly that, the full CNN shows what a stronger teacher adds.
      </p>
      {comparison && (
        <>
          <div className="table-wrap">
            <table className="runs-table" data-testid="teacher-table" data-seeds={seeds} data-finished={finished} data-planned={planned}>
              <caption className="sr-only">Student test accuracy per teacher, beside the teacher’s own accuracy</caption>
              <thead>
                <tr>
                  <th scope="col">Teacher</th>
                  <th scope="col" className="num">Teacher, test %</th>
                  <th scope="col" className="num">Student fused %{seeds > 1 ? ' (min–max)' : ''}</th>
                  <th scope="col" className="num">Class head %</th>
                  <th scope="col" className="num">Dist. head %</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.teacherModel} data-row={r.teacherModel} data-filled={r.finished > 0} data-n={r.finished}>
                    <th scope="row">{TEACHER_MODELS[r.teacherModel].label}</th>
                    <td className="num" title={r.teacherEvalAcc !== null ? `${formatPct(r.teacherEvalAcc)} on this run's evaluation images` : undefined}>
                      {formatPct(r.teacherAcc ?? r.teacherEvalAcc)}
                    </td>
                    <td className="num strong">{spreadCell(r.fused)}</td>
                    <td className="num">{spreadCell(r.cls)}</td>
                    <td className="num">{spreadCell(r.dist)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="table-note" data-testid="teacher-noise">
            {seeds === 1
              ? `One seed per teacher (seed ${comparison.base.seed}): at short budgets one seed can move a run by several points, so set 3 seeds per row before reading an ordering.`
              : `Mean of ${seeds} seeds per teacher (seeds ${comparison.base.seed}–${comparison.base.seed + seeds - 1}), min–max in brackets: an ordering whose ranges overlap is not settled at this budget.`}
            {' '}{finished} of {planned} runs finished.
          </p>
        </>
      )}
    </div>
  );
}
