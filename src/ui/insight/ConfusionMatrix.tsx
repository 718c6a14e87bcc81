// Confusion and per-class accuracy: at the end of each epoch, on the test images, which class each head (or the
// teacher) predicts for each true class. A click on a cell shows a few of those test images.
import { memo, useEffect, useState } from 'react';
import { DATASETS } from '../../engine/config';
import { CONFUSION_SOURCES, type ConfusionSource, type EvalPoint } from '../../workers/protocol';
import { SampleImage } from '../components/SampleImage';
import { useController } from '../hooks/useController';
import { useInsightRuns } from '../hooks/useChartRuns';
import { runColor, type Run } from '../store/runModel';
import { runName } from '../charts/chartData';
import { latestConfusion, perClassAccuracy, SOURCE_LABEL } from './insightData';

export function ConfusionMatrix() {
  const { focused: run } = useInsightRuns();
  const [source, setSource] = useState<ConfusionSource>('fused');
  const [cell, setCell] = useState<number | null>(null);
  const point = latestConfusion(run);
  const sources = point ? CONFUSION_SOURCES.filter((s) => point.confusion!.counts[s]) : [];
  const shown = sources.includes(source) ? source : 'fused';
  return (
    <section className="chart chart-wide confusion" data-testid="confusion-matrix" aria-labelledby="confusion-title"
      data-source={shown} data-count={point?.count ?? 0} data-step={point?.step ?? ''}>
      <header className="chart-head">
        <h3 id="confusion-title">Confusion and per-class accuracy</h3>
        {sources.length > 0 && (
          <div className="segmented" role="radiogroup" aria-label="Predictions of">
            {sources.map((s) => (
              <label key={s} className={shown === s ? 'seg-on' : ''}>
                <input type="radio" name="confusion-source" checked={shown === s} onChange={() => setSource(s)} data-testid={`confusion-source-${s}`} />
                {SOURCE_LABEL[s]}
              </label>
            ))}
          </div>
        )}
      </header>
      <p className="chart-desc">
        Rows: the true class; columns: the predicted one; on the {point?.count ?? ''} test images scored at the end of the
        latest epoch{point ? ` (step ${point.step})` : ''}{run ? <>, run <span className="swatch" style={{ background: runColor(run) }} aria-hidden="true" /> {runName(run)}</> : null}.
        Click a cell to see its images.
      </p>
      {!point || !run
        ? <p className="chart-empty-inline">The matrix appears at the end of a run’s first epoch.</p>
        : <Matrix run={run} point={point} source={shown} cell={cell} onCell={setCell} />}
      {point && run && cell !== null && <CellImages run={run} point={point} source={shown} cell={cell} />}
    </section>
  );
}

const Matrix = memo(function Matrix({ run, point, source, cell, onCell }: { run: Run; point: EvalPoint; source: ConfusionSource; cell: number | null; onCell(c: number): void }) {
  const conf = point.confusion!;
  const c = conf.numClasses;
  const counts = conf.counts[source]!;
  const names = DATASETS[run.config.dataset].classNames;
  const sources = CONFUSION_SOURCES.filter((s) => conf.counts[s]);
  const acc = Object.fromEntries(sources.map((s) => [s, perClassAccuracy(conf.counts[s]!, c)]));
  const rowMax = (y: number) => Math.max(1, ...counts.slice(y * c, (y + 1) * c));
  return (
    <div className="confusion-body">
      {/* Scrolls on its own on a narrow screen (a phone) instead of widening the page; a Tab stop so keys can scroll it. */}
      <div className="table-wrap" role="region" aria-label="Confusion matrix" tabIndex={0}>
      <table className="confusion-grid">
        <thead>
          <tr>
            <th scope="col" className="confusion-corner">true ↓ / predicted →</th>
            {names.map((n, k) => <th key={k} scope="col" className="confusion-col" title={n}><span>{n}</span></th>)}
          </tr>
        </thead>
        <tbody>
          {names.map((n, y) => (
            <tr key={y}>
              <th scope="row" className="confusion-row">{n}</th>
              {names.map((_, k) => {
                const i = y * c + k;
                const v = counts[i]!;
                const strength = v / rowMax(y);
                const diag = y === k;
                return (
                  <td key={k}>
                    <button type="button" className={`confusion-cell${cell === i ? ' cell-on' : ''}`} data-testid="confusion-cell" data-count={v}
                      data-true={y} data-pred={k} aria-label={`${n} predicted as ${names[k]}: ${v}`} onClick={() => onCell(i)}
                      style={{ background: v === 0 ? undefined : diag ? `rgba(0, 114, 178, ${0.15 + 0.7 * strength})` : `rgba(213, 94, 0, ${0.15 + 0.7 * strength})`, color: strength > 0.6 ? '#fff' : undefined }}>
                      {v}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      <div className="table-wrap" role="region" aria-label="Per-class accuracy" tabIndex={0}>
      <table className="per-class" data-testid="per-class-accuracy">
        <thead>
          <tr>
            <th scope="col">per-class accuracy</th>
            {sources.map((s) => <th key={s} scope="col" className={s === source ? 'col-on' : ''}>{SOURCE_LABEL[s]}</th>)}
          </tr>
        </thead>
        <tbody>
          {names.map((n, y) => (
            <tr key={y}>
              <th scope="row">{n}</th>
              {sources.map((s) => {
                const a = acc[s]![y];
                return <td key={s} className={`num${s === source ? ' col-on' : ''}`} data-source={s}>{a === null || a === undefined ? '–' : `${(a * 100).toFixed(0)}%`}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </div>
  );
});

/** The first test images of the chosen cell, asked from the worker when the run does not have them yet. */
function CellImages({ run, point, source, cell }: { run: Run; point: EvalPoint; source: ConfusionSource; cell: number }) {
  const ctl = useController();
  const conf = point.confusion!;
  const indices = conf.examples[source]?.[cell] ?? [];
  const missing = indices.filter((i) => !run.images[i]);
  const names = DATASETS[run.config.dataset].classNames;
  const key = missing.join(',');
  useEffect(() => {
    if (key) ctl.requestImages(run.id, key.split(',').map(Number));
  }, [ctl, run.id, key]);
  const y = Math.floor(cell / conf.numClasses);
  const k = cell % conf.numClasses;
  const total = conf.counts[source]?.[cell] ?? 0;
  return (
    <div className="cell-images" data-testid="confusion-examples" data-shown={indices.length - missing.length}>
      <div className="muted">
        {names[y]} predicted as {names[k]} by the {SOURCE_LABEL[source]}: {total} image{total === 1 ? '' : 's'}
        {total > indices.length ? `, the first ${indices.length} shown` : ''}{missing.length > 0 ? ' (loading…)' : ''}
      </div>
      <div className="cell-images-row">
        {indices.map((i) => run.images[i]).filter((im) => im !== undefined).map((im) => (
          <SampleImage key={im.index} pixels={im.pixels} size={im.imageSize} label={`Test image ${im.index}, a ${names[im.label]}`} />
        ))}
      </div>
    </div>
  );
}
