// A line chart over a numeric x axis (step or images seen): recharts draws the frame (axes, grid, horizontal
// reference lines such as the teacher's accuracy, vertical live-change markers) and LiveLines draws the series inside
// it through recharts' public scale hooks. The split is for the main thread: a recharts chart re-renders in one
// piece of 10-35 ms (its store re-renders every registered line, axis and reference element), which with the
// software GPU sharing the CPU became long tasks; points arrive several times a second while training, the axes and
// reference lines change a few times a run. So new points re-render only the few SVG paths of LiveLines (under a
// millisecond), and the frame re-renders only when its ranges, reference lines or markers change (ranges rounded to a
// nice step in chartAxes.ts). With two runs or more, each run's number is drawn at the end of its line, so runs can be
// told apart without their colours. The drawing is not a keyboard stop (accessibilityLayer off): its text alternative
// is ChartFrame's summary.
import { createContext, memo, useContext, useMemo } from 'react';
import { CartesianGrid, LineChart, ReferenceLine, ResponsiveContainer, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import { formatCompact } from '../format';
import type { XAxisMode } from '../store/viewSlice';
import { xRange, yRange, yTicks, type DomainEnd } from './chartAxes';
import { sameRecords, sameSeries, type LineSeries, type MarkerLine, type TeacherLine } from './chartData';
import { runTags } from './chartSummary';

export interface SeriesChartProps {
  series: readonly LineSeries[];
  xMode: XAxisMode;
  /** The y range: fixed ends, or 'auto' for the data's extent rounded to a nice step. */
  yDomain: readonly [DomainEnd, DomainEnd];
  /** Values an 'auto' range always covers: where the lines will start, so the axes are set before the first point. */
  yInclude?: readonly number[];
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
// label's text in the DOM on every render.
const X_TICK: Record<XAxisMode, (v: number) => string> = { images: formatCompact, step: String };

/** Beyond this many points a series is a plain line without a dot per point. */
export const MAX_DOTS = 40;

/**
 * Props that draw the same chart: series by key, style and point-array identity, reference and marker lines by value,
 * the rest by identity (callers pass module-level tick formatters, not inline lambdas).
 */
export function sameChartProps(a: SeriesChartProps, b: SeriesChartProps): boolean {
  return sameSeries(a.series, b.series) && sameFrame(a, b) && a.dots === b.dots;
}

/** Props under which the recharts frame (axes, grid, reference lines, markers) draws the same: it is not re-rendered. */
export function sameFrame(a: SeriesChartProps, b: SeriesChartProps): boolean {
  return sameFrameProps(frameProps(a), frameProps(b));
}

interface FrameProps {
  xMode: XAxisMode;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  yTickFormat?: (v: number) => string;
  yLabel: string;
  refs: readonly TeacherLine[];
  markers: readonly MarkerLine[];
  height: number;
}

function frameProps({ series, xMode, yDomain, yInclude, yTickFormat, yLabel, refs = [], markers = [], height = 260, xEnd = 0 }: SeriesChartProps): FrameProps {
  const [x0, x1] = xRange(series, xEnd);
  const [y0, y1] = yRange(series, yDomain, refs, yInclude);
  return { xMode, x0, x1, y0, y1, yTickFormat, yLabel, refs, markers, height };
}

function sameFrameProps(a: FrameProps, b: FrameProps): boolean {
  return a.xMode === b.xMode && a.x0 === b.x0 && a.x1 === b.x1 && a.y0 === b.y0 && a.y1 === b.y1 && a.yTickFormat === b.yTickFormat
    && a.yLabel === b.yLabel && a.height === b.height && sameRecords(a.refs, b.refs) && sameRecords(a.markers, b.markers);
}

interface Lines {
  series: readonly LineSeries[];
  dots: boolean;
}

/** The series reach LiveLines through context, so new points do not re-render the recharts frame between them. */
const LinesContext = createContext<Lines>({ series: [], dots: false });

export const SeriesChart = memo(function SeriesChart(props: SeriesChartProps) {
  const { series, dots = false } = props;
  const lines = useMemo(() => ({ series, dots }), [series, dots]);
  return (
    <LinesContext.Provider value={lines}>
      <ChartFrameSvg {...frameProps(props)} />
    </LinesContext.Provider>
  );
}, sameChartProps);

const ChartFrameSvg = memo(function ChartFrameSvg({ xMode, x0, x1, y0, y1, yTickFormat, yLabel, refs, markers, height }: FrameProps) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart margin={{ top: 12, right: 28, bottom: 18, left: 4 }} accessibilityLayer={false}>
        <CartesianGrid stroke="#e6e8ec" strokeDasharray="0" vertical={false} />
        <XAxis
          type="number" dataKey="x" domain={[x0, x1]} allowDataOverflow allowDecimals={false} tickFormatter={X_TICK[xMode]} interval={0}
          stroke="#5f6670" fontSize={12}
          label={{ value: xMode === 'step' ? 'student step' : 'images seen', position: 'insideBottom', offset: -10, fontSize: 12, fill: '#5f6670' }}
        />
        <YAxis
          type="number" domain={[y0, y1]} ticks={yTicks(y0, y1)} allowDataOverflow tickFormatter={yTickFormat} interval={0} stroke="#5f6670" fontSize={12} width={62}
          label={{ value: yLabel, angle: -90, position: 'insideLeft', offset: 2, fontSize: 12, fill: '#5f6670', style: { textAnchor: 'middle' } }}
        />
        <LiveLines />
        {refs.map((r) => (
          <ReferenceLine key={r.key} y={r.y} stroke="#1f2328" strokeDasharray="6 4" strokeWidth={1.25}
            label={{ value: r.label, position: 'insideBottomLeft', fontSize: 11, fill: '#1f2328' }} />
        ))}
        {markers.map((m) => (
          <ReferenceLine key={m.key} x={m.x} stroke={m.color} strokeDasharray="3 3" strokeOpacity={0.8}
            label={{ value: m.label, position: 'insideTopLeft', fontSize: 10, fill: m.color }} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}, sameFrameProps);

/** The series as SVG paths in recharts' plot area, with dots on sparse series and run tags at the lines' ends. */
function LiveLines() {
  const { series, dots } = useContext(LinesContext);
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const area = usePlotArea();
  if (!xScale || !yScale || !area) return null;
  const px = (x: number) => xScale(x) ?? 0;
  const py = (y: number) => yScale(y) ?? 0;
  const clipId = `plot-${area.x}-${area.y}-${area.width}-${area.height}`;
  return (
    <g className="series-lines">
      <defs>
        <clipPath id={clipId}><rect x={area.x} y={area.y - 4} width={area.width + 4} height={area.height + 8} /></clipPath>
      </defs>
      <g clipPath={`url(#${clipId})`}>
        {series.map((s) => s.data.length > 1 && (
          <path
            key={s.key} className="series-line" data-series={s.key} fill="none" stroke={s.color} strokeWidth={s.width}
            strokeDasharray={s.dash} strokeOpacity={s.opacity} strokeLinejoin="round"
            d={s.data.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join('')}
          />
        ))}
        {series.map((s) => ((dots && s.data.length <= MAX_DOTS) || s.data.length < 3) && (
          <g key={s.key} className="series-dots" fill={s.color} fillOpacity={s.opacity}>
            {s.data.map((p, i) => <circle key={i} className="series-dot" cx={px(p.x)} cy={py(p.y)} r={2.5} />)}
          </g>
        ))}
      </g>
      {runTags(series).map((t) => (
        <g key={t.key} className="run-tag">
          <circle cx={px(t.x)} cy={py(t.y)} r={3.5} fill={t.color} stroke="#fff" strokeWidth={1} />
          <text x={px(t.x) + 6} y={py(t.y)} dy="0.35em" fontSize={11} fontWeight={700} fill="#1f2328">{t.text}</text>
        </g>
      ))}
    </g>
  );
}
