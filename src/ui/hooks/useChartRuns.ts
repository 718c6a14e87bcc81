// What every chart needs, read from the store at most 5 times per second: the runs shown, the focused run and the
// view options. Metric points arrive far faster; the charts never re-render per message, and take turns: one chart
// update per animation frame (frameQueue.ts).
import { useMemo } from 'react';
import { chartRuns, xAxisEnd } from '../charts/chartData';
import type { Run } from '../store/runModel';
import { selectFocusedRunId } from '../store/selectors';
import type { Head, LossPart, XAxisMode } from '../store/viewSlice';
import { chartFrames } from './frameQueue';
import { useThrottledStore } from './useThrottledStore';

export interface ChartRuns {
  visible: Run[];
  focused: Run | null;
  xAxis: XAxisMode;
  heads: Record<Head, boolean>;
  lossParts: Record<LossPart, boolean>;
  /** Where every chart's x axis ends (chartData.xAxisEnd of the runs shown). */
  xEnd: number;
}

export const CHART_INTERVAL_MS = 200;

export function useChartRuns(): ChartRuns {
  const s = useThrottledStore((st) => ({
    runs: st.runs,
    order: st.runOrder,
    hidden: st.hiddenRuns,
    focusedId: selectFocusedRunId(st),
    xAxis: st.xAxis,
    heads: st.heads,
    lossParts: st.lossParts,
  }), CHART_INTERVAL_MS, chartFrames);
  const visible = useMemo(() => chartRuns(s.runs, s.order, s.hidden), [s.runs, s.order, s.hidden]);
  const xEnd = useMemo(() => xAxisEnd(visible, s.xAxis), [visible, s.xAxis]);
  const focused = s.focusedId ? s.runs[s.focusedId] ?? null : null;
  return { visible, focused, xAxis: s.xAxis, heads: s.heads, lossParts: s.lossParts, xEnd };
}
