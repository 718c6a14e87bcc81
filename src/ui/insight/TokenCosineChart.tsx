// Token similarity by layer: cos(class token, distillation token) after each block and the final norm, over training
// (one line per layer, darker for later layers) and "now" per layer, against the paper's 0.06 and 0.93.
import { memo, useMemo } from 'react';
import { STUDENT_PRESETS } from '../../engine/config';
import { useInsightRuns } from '../hooks/useChartRuns';
import { runColor } from '../store/runModel';
import { ChartFrame } from '../charts/ChartFrame';
import { SeriesChart } from '../charts/SeriesChart';
import type { TeacherLine } from '../charts/chartData';
import { cosineLayers, layerName, PAPER_TOKEN_COSINE, tokenCosineMissing, tokenCosineNow, tokenCosineSeries } from './insightData';

const REFS: TeacherLine[] = [
  { key: 'paper-params', y: PAPER_TOKEN_COSINE.params, label: `paper: learned tokens ${PAPER_TOKEN_COSINE.params}` },
  { key: 'paper-last', y: PAPER_TOKEN_COSINE.last, label: `paper: last layer ${PAPER_TOKEN_COSINE.last}` },
];
const cosTick = (v: number) => v.toFixed(1);

export function TokenCosineChart() {
  const { visible, focused, xAxis, xEnd } = useInsightRuns();
  const series = useMemo(() => tokenCosineSeries(visible, xAxis, focused?.id ?? null), [visible, xAxis, focused]);
  const now = useMemo(() => tokenCosineNow(visible), [visible]);
  const missing = visible.map(tokenCosineMissing).filter((m): m is string => m !== null);
  // Depth + 1 (each block and the final norm), from the focused run's student.
  const layers = focused ? STUDENT_PRESETS[focused.config.student].depth + 1 : 0;
  const empty = missing.length > 0 && series.length === 0
    ? `Nothing to show: ${missing.join('; ')}.`
    : 'Token similarity appears after the first evaluation of a run with a distillation token.';
  return (
    <ChartFrame
      testId="chart-token-cosine"
      title="Class and distillation tokens: similarity by layer"
      className="chart-wide"
      description={<>
        Mean cosine of the two tokens over the first evaluation images, after each block (lighter) and after the final
        norm (darkest); dotted: the learned token parameters themselves. DeiT reports {PAPER_TOKEN_COSINE.params} for the
        parameters and {PAPER_TOKEN_COSINE.last} at the last layer: the tokens start apart and converge, yet stay distinct.
        {missing.length > 0 && series.length > 0 && <span className="muted"> Not shown: {missing.join('; ')}.</span>}
      </>}
      series={series}
      runs={visible.filter((r) => !tokenCosineMissing(r))}
      data={{ layers, 'points-layers': focused ? cosineLayers(focused) : 0, 'focused-run': focused?.id ?? '', runs: now.length }}
      empty={empty}
      xMode={xAxis}
      refs={REFS}
      formatY={(y) => y.toFixed(3)}
    >
      <div className="cosine-body">
        <div className="cosine-lines">
          <SeriesChart series={series} xMode={xAxis} xEnd={xEnd} yDomain={[-1, 1]} yTickFormat={cosTick} yLabel="cosine" refs={REFS} height={260} dots />
        </div>
        <CosineNow now={now} />
      </div>
    </ChartFrame>
  );
}

const W = 220;
const H = 200;
const PAD = { l: 30, r: 8, t: 10, b: 34 };

/** "Now": the latest cosine per layer of each run, as a small SVG (no recharts: it changes once per evaluation). */
const CosineNow = memo(function CosineNow({ now }: { now: ReturnType<typeof tokenCosineNow> }) {
  const layers = Math.max(0, ...now.map((n) => n.layers.length));
  if (layers === 0) return <div className="cosine-now" />;
  const min = Math.min(0, ...now.flatMap((n) => [...n.layers, n.params]));
  const x = (l: number) => PAD.l + ((l + 1) * (W - PAD.l - PAD.r)) / (layers + 1); // l = -1: the token parameters
  const y = (v: number) => PAD.t + ((1 - v) * (H - PAD.t - PAD.b)) / (1 - min);
  return (
    <div className="cosine-now" data-testid="token-cosine-now">
      <svg width={W} height={H} role="img" aria-label="Latest cosine per layer">
        {[PAPER_TOKEN_COSINE.params, PAPER_TOKEN_COSINE.last].map((v) => (
          <line key={v} x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} stroke="#1f2328" strokeDasharray="6 4" strokeWidth={1} />
        ))}
        {[min, 0, 0.5, 1].filter((v, i, a) => a.indexOf(v) === i).map((v) => (
          <text key={v} x={PAD.l - 4} y={y(v) + 4} fontSize={10} textAnchor="end" fill="#5f6670">{v.toFixed(1)}</text>
        ))}
        {Array.from({ length: layers + 1 }, (_, i) => i - 1).map((l) => (
          <text key={l} x={x(l)} y={H - PAD.b + 14} fontSize={10} textAnchor="middle" fill="#5f6670">
            {l < 0 ? 'tok' : l === layers - 1 ? 'norm' : l + 1}
          </text>
        ))}
        <text x={(W + PAD.l) / 2} y={H - 4} fontSize={10} textAnchor="middle" fill="#5f6670">layer (now)</text>
        {now.map(({ run, layers: ls, params }) => {
          const pts = [params, ...ls].map((v, i) => `${x(i - 1)},${y(v)}`).join(' ');
          return (
            <g key={run.id} data-run-id={run.id} data-layers={ls.length}>
              <polyline points={pts} fill="none" stroke={runColor(run)} strokeWidth={1.75} />
              {[params, ...ls].map((v, i) => (
                <circle key={i} cx={x(i - 1)} cy={y(v)} r={3} fill={runColor(run)}>
                  <title>{`#${run.number} ${i === 0 ? 'token parameters' : layerName(i - 1, ls.length)}: ${v.toFixed(3)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
    </div>
  );
});
