// Training throughput (student images per second) per run; the first points include shader compilation.
import { useMemo } from 'react';
import { formatCompact, formatInt } from '../format';
import { useChartRuns } from '../hooks/useChartRuns';
import { throughputSeries } from './chartData';
import { ChartFrame } from './ChartFrame';
import { SeriesChart } from './SeriesChart';

export function ThroughputChart() {
  const { visible, focused, xAxis, xEnd } = useChartRuns();
  const series = useMemo(() => throughputSeries(visible, xAxis, focused?.id ?? null), [visible, xAxis, focused]);
  return (
    <ChartFrame
      testId="chart-throughput"
      title="Throughput"
      description="Student training images per second (teacher forward included). Early points include shader compilation."
      series={series}
      runs={visible}
      xMode={xAxis}
      data={{ 'points-throughput': focused?.metrics.length ?? 0, runs: visible.length }}
      empty="Throughput appears with the first training steps."
      formatY={(y) => `${formatInt(y)} images/s`}
    >
      <SeriesChart series={series} xMode={xAxis} xEnd={xEnd} yDomain={[0, 'auto']} yTickFormat={formatCompact} yLabel="images / s" />
    </ChartFrame>
  );
}
