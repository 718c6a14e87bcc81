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
import { selectTeacherComparison } from '../store/paperSlice';

export function TeacherComparisonTable() {
  const ctl = useController();
  const crashed = useAppStore((s) => s.crash !== null);
  const { comparison, runs } = useThrottledStore((s) => ({ comparison: s.teacherComparison, runs: s.runs }));
  const rows = useMemo(() => selectTeacherComparison({ teacherComparison: comparison, runs }), [comparison, runs]);
  const finished = rows.filter((r) => r.student !== null).length;
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
        Queues {COMPARED_TEACHERS.length} runs of DeiT⚗ with hard distillation, one per teacher: the CNN, the same CNN stopped
        at the transformer’s test accuracy, and the transformer (a DeiT without the distillation token, trained on labels).
        The paper (Table 2) found a convnet teacher better than a transformer of similar accuracy; the matched pair tests
        exactly that, the full CNN shows what a stronger teacher adds.
      </p>
      {comparison && (
        <>
          <div className="table-wrap">
            <table className="runs-table" data-testid="teacher-table" data-finished={finished} data-planned={rows.length}>
              <caption className="sr-only">Student test accuracy per teacher, beside the teacher’s own accuracy</caption>
              <thead>
                <tr>
                  <th scope="col">Teacher</th>
                  <th scope="col" className="num">Teacher, test %</th>
                  <th scope="col" className="num">Student fused %</th>
                  <th scope="col" className="num">Class head %</th>
                  <th scope="col" className="num">Dist. head %</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.runId} data-row={r.teacherModel} data-filled={r.student !== null}>
                    <th scope="row">{TEACHER_MODELS[r.teacherModel].label}</th>
                    <td className="num" title={r.teacherEvalAcc !== null ? `${formatPct(r.teacherEvalAcc)} on this run's evaluation images` : undefined}>
                      {formatPct(r.teacherAcc ?? r.teacherEvalAcc)}
                    </td>
                    <td className="num strong">{formatPct(r.student?.fused)}</td>
                    <td className="num">{formatPct(r.student?.cls)}</td>
                    <td className="num">{formatPct(r.student?.dist)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="table-note" data-testid="teacher-noise">
            One seed per teacher (seed {comparison.base.seed}): at short budgets one seed can move a run by several points, so
            repeat the comparison with other seeds (the seed on the left) before reading an ordering. {finished} of {rows.length} runs finished.
          </p>
        </>
      )}
    </div>
  );
}
