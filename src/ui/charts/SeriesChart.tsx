// A recharts line chart over a numeric x axis (step or images seen): one <Line> per series with its own data,
// horizontal reference lines (teacher accuracy) and vertical markers (live changes). Animations are off: the data
// is live and re-rendered at most a few times per second, and only when something it draws changed (sameChartProps):
// a recharts render costs tens of milliseconds of main-thread time, most of it in recharts itself. With two runs or
// more, each run's number is drawn at the end of its line, so runs can be told apart without their colours. The
// drawing is not a keyboard stop (accessibilityLayer off): its text alternative is ChartFrame's summary.
import { memo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceDot, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { formatCompact } from '../format';
import type { XAxisMode } from '../store/viewSlice';
import { sameRecords, sameSeries, type LineSeries, type MarkerLine, type TeacherLine } from './chartData';
import { runTags } from './chartSummary';

export interface SeriesChartProps {
  series: readonly LineSeries[];
  xMode: XAxisMode;
  yDomain: [number | 'auto' | 'dataMin', number | 'auto' | 'dataMax'];
  yTickFormat?: (v: number) => string;
  yLabel: string;
  refs?: readonly TeacherLine[];
  markers?: readonly MarkerLine[];
  height?: number;
  /** Draw a dot at each point of sparse series such as evaluations (up to MAX_DOTS points; a dense line needs none). */
  dots?: boolean;
  /** The x axis reaches at least this far (the runs' planned length: chartData.xAxisEnd). */
  xEnd?: number;
}

// Every tick is drawn (interval 0): about five short labels never collide, and recharts then skips measuring each
// label's text in the DOM on every render, which was a visible share of a chart update.
const X_TICK: Record<XAxisMode, (v: number) => string> = { images: formatCompact, step: String };

/** Each dot is an SVG element recharts re-renders with the chart: beyond this many points a series is a plain line. */
export const MAX_DOTS = 40;

/**
 * Props that draw the same chart: series by key, style and point-array identity, reference and marker lines by value,
 * the rest by identity (callers pass module-level tick formatters, not inline lambdas).
 */
export function sameChartProps(a: SeriesChartProps, b: SeriesChartProps): boolean {
  return sameSeries(a.series, b.series) && sameRecords(a.refs ?? [], b.refs ?? []) && sameRecords(a.markers ?? [], b.markers ?? [])
    && a.yDomain[0] === b.yDomain[0] && a.yDomain[1] === b.yDomain[1] && a.xMode === b.xMode && a.yTickFormat === b.yTickFormat
    && a.yLabel === b.yLabel && a.height === b.height && a.dots === b.dots && a.xEnd === b.xEnd;
}

export const SeriesChart = memo(SeriesChartView, sameChartProps);

function SeriesChartView({ series, xMode, yDomain, yTickFormat, yLabel, refs = [], markers = [], height = 260, dots, xEnd = 0 }: SeriesChartProps) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart margin={{ top: 12, right: 28, bottom: 18, left: 4 }} accessibilityLayer={false}>
        <CartesianGrid stroke="#e6e8ec" strokeDasharray="0" vertical={false} />
        <XAxis
          type="number" dataKey="x" domain={[0, (dataMax: number) => Math.max(dataMax, xEnd)]} allowDecimals={false} tickFormatter={X_TICK[xMode]} interval={0}
          stroke="#5f6670" fontSize={12}
          label={{ value: xMode === 'step' ? 'student step' : 'images seen', position: 'insideBottom', offset: -10, fontSize: 12, fill: '#5f6670' }}
        />
        <YAxis
          type="number" domain={yDomain} tickFormatter={yTickFormat} interval={0} stroke="#5f6670" fontSize={12} width={62}
          label={{ value: yLabel, angle: -90, position: 'insideLeft', offset: 2, fontSize: 12, fill: '#5f6670', style: { textAnchor: 'middle' } }}
        />
        {refs.map((r) => (
          <ReferenceLine key={r.key} y={r.y} stroke="#1f2328" strokeDasharray="6 4" strokeWidth={1.25} ifOverflow="extendDomain"
            label={{ value: r.label, position: 'insideBottomLeft', fontSize: 11, fill: '#1f2328' }} />
        ))}
        {markers.map((m) => (
          <ReferenceLine key={m.key} x={m.x} stroke={m.color} strokeDasharray="3 3" strokeOpacity={0.8}
            label={{ value: m.label, position: 'insideTopLeft', fontSize: 10, fill: m.color }} />
        ))}
        {series.map((s) => (
          <Line
            key={s.key} data={s.data} dataKey="y" name={s.name} type="linear"
            stroke={s.color} strokeWidth={s.width} strokeDasharray={s.dash} strokeOpacity={s.opacity}
            dot={(dots && s.data.length <= MAX_DOTS) || s.data.length < 3 ? { r: 2.5, strokeWidth: 0, fill: s.color } : false}
            activeDot={false} isAnimationActive={false} connectNulls
          />
        ))}
        {runTags(series).map((t) => (
          <ReferenceDot key={t.key} x={t.x} y={t.y} r={3.5} fill={t.color} stroke="#fff" strokeWidth={1} className="run-tag"
            label={{ value: t.text, position: 'right', fontSize: 11, fontWeight: 700, fill: '#1f2328' }} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
