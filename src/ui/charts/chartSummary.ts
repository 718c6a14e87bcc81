// What a chart shows, as text: the accessible summary of each chart (its latest values, in words) and the run-number
// tags drawn at the end of each run's line, so that runs can be told apart without their colours. Pure.
import { formatInt } from '../format';
import type { XAxisMode } from '../store/viewSlice';
import type { LineSeries, TeacherLine } from './chartData';

/** Where a point sits on the x axis, in words: "step 12" or "96 images". */
export function xText(x: number, mode: XAxisMode): string {
  return mode === 'step' ? `step ${formatInt(x)}` : `${formatInt(x)} images`;
}

/**
 * The chart's text alternative: what it plots against what, then each drawn line's latest value and where it was
 * reached, then the reference lines. Lines without points yet are counted as waiting, not listed.
 * E.g. "Accuracy by student step, 2 lines. Latest: #1 soft τ=3 α=0.5 · fused 45.0% at step 12; … Teacher 90.6%."
 */
export function chartSummary(
  title: string, series: readonly LineSeries[], formatY: (y: number) => string, mode: XAxisMode, refs: readonly TeacherLine[] = [],
): string {
  const against = mode === 'step' ? 'student step' : 'images seen';
  const drawn = series.filter((s) => s.data.length > 0);
  const lines = `${series.length} line${series.length === 1 ? '' : 's'}`;
  if (drawn.length === 0) return `${title} by ${against}: ${series.length === 0 ? 'no lines shown' : `${lines}, no points yet`}.`;
  const latest = drawn.map((s) => {
    const last = s.data[s.data.length - 1]!;
    return `${s.name} ${formatY(last.y)} at ${xText(last.x, mode)}`;
  });
  const waiting = series.length - drawn.length;
  const parts = [`${title} by ${against}, ${lines}. Latest: ${latest.join('; ')}.`];
  if (waiting > 0) parts.push(`${waiting} line${waiting === 1 ? '' : 's'} without points yet.`);
  if (refs.length > 0) parts.push(`Reference: ${refs.map((r) => r.label).join(', ')}.`);
  return parts.join(' ');
}

export interface RunTag {
  key: string;
  x: number;
  y: number;
  /** "#2": the run's number, as in the legend, the table and the summary. */
  text: string;
  color: string;
}

/**
 * One tag per run at the last point of its first drawn line (the lines of a run share a colour, and runs differ by
 * colour only otherwise). Only with two runs or more: a single run needs no telling apart.
 */
export function runTags(series: readonly LineSeries[]): RunTag[] {
  const first = new Map<string, LineSeries>();
  for (const s of series) if (s.data.length > 0 && !first.has(s.runId)) first.set(s.runId, s);
  if (first.size < 2) return [];
  return [...first.values()].map((s) => {
    const last = s.data[s.data.length - 1]!;
    return { key: `tag-${s.runId}`, x: last.x, y: last.y, text: `#${s.runNumber}`, color: s.color };
  });
}

/** A tag's place in pixels: its dot (cx, cy) and its label's vertical centre (ly). */
export interface PlacedTag {
  cx: number;
  cy: number;
  ly: number;
}

/**
 * Moves the labels of tags that would overlap apart vertically, each at least `gap` pixels from its neighbours and
 * as close to its dot as that allows (overlapping labels form a block centred on their dots' mean), kept inside
 * [top, bottom] where there is room. Tags whose dots are `width` pixels apart or more horizontally do not collide.
 * Runs that end at the same value (the same step, the same accuracy) would otherwise print their numbers over one
 * another. Returns the tags in their input order.
 */
export function spreadLabels(dots: readonly { cx: number; cy: number }[], gap: number, width: number, top: number, bottom: number): PlacedTag[] {
  const placed: PlacedTag[] = dots.map((d) => ({ cx: d.cx, cy: d.cy, ly: d.cy }));
  // Columns: dots chained less than `width` apart horizontally.
  const byX = [...placed].sort((a, b) => a.cx - b.cx);
  const columns: PlacedTag[][] = [];
  for (const t of byX) {
    const col = columns.at(-1);
    if (col && t.cx - col.at(-1)!.cx < width) col.push(t);
    else columns.push([t]);
  }
  for (const col of columns) {
    col.sort((a, b) => a.cy - b.cy);
    // Blocks of labels stacked `gap` apart; a block sits centred on its members' dots, and merges with the block
    // above while they overlap (the least total displacement for labels in a fixed order).
    const blocks: { tags: PlacedTag[]; y: number }[] = [];
    for (const t of col) {
      blocks.push({ tags: [t], y: t.cy });
      for (;;) {
        const b = blocks.at(-1)!;
        const a = blocks.at(-2);
        if (!a || a.y + a.tags.length * gap <= b.y) break;
        const tags = [...a.tags, ...b.tags];
        const mean = tags.reduce((s, x, i) => s + x.cy - i * gap, 0) / tags.length;
        blocks.splice(-2, 2, { tags, y: mean });
      }
    }
    for (const b of blocks) {
      const height = (b.tags.length - 1) * gap;
      const y = height > bottom - top ? top : Math.min(Math.max(b.y, top), bottom - height);
      b.tags.forEach((t, i) => { t.ly = y + i * gap; });
    }
    // Clamping can push a block into its neighbour: restack downwards, then upwards from the bottom.
    for (let i = 1; i < col.length; i++) col[i]!.ly = Math.max(col[i]!.ly, col[i - 1]!.ly + gap);
    for (let i = col.length - 1; i >= 0; i--) {
      const below = i + 1 < col.length ? col[i + 1]!.ly - gap : bottom;
      col[i]!.ly = Math.max(top, Math.min(col[i]!.ly, below));
    }
  }
  return placed;
}
