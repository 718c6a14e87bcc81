// A line chart over a numeric x axis (step or images seen): recharts draws the frame (the x axis, the y axis line and
// label, vertical live-change markers) and the live layer drawn inside it through recharts' public hooks draws what
// moves while a run trains: the y ticks and grid, horizontal reference lines such as the teacher's accuracy, and the
// series. The split is for the main thread: a recharts chart re-renders in one piece of 10-35 ms (its store re-renders
// every registered axis, line and reference element in an animation frame), which on a machine whose cores are busy
// (the software GPU shares the CPU) became the page's long tasks; points arrive several times a second, and the y
// range moves a few times a run (the throughput axis until the shader-compiling first steps are behind). So new points
// and a new y range re-render only the few SVG elements of the live layer (about a millisecond), and the recharts frame
// re-renders only when the x range or the markers change (the x range is the runs' planned length: it holds for a
// run). With two runs or more, each run's number is drawn at the end of its line, so runs can be told apart without
// their colours. The drawing is not a keyboard stop (accessibilityLayer off): its text alternative is ChartFrame's
// summary.
import { createContext, memo, useContext, useMemo } from 'react';
import { LineChart, ReferenceLine, XAxis, YAxis, usePlotArea, useXAxisScale } from 'recharts';
import { formatCompact } from '../format';
import { useWidth } from '../hooks/useWidth';
import type { XAxisMode } from '../store/viewSlice';
import { xRange, yRange, yTicks, type DomainEnd } from './chartAxes';
import { sameRecords, sameSeries, type LineSeries, type MarkerLine, type TeacherLine } from './chartData';
import { runTags, spreadLabels, type RunTag } from './chartSummary';

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
  return sameSeries(a.series, b.series) && sameFrame(a, b) && sameYAxis(yAxisOf(a), yAxisOf(b)) && a.dots === b.dots;
}

/** Props under which the recharts frame (x axis, y axis line and label, markers) draws the same: it is not re-rendered. */
export function sameFrame(a: SeriesChartProps, b: SeriesChartProps): boolean {
  return sameFrameProps(frameProps(a), frameProps(b));
}

interface FrameProps {
  xMode: XAxisMode;
  x0: number;
  x1: number;
  yLabel: string;
  markers: readonly MarkerLine[];
  height: number;
}

function frameProps({ series, xMode, yLabel, markers = [], height = 260, xEnd = 0 }: SeriesChartProps): FrameProps {
  const [x0, x1] = xRange(series, xEnd);
  return { xMode, x0, x1, yLabel, markers, height };
}

function sameFrameProps(a: FrameProps, b: FrameProps): boolean {
  return a.xMode === b.xMode && a.x0 === b.x0 && a.x1 === b.x1 && a.yLabel === b.yLabel && a.height === b.height && sameRecords(a.markers, b.markers);
}

/** The y axis as the live layer draws it: range, ticks, their format and the horizontal reference lines. */
export interface YAxisProps {
  y0: number;
  y1: number;
  format?: (v: number) => string;
  refs: readonly TeacherLine[];
}

export function yAxisOf({ series, yDomain, yInclude, yTickFormat, refs = [] }: SeriesChartProps): YAxisProps {
  const [y0, y1] = yRange(series, yDomain, refs, yInclude);
  return { y0, y1, format: yTickFormat, refs };
}

function sameYAxis(a: YAxisProps, b: YAxisProps): boolean {
  return a.y0 === b.y0 && a.y1 === b.y1 && a.format === b.format && sameRecords(a.refs, b.refs);
}

interface Live {
  series: readonly LineSeries[];
  dots: boolean;
  y: YAxisProps;
}

/** What moves while a run trains reaches the live layer through context, so it does not re-render the recharts frame. */
const LiveContext = createContext<Live>({ series: [], dots: false, y: { y0: 0, y1: 1, refs: [] } });

export const SeriesChart = memo(function SeriesChart(props: SeriesChartProps) {
  const { series, dots = false } = props;
  const { y0, y1, format, refs } = yAxisOf(props);
  const yMemo = useMemo(() => ({ y0, y1, format, refs }), [y0, y1, format, refs]);
  const live = useMemo(() => ({ series, dots, y: yMemo }), [series, dots, yMemo]);
  return (
    <LiveContext.Provider value={live}>
      <ChartFrameSvg {...frameProps(props)} />
    </LiveContext.Provider>
  );
}, sameChartProps);

const AXIS = '#5f6670';

// The y axis keeps a fixed [0, 1] domain in recharts (its line, width and label never change); the live layer maps
// values itself.
const ChartFrameSvg = memo(function ChartFrameSvg({ xMode, x0, x1, yLabel, markers, height }: FrameProps) {
  // The chart is drawn at the measured width of its box (useWidth: the first width comes in its own task, as a
  // transition, so the page's charts do not all mount in one task).
  const [box, width] = useWidth<HTMLDivElement>();
  return (
    // The drawing sits out of the flow (chart-box-drawing, absolute): a fixed-width SVG in the flow would hold the box
    // at its old width when the window narrows, and the box would never be measured smaller.
    <div ref={box} className="chart-box" style={{ height }}>
      {width > 0 && (
        <div className="chart-box-drawing">
          <LineChart width={width} height={height} margin={{ top: 12, right: 28, bottom: 18, left: 4 }} accessibilityLayer={false}>
            <XAxis
              type="number" dataKey="x" domain={[x0, x1]} allowDataOverflow allowDecimals={false} tickFormatter={X_TICK[xMode]} interval={0}
              stroke={AXIS} fontSize={12}
              label={{ value: xMode === 'step' ? 'student step' : 'images seen', position: 'insideBottom', offset: -10, fontSize: 12, fill: AXIS }}
            />
            <YAxis
              type="number" domain={[0, 1]} ticks={[]} tick={false} tickLine={false} allowDataOverflow stroke={AXIS} width={62}
              label={{ value: yLabel, angle: -90, position: 'insideLeft', offset: 2, fontSize: 12, fill: AXIS, style: { textAnchor: 'middle' } }}
            />
            <LiveLayer />
            {markers.map((m) => (
              <ReferenceLine key={m.key} x={m.x} stroke={m.color} strokeDasharray="3 3" strokeOpacity={0.8}
                label={{ value: m.label, position: 'insideTopLeft', fontSize: 10, fill: m.color }} />
            ))}
          </LineChart>
        </div>
      )}
    </div>
  );
}, sameFrameProps);

/**
 * What moves, in recharts' plot area: the y grid, ticks and labels, the horizontal reference lines, and the series as
 * SVG paths with dots on sparse series and run tags at the lines' ends.
 */
function LiveLayer() {
  const { series, dots, y } = useContext(LiveContext);
  const xScale = useXAxisScale();
  const area = usePlotArea();
  if (!xScale || !area) return null;
  const px = (x: number) => xScale(x) ?? 0;
  const span = y.y1 - y.y0 || 1;
  const py = (v: number) => area.y + area.height * (y.y1 - v) / span;
  const clipId = `plot-${area.x}-${area.y}-${area.width}-${area.height}`;
  const format = y.format ?? String;
  return (
    <g className="live-layer">
      <g className="y-axis-live" data-y0={y.y0} data-y1={y.y1}>
        <rect className="plot-area" x={area.x} y={area.y} width={area.width} height={area.height} fill="none" />
        {yTicks(y.y0, y.y1).map((t) => (
          <g key={t} className="y-tick">
            <line x1={area.x} x2={area.x + area.width} y1={py(t)} y2={py(t)} stroke="#e6e8ec" />
            <line x1={area.x - 6} x2={area.x} y1={py(t)} y2={py(t)} stroke={AXIS} />
            <text x={area.x - 8} y={py(t)} dy="0.355em" textAnchor="end" fontSize={12} fill={AXIS}>{format(t)}</text>
          </g>
        ))}
      </g>
      {y.refs.map((r) => (
        <g key={r.key} className="reference-line">
          <line x1={area.x} x2={area.x + area.width} y1={py(r.y)} y2={py(r.y)} stroke="#1f2328" strokeDasharray="6 4" strokeWidth={1.25} />
          <text x={area.x + 5} y={py(r.y) - 5} fontSize={11} fill="#1f2328">{r.label}</text>
        </g>
      ))}
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
        {placeTags(runTags(series), px, py, area).map(({ tag: t, cx, cy, ly }) => {
          // A label moved off its dot (runs ending at the same value) is joined to it by a short leader.
          const moved = Math.abs(ly - cy) > 2;
          return (
            <g key={t.key} className="run-tag" data-moved={moved || undefined}>
              {moved && <line x1={cx} y1={cy} x2={cx + 8} y2={ly} stroke={t.color} strokeWidth={1} />}
              <circle cx={cx} cy={cy} r={3.5} fill={t.color} stroke="#fff" strokeWidth={1} />
              <text x={cx + (moved ? 10 : 6)} y={ly} dy="0.35em" fontSize={11} fontWeight={700} fill="#1f2328">{t.text}</text>
            </g>
          );
        })}
      </g>
    </g>
  );
}

/** Line height of a run tag's label, and the width within which two tags' labels can collide. */
const TAG_GAP_PX = 13;
const TAG_WIDTH_PX = 30;

/** The run tags in pixels, their labels spread apart where they would overlap. */
function placeTags(
  tags: readonly RunTag[], px: (x: number) => number, py: (y: number) => number, area: { y: number; height: number },
): { tag: RunTag; cx: number; cy: number; ly: number }[] {
  const placed = spreadLabels(tags.map((t) => ({ cx: px(t.x), cy: py(t.y) })), TAG_GAP_PX, TAG_WIDTH_PX, area.y + 6, area.y + area.height - 6);
  return placed.map((p, i) => ({ tag: tags[i]!, ...p }));
}
