// Accuracy vs step or images seen: class-token, distillation-token and fused accuracy per run, the teacher as a
// reference line, live changes as markers. data-points-* on the container count the focused run's points.
import { useMemo, useState } from 'react';
import { useActions, useAppStore } from '../hooks/useAppStore';
import { useChartRuns } from '../hooks/useChartRuns';
import type { Head } from '../store/viewSlice';
import { HEAD_STYLE, NO_DIST_TOKEN, accuracySeries, distHeadUntrained, markerLines, teacherLines } from './chartData';
import { ChartFrame } from './ChartFrame';
import { SeriesChart } from './SeriesChart';

const HEADS: Head[] = ['fused', 'cls', 'dist'];

const percentTick = (v: number) => `${v}%`;

export function AccuracyChart() {
  const { visible, focused, xAxis, heads, xEnd } = useChartRuns();
  const { toggleHead } = useActions();
  // The toggles follow the store at once (a controlled checkbox must not wait for the throttled chart data).
  const headsNow = useAppStore((s) => s.heads);
  const [zoom, setZoom] = useState(false);
  const series = useMemo(() => accuracySeries(visible, heads, xAxis, focused?.id ?? null), [visible, heads, xAxis, focused]);
  const refs = useMemo(() => teacherLines(visible), [visible]);
  const markers = useMemo(() => markerLines(visible, xAxis), [visible, xAxis]);

  // Counts for the focused run regardless of which heads are drawn.
  const counts: Record<string, number> = { 'points-cls': 0, 'points-dist': 0, 'points-fused': 0, 'points-teacher': 0 };
  for (const e of focused?.evals ?? []) {
    if (e.split !== 'subset') continue;
    if (e.clsAcc !== null) counts['points-cls']!++;
    if (e.distAcc !== null) counts['points-dist']!++;
    if (e.fusedAcc !== null) counts['points-fused']!++;
    if (e.teacherAcc !== null) counts['points-teacher']!++;
  }
  const ys = series.flatMap((s) => s.data.map((p) => p.y)).concat(refs.map((r) => r.y));
  const low = zoom && ys.length ? Math.max(0, Math.floor((Math.min(...ys) - 2) / 5) * 5) : 0;
  const anyUntrained = visible.some(distHeadUntrained) && heads.dist;
  const anyNoToken = visible.some((r) => !r.config.distToken);
  // The same element while the toggles stand: its checkboxes are not re-rendered with each new point (React re-applies
  // an input's attributes on every render, and the browser restyles it).
  const toolbar = useMemo(() => (
    <>
      {HEADS.map((h) => (
        <label key={h} className="chip">
          <input type="checkbox" checked={headsNow[h]} onChange={() => toggleHead(h)} data-testid={`toggle-head-${h}`} />
          {HEAD_STYLE[h].label}
        </label>
      ))}
      <label className="chip">
        <input type="checkbox" checked={zoom} onChange={() => setZoom(!zoom)} data-testid="toggle-zoom" />zoom
      </label>
    </>
  ), [headsNow, zoom, toggleHead]);

  return (
    <ChartFrame
      testId="chart-accuracy"
      title="Accuracy"
      className="chart-wide"
      description={<>On the fixed evaluation subset. Dashed black line: the teacher{anyUntrained ? '; grey: distillation head of a none run (untrained, not a result)' : ''}{anyNoToken ? `; a run with ${NO_DIST_TOKEN} has no distillation-token line and its fused line is its class head` : ''}.</>}
      series={series}
      runs={visible}
      xMode={xAxis}
      refs={refs}
      styles={HEADS.map((h) => ({ label: HEAD_STYLE[h].label, dash: HEAD_STYLE[h].dash, width: HEAD_STYLE[h].width }))}
      data={{ ...counts, 'teacher-lines': refs.length, 'focused-run': focused?.id ?? '', runs: visible.length, markers: markers.length }}
      empty="Accuracy appears after the first evaluation of a run."
      formatY={(y) => `${y.toFixed(1)}%`}
      toolbar={toolbar}
    >
      <SeriesChart series={series} xMode={xAxis} xEnd={xEnd} yDomain={[low, 100]} yTickFormat={percentTick} yLabel="accuracy" refs={refs} markers={markers} height={300} dots />
    </ChartFrame>
  );
}
