// What every chart needs, read from the store on the throttled views' shared ticks (useThrottledStore: at most 5 times
// a second, fewer while the main thread waits for a core): the runs shown, the focused run and the view options.
// Metric points arrive far faster; the charts never re-render per message, and those with new points re-render
// together. A change of view options (a toggle, the x axis, a focus) redraws at once.
import { useMemo } from 'react';
import { chartRuns, xAxisEnd } from '../charts/chartData';
import { appStore, type AppState } from '../store/appStore';
import type { Run } from '../store/runModel';
import { selectFocusedRunId } from '../store/selectors';
import type { Head, LossPart, XAxisMode } from '../store/viewSlice';
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

/** The view options every chart reads besides the runs. */
const viewOf = (st: AppState) => ({
  order: st.runOrder,
  hidden: st.hiddenRuns,
  focusedId: selectFocusedRunId(st),
  xAxis: st.xAxis,
  heads: st.heads,
  lossParts: st.lossParts,
});

/** The runs shown, the focused one and where the x axis ends, from the runs and the view options. */
function useChartRunsOf(runs: Record<string, Run>, v: ReturnType<typeof viewOf>): ChartRuns {
  const visible = useMemo(() => chartRuns(runs, v.order, v.hidden), [runs, v.order, v.hidden]);
  const xEnd = useMemo(() => xAxisEnd(visible, v.xAxis), [visible, v.xAxis]);
  const focused = v.focusedId ? runs[v.focusedId] ?? null : null;
  return { visible, focused, xAxis: v.xAxis, heads: v.heads, lossParts: v.lossParts, xEnd };
}

export function useChartRuns(): ChartRuns {
  const s = useThrottledStore((st) => ({ runs: st.runs, ...viewOf(st) }), { urgent: viewOf });
  return useChartRunsOf(s.runs, s);
}

/**
 * What of a run the insight views draw changes only at an evaluation, a new sample or test images, or a status: this
 * string changes with exactly those, so metric points (many a second) never re-render them.
 */
export function insightSignature(st: Pick<AppState, 'runs' | 'runOrder'>): string {
  return st.runOrder.map((id) => {
    const r = st.runs[id];
    return r ? `${id}:${r.status}:${r.evals.length}:${r.sample?.step ?? -1}:${r.sample?.index ?? -1}:${r.strip.length}:${Object.keys(r.images).length}` : id;
  }).join('|');
}

/**
 * useChartRuns for the insight views: the same runs, re-read only when insightSignature changes (an evaluation, a
 * sample, images or a status), so that the token-similarity, agreement, attention and confusion views do not re-render
 * between evaluations.
 */
export function useInsightRuns(): ChartRuns {
  // Half a tick after the training curves: an evaluation changes all four insight views at once, and the curves too.
  const s = useThrottledStore((st) => ({ sig: insightSignature(st), ...viewOf(st) }), { phase: 0.5, urgent: viewOf });
  // The runs as they are when the signature changed (read once per change, not per render).
  const runs = useMemo(() => appStore.getState().runs, [s.sig]);
  return useChartRunsOf(runs, s);
}
