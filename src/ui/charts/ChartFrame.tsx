// The frame around each chart: title, one-line description, toolbar, the drawing as an image whose accessible name is
// the chart's summary in words (latest values), an HTML legend (runs by colour and number, parts by line style) and a
// screen-reader list of the series with their point counts (also what e2e tests read, never pixels).
import type { ReactNode } from 'react';
import { runColor, runLabel, type Run } from '../store/runModel';
import type { XAxisMode } from '../store/viewSlice';
import type { LineSeries, TeacherLine } from './chartData';
import { chartSummary } from './chartSummary';

export interface LineStyleKey {
  label: string;
  dash: string | undefined;
  width: number;
  muted?: boolean;
}

export interface ChartFrameProps {
  testId: string;
  title: string;
  description: ReactNode;
  series: readonly LineSeries[];
  runs: readonly Run[];
  styles?: readonly LineStyleKey[];
  toolbar?: ReactNode;
  /** data-* attributes on the container (e.g. point counts of the focused run). */
  data?: Record<string, string | number>;
  empty: string;
  children: ReactNode;
  className?: string;
  /** Formats the latest value of a series for the summary and the screen-reader list. */
  formatY: (y: number) => string;
  xMode: XAxisMode;
  /** Reference lines drawn (named in the summary). */
  refs?: readonly TeacherLine[];
}

function StyleSample({ dash, width, muted }: LineStyleKey) {
  return (
    <svg width="28" height="10" aria-hidden="true" className="style-sample">
      <line x1="1" y1="5" x2="27" y2="5" stroke={muted ? '#9aa0a6' : '#1f2328'} strokeWidth={width} strokeDasharray={dash} />
    </svg>
  );
}

export function ChartFrame({ testId, title, description, series, runs, styles, toolbar, data = {}, empty, children, className, formatY, xMode, refs }: ChartFrameProps) {
  const dataAttrs = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, String(v)]));
  const hasData = series.some((s) => s.data.length > 0);
  const titleId = `${testId}-title`;
  return (
    <section className={`chart ${className ?? ''}`} data-testid={testId} aria-labelledby={titleId} {...dataAttrs}>
      <header className="chart-head">
        <h3 id={titleId}>{title}</h3>
        {toolbar && <div className="chart-toolbar">{toolbar}</div>}
      </header>
      <p className="chart-desc">{description}</p>
      {/* The chart is mounted even while empty (axes only, the message over it): mounting the recharts frame is its
          costliest render, so it happens with the page, not when the first points arrive mid-training. */}
      <div className="chart-body">
        <div role="img" aria-label={chartSummary(title, series, formatY, xMode, refs)} data-testid={`${testId}-drawing`}>{children}</div>
        {!hasData && <div className="chart-empty">{empty}</div>}
      </div>
      {hasData && (
        <div className="legend">
          <ul className="legend-runs" aria-label="Runs">
            {runs.map((r) => (
              <li key={r.id}><span className="swatch" style={{ background: runColor(r) }} />#{r.number} {runLabel(r.config)}</li>
            ))}
          </ul>
          {styles && styles.length > 1 && (
            <ul className="legend-styles" aria-label="Line styles">
              {styles.map((s) => <li key={s.label}><StyleSample {...s} />{s.label}</li>)}
            </ul>
          )}
        </div>
      )}
      <ul className="sr-only" data-testid={`${testId}-series`}>
        {series.map((s) => {
          const lastY = s.data[s.data.length - 1]?.y;
          return (
            <li key={s.key} data-series={s.key} data-run-id={s.runId} data-part={s.part} data-points={s.count}>
              {s.name}: {s.count} points{lastY !== undefined ? `, latest ${formatY(lastY)}` : ''}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
