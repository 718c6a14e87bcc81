// Agreement with the teacher: how often the class head, the distillation head and the fused prediction pick the
// teacher's top class on the evaluation images (DeiT Table 4, live). None runs are the baseline: a student that never
// saw the teacher agrees with it only as far as both are right.
import { useMemo } from 'react';
import { useInsightRuns } from '../hooks/useChartRuns';
import type { Head } from '../store/viewSlice';
import { ChartFrame } from '../charts/ChartFrame';
import { HEAD_STYLE, distHeadUntrained } from '../charts/chartData';
import { SeriesChart } from '../charts/SeriesChart';
import { agreementSeries } from './insightData';

const HEADS: Head[] = ['fused', 'cls', 'dist'];
const percentTick = (v: number) => `${v}%`;

export function AgreementChart() {
  const { visible, focused, xAxis, xEnd } = useInsightRuns();
  const series = useMemo(() => agreementSeries(visible, xAxis, focused?.id ?? null), [visible, xAxis, focused]);
  const counts: Record<string, number> = { 'points-cls': 0, 'points-dist': 0, 'points-fused': 0 };
  for (const s of series) if (s.runId === focused?.id) counts[`points-${s.part}`] = s.count;
  const anyUntrained = visible.some(distHeadUntrained);
  return (
    <ChartFrame
      testId="chart-agreement"
      title="Agreement with the teacher"
      description={<>
        Share of the evaluation images where each head’s top class is the teacher’s. Distillation should pull the
        distillation head towards the teacher; a none run shows how much a student agrees without ever seeing it
        {anyUntrained ? ' (grey: its untrained distillation head)' : ''}.
      </>}
      series={series}
      runs={visible}
      styles={HEADS.map((h) => ({ label: HEAD_STYLE[h].label, dash: HEAD_STYLE[h].dash, width: HEAD_STYLE[h].width }))}
      data={{ ...counts, 'focused-run': focused?.id ?? '', runs: visible.length }}
      empty="Agreement appears after the first evaluation of a run."
      xMode={xAxis}
      formatY={(y) => `${y.toFixed(1)}%`}
    >
      <SeriesChart series={series} xMode={xAxis} xEnd={xEnd} yDomain={[0, 100]} yTickFormat={percentTick} yLabel="agreement" height={260} dots />
    </ChartFrame>
  );
}
