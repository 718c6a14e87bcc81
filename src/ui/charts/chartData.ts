// Chart data from runs, pure: one line series per (run, head) or (run, loss part), teacher reference lines and
// live-change markers, with colour per run and a dash style per head. The chart components only render this.
import { totalSteps } from '../../engine/config';
import type { EvalPoint, MetricsPoint } from '../../workers/protocol';
import { runColor, runLabel, type Run } from '../store/runModel';
import type { Head, LossPart, XAxisMode } from '../store/viewSlice';

export interface XY {
  x: number;
  y: number;
}

export interface LineSeries {
  /** Unique and stable: "run-2:fused". */
  key: string;
  runId: string;
  /** The run's number ("#2" in the legend, the table and the run tags drawn on the chart). */
  runNumber: number;
  /** What it is, for the legend and the screen-reader summary: "#2 soft τ=3 α=0.5 · fused". */
  name: string;
  part: string;
  color: string;
  dash: string | undefined;
  width: number;
  opacity: number;
  /** The head gets no training signal (distillation token in 'none' mode). */
  muted: boolean;
  /** Points held for the run (before decimation). */
  count: number;
  data: XY[];
}

export const HEAD_STYLE: Record<Head, { label: string; dash: string | undefined; width: number }> = {
  fused: { label: 'fused', dash: undefined, width: 2.5 },
  cls: { label: 'class token', dash: '8 4', width: 1.75 },
  dist: { label: 'distillation token', dash: '2 3', width: 1.75 },
};

export const LOSS_STYLE: Record<LossPart, { label: string; dash: string | undefined; width: number }> = {
  total: { label: 'total', dash: undefined, width: 2.5 },
  base: { label: 'base CE', dash: '8 4', width: 1.75 },
  distill: { label: 'distillation term', dash: '2 3', width: 1.75 },
};

const MUTED_COLOR = '#9aa0a6';

/** At most `max` points, evenly strided, always keeping the last one (a path's cost grows with its points). */
export function decimate<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return points.slice();
  const stride = Math.ceil(points.length / max);
  const out: T[] = [];
  for (let i = 0; i < points.length; i += stride) out.push(points[i]!);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}

const xOf = (p: Pick<EvalPoint | MetricsPoint, 'step' | 'imagesSeen'>, mode: XAxisMode) => (mode === 'step' ? p.step : p.imagesSeen);

/**
 * Arrays derived from a run's evals or metrics (point arrays, the decimated metrics), cached on the source array: the
 * store replaces a run's arrays when points arrive (never mutates them), so an unchanged source gives the very same
 * result back. The charts compare series data by identity (sameSeries) and skip re-rendering when nothing
 * they draw changed; `key` must name everything the result depends on besides the source.
 */
const derived = new WeakMap<readonly object[], Map<string, unknown>>();

export function derivedPoints<T = XY[]>(source: readonly object[], key: string, build: () => T): T {
  let byKey = derived.get(source);
  if (!byKey) derived.set(source, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, build());
  return byKey.get(key) as T;
}

/** A run's metrics decimated to at most `maxPoints`, once per metrics array (shared by the loss parts and throughput). */
const decimatedMetrics = (run: Run, maxPoints: number): MetricsPoint[] =>
  derivedPoints(run.metrics, `decimated:${maxPoints}`, () => decimate(run.metrics, maxPoints));

export function runName(run: Run): string {
  return `#${run.number} ${runLabel(run.config)}`;
}

/** The distillation head never got a gradient: the student has one, the run is in 'none' mode and was never switched live. */
export function distHeadUntrained(run: Run): boolean {
  return run.config.distToken && run.config.distillation === 'none' && run.live.distillation === 'none' && run.markers.every((m) => m.patch.distillation === undefined);
}

/** What the distillation-token metric and line read for a student without that token (never 0, never blank). */
export const NO_DIST_TOKEN = 'no distillation token';

/** An accuracy line's label: without the distillation token, fused is the class head and the dist line has no points. */
export function headLabel(run: Run, head: Head): string {
  if (run.config.distToken) return HEAD_STYLE[head].label;
  if (head === 'dist') return NO_DIST_TOKEN;
  return head === 'fused' ? 'fused (= class token: no distillation token)' : HEAD_STYLE[head].label;
}

/** A loss part's label: both terms are on the class head when the student has no distillation token. */
export function lossPartLabel(run: Run, part: LossPart): string {
  if (run.config.distToken || part === 'total') return LOSS_STYLE[part].label;
  return `${LOSS_STYLE[part].label} (class head)`;
}

/** Class-token, distillation-token and fused accuracy (percent) on the evaluation subset, per run and head. */
export function accuracySeries(runs: readonly Run[], heads: Record<Head, boolean>, mode: XAxisMode, focusedId: string | null): LineSeries[] {
  const out: LineSeries[] = [];
  const fields: Record<Head, 'clsAcc' | 'distAcc' | 'fusedAcc'> = { cls: 'clsAcc', dist: 'distAcc', fused: 'fusedAcc' };
  for (const run of runs) {
    for (const head of ['fused', 'cls', 'dist'] as Head[]) {
      if (!heads[head]) continue;
      const muted = head === 'dist' && distHeadUntrained(run);
      const data = derivedPoints(run.evals, `${head}:${mode}`, () => {
        const pts: XY[] = [];
        for (const e of run.evals) {
          const v = e[fields[head]];
          if (e.split === 'subset' && v !== null && Number.isFinite(v)) pts.push({ x: xOf(e, mode), y: v * 100 });
        }
        return pts;
      });
      out.push({
        key: `${run.id}:${head}`, runId: run.id, runNumber: run.number, part: head,
        name: `${runName(run)} · ${headLabel(run, head)}${muted ? ' (untrained head)' : ''}`,
        color: muted ? MUTED_COLOR : runColor(run), dash: HEAD_STYLE[head].dash,
        width: HEAD_STYLE[head].width + (run.id === focusedId ? 0.5 : 0),
        opacity: muted ? 0.7 : 1, muted, count: data.length, data,
      });
    }
  }
  return out;
}

/** Loss parts per run (training loss, mean over the steps between log points). */
export function lossSeries(runs: readonly Run[], parts: Record<LossPart, boolean>, mode: XAxisMode, focusedId: string | null, maxPoints = 400): LineSeries[] {
  const out: LineSeries[] = [];
  for (const run of runs) {
    for (const part of ['total', 'base', 'distill'] as LossPart[]) {
      if (!parts[part]) continue;
      // Without distillation the distillation term is identically zero: not worth a line.
      if (part === 'distill' && distHeadUntrained(run)) continue;
      const data = derivedPoints(run.metrics, `loss-${part}:${mode}:${maxPoints}`, () =>
        decimatedMetrics(run, maxPoints).filter((p) => Number.isFinite(p.loss[part])).map((p) => ({ x: xOf(p, mode), y: p.loss[part] })));
      out.push({
        key: `${run.id}:${part}`, runId: run.id, runNumber: run.number, part, name: `${runName(run)} · ${lossPartLabel(run, part)}`,
        color: runColor(run), dash: LOSS_STYLE[part].dash, width: LOSS_STYLE[part].width + (run.id === focusedId ? 0.5 : 0),
        opacity: 1, muted: false, count: run.metrics.length, data,
      });
    }
  }
  return out;
}

/** Training throughput in images per second, per run. */
export function throughputSeries(runs: readonly Run[], mode: XAxisMode, focusedId: string | null, maxPoints = 400): LineSeries[] {
  return runs.map((run) => {
    const data = derivedPoints(run.metrics, `throughput:${mode}:${maxPoints}`, () => decimatedMetrics(run, maxPoints)
      .filter((p) => Number.isFinite(p.imagesPerSec))
      .map((p) => ({ x: xOf(p, mode), y: p.imagesPerSec })));
    return {
      key: `${run.id}:throughput`, runId: run.id, runNumber: run.number, part: 'throughput', name: `${runName(run)} · images/s`,
      color: runColor(run), dash: undefined, width: run.id === focusedId ? 2.5 : 1.75, opacity: 1, muted: false,
      count: run.metrics.length, data,
    };
  });
}

/** Two series lists draw the same lines: same keys and styles, and the same point arrays (by identity). */
export function sameSeries(a: readonly LineSeries[], b: readonly LineSeries[]): boolean {
  return a.length === b.length && a.every((s, i) => {
    const t = b[i]!;
    return s.key === t.key && s.data === t.data && s.color === t.color && s.dash === t.dash && s.width === t.width && s.opacity === t.opacity && s.name === t.name;
  });
}

/** Two lists of plain records with the same values, field by field (reference and marker lines). */
export function sameRecords<T extends object>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((r, i) => {
    const o = b[i]! as Record<string, unknown>;
    const keys = Object.keys(r);
    return keys.length === Object.keys(o).length && keys.every((k) => (r as Record<string, unknown>)[k] === o[k]);
  });
}

/**
 * Where the x axis ends: the planned length of the longest run shown (student steps, or the images they see), so a
 * run in progress is drawn against its whole length rather than stretched over what it has done so far.
 */
export function xAxisEnd(runs: readonly Run[], mode: XAxisMode): number {
  let end = 0;
  for (const run of runs) {
    const steps = totalSteps(run.config);
    end = Math.max(end, mode === 'step' ? steps : steps * run.config.batchSize);
  }
  return end;
}

export interface MarkerLine {
  key: string;
  x: number;
  color: string;
  label: string;
}

export function markerLines(runs: readonly Run[], mode: XAxisMode): MarkerLine[] {
  return runs.flatMap((run) => run.markers.map((m, i) => ({
    key: `${run.id}:m${i}`, x: mode === 'step' ? m.step : m.imagesSeen, color: runColor(run), label: m.label,
  })));
}

export interface TeacherLine {
  key: string;
  /** Percent. */
  y: number;
  label: string;
}

/** The teacher's accuracy on the evaluation subset, one line per distinct value among the runs shown. */
export function teacherLines(runs: readonly Run[]): TeacherLine[] {
  const seen = new Map<string, TeacherLine>();
  for (const run of runs) {
    const acc = [...run.evals].reverse().find((e) => e.split === 'subset' && e.teacherAcc !== null)?.teacherAcc ?? run.teacher?.evalAccuracy;
    if (acc === undefined || acc === null) continue;
    const y = acc * 100;
    const k = y.toFixed(1);
    if (!seen.has(k)) seen.set(k, { key: `teacher-${k}`, y, label: `teacher ${k}%` });
  }
  return [...seen.values()];
}

/** The runs the charts show: not hidden, and started (queued runs have no data). */
export function chartRuns(runs: Record<string, Run>, order: readonly string[], hidden: Record<string, boolean>): Run[] {
  return order.map((id) => runs[id]).filter((r): r is Run => r !== undefined && r.status !== 'queued' && !hidden[r.id]);
}
