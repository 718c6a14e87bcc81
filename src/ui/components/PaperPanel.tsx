// Paper mode: "Reproduce Table 3" queues DeiT Table 3's four runs with the controls' student, budget and seed (1 or 3
// seeds per row), and the table compares our test accuracies with the paper's DeiT-Ti numbers, with the orderings
// that held here, the seed-noise caveat, and Markdown / CSV exports.
import { useMemo } from 'react';
import { PAPER_SEED_COUNTS, type PaperSeeds } from '../../engine/paperRuns';
import { useController } from '../hooks/useController';
import { useActions, useAppStore } from '../hooks/useAppStore';
import { useThrottledStore } from '../hooks/useThrottledStore';
import { ourCell, paperCsv, paperMarkdown } from '../paper/paperExport';
import { buildPaperTable, noiseNote, orderingSentence, signed } from '../paper/paperTable';
import { selectPaperResults } from '../store/paperSlice';
import { TeacherComparisonTable } from './TeacherComparisonTable';

const dataUrl = (type: string, text: string) => `data:${type};charset=utf-8,${encodeURIComponent(text)}`;

export function PaperPanel() {
  const ctl = useController();
  const { setPaperSeeds } = useActions();
  const seeds = useAppStore((s) => s.paperSeeds);
  const crashed = useAppStore((s) => s.crash !== null);
  const { paper, runs } = useThrottledStore((s) => ({ paper: s.paper, runs: s.runs }));
  const results = useMemo(() => selectPaperResults({ paper, runs }), [paper, runs]);
  const rows = useMemo(() => buildPaperTable(results), [results]);
  const finished = results.filter((r) => r.acc !== null).length;

  return (
    <section className="panel" aria-labelledby="paper-title" data-testid="paper-panel">
      <header className="panel-head">
        <h2 id="paper-title">DeiT Table 3, here</h2>
        <div className="panel-actions">
          <label className="chip">
            Seeds per row{' '}
            <select value={seeds} data-testid="paper-seeds" aria-label="Seeds per row"
              onChange={(e) => setPaperSeeds(Number(e.currentTarget.value) as PaperSeeds)}>
              {PAPER_SEED_COUNTS.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
          <button type="button" className="btn" data-testid="paper-mode-button" onClick={ctl.paperMode} disabled={crashed}
            title="Queue the four trainings of the paper's Table 3 with the student, budget and seed on the left">
            Reproduce Table 3
          </button>
        </div>
      </header>
      <p className="panel-note">
        Queues {4 * seeds} runs with the student, budget and seed on the left: no distillation and no distillation token;
        usual soft distillation into the class token (τ=3, α=0.1, as in the paper); hard distillation into the class token;
        and DeiT⚗ (hard, with the distillation token), scored on the test images by its class head, its distillation head
        and both fused. The paper’s numbers are DeiT-Ti on ImageNet (300 epochs, RegNetY-16GF teacher): compare orderings, not values.
      </p>
      {paper && (
        <>
          <div className="table-wrap">
            <table className="runs-table" data-testid="paper-table" data-seeds={paper.seeds} data-finished={finished} data-planned={paper.runs.length}>
              <caption className="sr-only">Our test accuracies next to the paper’s Table 3 (DeiT-Ti)</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col" className="num">Ours, test %{paper.seeds > 1 ? ' (min–max)' : ''}</th>
                  <th scope="col" className="num">Δ vs none</th>
                  <th scope="col" className="num">Paper, DeiT-Ti %</th>
                  <th scope="col" className="num">Δ vs none</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.row} data-row={r.row} data-filled={r.mean !== null} data-n={r.values.length}>
                    <th scope="row">{r.label}</th>
                    <td className="num strong">{ourCell(r)}</td>
                    <td className="num">{r.diff === null ? '—' : signed(r.diff)}</td>
                    <td className="num">{r.paper.toFixed(1)}</td>
                    <td className="num">{signed(r.paperDiff)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p data-testid="paper-orderings">{orderingSentence(rows, paper.seeds)}</p>
          <p className="table-note" data-testid="paper-noise">{noiseNote(paper.seeds)} {finished} of {paper.runs.length} runs finished.</p>
          <div className="panel-actions">
            <a className="btn btn-small" data-testid="paper-export-md" download="deit-table3.md"
              href={dataUrl('text/markdown', paperMarkdown(rows, paper.base, paper.seeds))}>Export Markdown</a>
            <a className="btn btn-small" data-testid="paper-export-csv" download="deit-table3.csv"
              href={dataUrl('text/csv', paperCsv(rows))}>Export CSV</a>
          </div>
        </>
      )}
      <TeacherComparisonTable />
    </section>
  );
}
