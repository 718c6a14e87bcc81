// The insight views' data from runs, pure: token-similarity lines per (run, layer), agreement lines per (run, head),
// the latest confusion matrices with per-class accuracy, and attention grids of the sample. Components only render it.
import type { ConfusionSource, EvalPoint, Sample } from '../../workers/protocol';
import { HEAD_STYLE, derivedPoints, distHeadUntrained, runName, type LineSeries, type XY } from '../charts/chartData';
import { runColor, type Run } from '../store/runModel';
import type { Head, XAxisMode } from '../store/viewSlice';

/** DeiT section 4: the learned tokens' cosine, and the tokens' cosine at the last layer, for a trained DeiT-B. */
export const PAPER_TOKEN_COSINE = { params: 0.06, last: 0.93 } as const;

const xOf = (e: EvalPoint, mode: XAxisMode) => (mode === 'step' ? e.step : e.imagesSeen);

/** Layer names: "block 1" ... "block depth", then "final norm". */
export function layerName(layer: number, layers: number): string {
  return layer === layers - 1 ? 'final norm' : `block ${layer + 1}`;
}

/** Why a run's token similarity is not shown (null: it is). */
export function tokenCosineMissing(run: Run): string | null {
  if (!run.config.distToken) return `${runName(run)}: this student has no distillation token`;
  if (distHeadUntrained(run)) return `${runName(run)}: in none mode the distillation token gets no training signal, so its similarity to the class token means nothing`;
  return null;
}

/** The subset evaluations that carry token similarity. */
const cosineEvals = (run: Run) => derivedPoints(run.evals, 'cosine-evals', () => run.evals.filter((e) => e.split === 'subset' && e.tokenCosine));

/** Layers (depth + 1) of a run's token similarity, from its latest point; 0 before the first. */
export function cosineLayers(run: Run): number {
  const pts = cosineEvals(run);
  return pts[pts.length - 1]?.tokenCosine?.layers.length ?? 0;
}

/**
 * One line per (run, layer) over training, lighter for early blocks and darkest for the final norm, plus a dotted line
 * for the learned token parameters; none-mode runs are left out (tokenCosineMissing says why).
 */
export function tokenCosineSeries(runs: readonly Run[], mode: XAxisMode, focusedId: string | null): LineSeries[] {
  const out: LineSeries[] = [];
  for (const run of runs) {
    if (tokenCosineMissing(run)) continue;
    const pts = cosineEvals(run);
    const layers = cosineLayers(run);
    const wide = run.id === focusedId ? 0.5 : 0;
    for (let l = 0; l < layers; l++) {
      const data = derivedPoints(run.evals, `cosine-${l}:${mode}`, () => pts.map((e) => ({ x: xOf(e, mode), y: e.tokenCosine!.layers[l]! })));
      out.push({
        key: `${run.id}:layer-${l}`, runId: run.id, runNumber: run.number, part: `layer-${l}`, name: `${runName(run)} · ${layerName(l, layers)}`,
        color: runColor(run), dash: undefined, width: 1.5 + wide, opacity: 0.3 + (0.7 * (l + 1)) / layers,
        muted: false, count: data.length, data,
      });
    }
    if (layers > 0) {
      const data = derivedPoints(run.evals, `cosine-params:${mode}`, () => pts.map((e) => ({ x: xOf(e, mode), y: e.tokenCosine!.params })));
      out.push({
        key: `${run.id}:params`, runId: run.id, runNumber: run.number, part: 'params', name: `${runName(run)} · token parameters`,
        color: runColor(run), dash: '2 3', width: 1.5 + wide, opacity: 1, muted: false, count: data.length, data,
      });
    }
  }
  return out;
}

/** The latest similarity per layer of each run shown ("now"), with the parameters' cosine. */
export function tokenCosineNow(runs: readonly Run[]): { run: Run; layers: number[]; params: number; step: number }[] {
  return runs.flatMap((run) => {
    if (tokenCosineMissing(run)) return [];
    const last = cosineEvals(run).at(-1);
    return last?.tokenCosine ? [{ run, layers: last.tokenCosine.layers, params: last.tokenCosine.params, step: last.step }] : [];
  });
}

/** Agreement with the teacher's top class (percent) per run and head, none runs included (their baseline). */
export function agreementSeries(runs: readonly Run[], mode: XAxisMode, focusedId: string | null): LineSeries[] {
  const out: LineSeries[] = [];
  for (const run of runs) {
    for (const head of ['fused', 'cls', 'dist'] as Head[]) {
      if (head === 'dist' && !run.config.distToken) continue;
      const muted = head === 'dist' && distHeadUntrained(run);
      const data: XY[] = derivedPoints(run.evals, `agree-${head}:${mode}`, () => run.evals.flatMap((e) => {
        const v = e.split === 'subset' ? e.agreement?.[head] : null;
        return v === null || v === undefined ? [] : [{ x: xOf(e, mode), y: v * 100 }];
      }));
      out.push({
        key: `${run.id}:agree-${head}`, runId: run.id, runNumber: run.number, part: head,
        name: `${runName(run)} · ${HEAD_STYLE[head].label}${muted ? ' (untrained head)' : ''}`,
        color: muted ? '#9aa0a6' : runColor(run), dash: HEAD_STYLE[head].dash,
        width: HEAD_STYLE[head].width + (run.id === focusedId ? 0.5 : 0), opacity: muted ? 0.7 : 1, muted, count: data.length, data,
      });
    }
  }
  return out;
}

/** The latest test evaluation of a run that has confusion matrices. */
export function latestConfusion(run: Run | null): EvalPoint | null {
  if (!run) return null;
  for (let i = run.evals.length - 1; i >= 0; i--) if (run.evals[i]!.confusion) return run.evals[i]!;
  return null;
}

/** Per-class accuracy from confusion counts (rows: true class): diagonal / row sum, null for an empty row. */
export function perClassAccuracy(counts: readonly number[], numClasses: number): (number | null)[] {
  return Array.from({ length: numClasses }, (_, y) => {
    let row = 0;
    for (let k = 0; k < numClasses; k++) row += counts[y * numClasses + k]!;
    return row > 0 ? counts[y * numClasses + y]! / row : null;
  });
}

export const SOURCE_LABEL: Record<ConfusionSource, string> = { fused: 'fused', cls: 'class head', dist: 'distillation head', teacher: 'teacher' };

/**
 * The patch part of a prefix token's attention rows in one layer, as a gridSize^2 grid: one head, or the mean over
 * heads. Also the share of the row that stays on the prefix tokens.
 */
export function attentionGrid(sample: Sample, layer: number, token: 0 | 1, head: number | 'mean'): { grid: number[]; onTokens: number } | null {
  const rows = sample.attention[layer]?.[token];
  if (!rows || rows.length === 0) return null;
  const n = sample.gridSize * sample.gridSize;
  const prefix = rows[0]!.length - n;
  const chosen = head === 'mean' ? rows : [rows[head]!];
  const grid = new Array<number>(n).fill(0);
  let onTokens = 0;
  for (const row of chosen) {
    for (let j = 0; j < prefix; j++) onTokens += row[j]! / chosen.length;
    for (let j = 0; j < n; j++) grid[j]! += row[prefix + j]! / chosen.length;
  }
  return { grid, onTokens };
}

/** Index of the largest value. */
export function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
