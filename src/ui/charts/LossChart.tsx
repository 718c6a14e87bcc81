// Training loss parts per run: base cross-entropy (class head vs labels), the distillation term and their total.
import { useMemo } from 'react';
import { DATASETS } from '../../engine/config';
import { formatLoss } from '../format';
import { useActions, useAppStore } from '../hooks/useAppStore';
import { useChartRuns } from '../hooks/useChartRuns';
import type { LossPart } from '../store/viewSlice';
import { LOSS_STYLE, lossSeries, markerLines } from './chartData';
import { ChartFrame } from './ChartFrame';
import { SeriesChart } from './SeriesChart';

const PARTS: LossPart[] = ['total', 'base', 'distill'];

const lossTick = (v: number) => String(Number(v.toPrecision(3)));

/** The cross-entropy of a uniform guess, ln(classes): where an untrained run's loss starts (2.30 for 10 classes). */
const uniformLoss = (dataset: keyof typeof DATASETS) => Math.log(DATASETS[dataset].classNames.length);

export function LossChart() {
  const { visible, focused, xAxis, lossParts, xEnd } = useChartRuns();
  const { toggleLossPart } = useActions();
  // The toggles follow the store at once (a controlled checkbox must not wait for the throttled chart data).
  const partsNow = useAppStore((s) => s.lossParts);
  const series = useMemo(() => lossSeries(visible, lossParts, xAxis, focused?.id ?? null), [visible, lossParts, xAxis, focused]);
  const markers = useMemo(() => markerLines(visible, xAxis), [visible, xAxis]);
  // The y axis covers the starting loss before the first point arrives, so it does not rescale at the run's start.
  // The same element while the toggles stand, so its checkboxes are not re-rendered with each new point.
  const toolbar = useMemo(() => PARTS.map((p) => (
    <label key={p} className="chip">
      <input type="checkbox" checked={partsNow[p]} onChange={() => toggleLossPart(p)} data-testid={`toggle-loss-${p}`} />
      {LOSS_STYLE[p].label}
    </label>
  )), [partsNow, toggleLossPart]);
  const expected = useMemo(() => visible.map((r) => uniformLoss(r.config.dataset)), [visible]);
  return (
    <ChartFrame
      testId="chart-loss"
      title="Loss"
      description={`total = (1 − α) · base CE + α · distillation term; mean over the steps between points.${visible.some((r) => !r.config.distToken) ? ' Without the distillation token both terms are on the class head.' : ''}`}
      series={series}
      runs={visible}
      xMode={xAxis}
      styles={PARTS.map((p) => ({ label: LOSS_STYLE[p].label, dash: LOSS_STYLE[p].dash, width: LOSS_STYLE[p].width }))}
      data={{ 'points-total': focused?.metrics.length ?? 0, runs: visible.length }}
      empty="Loss appears with the first training steps."
      formatY={formatLoss}
      toolbar={toolbar}
    >
      <SeriesChart series={series} xMode={xAxis} xEnd={xEnd} yDomain={[0, 'auto']} yInclude={expected} yTickFormat={lossTick} yLabel="loss" markers={markers} />
    </ChartFrame>
  );
}
