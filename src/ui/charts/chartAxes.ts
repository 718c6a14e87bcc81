// The numeric axis ranges of a line chart, computed from its series rather than by recharts from line data: the lines
// are drawn outside recharts' data flow (SeriesChart), and a range rounded to a "nice" step stays the same while
// points arrive, so the recharts frame (axes, grid, reference lines) re-renders only when a line crosses a step.
import type { LineSeries, TeacherLine } from './chartData';

/** One end of the y range: a number, or 'auto' (the data's extent rounded outwards to a nice step). */
export type DomainEnd = number | 'auto';

/** The nice step for a span: 1, 2, 2.5 or 5 times a power of ten, at least `span / ticks` (4-6 ticks). */
export function niceStep(span: number, ticks = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const nice = unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10;
  return nice * power;
}

/** Drops float noise from a multiple of a step (0.30000000000000004 -> 0.3), and turns -0 into 0. */
const clean = (v: number) => Number(v.toPrecision(12)) || 0;

/**
 * The y range [low, high] for a spec: fixed ends stay, 'auto' ends take the extent of the points, the reference lines
 * (which extend the range, as recharts' ifOverflow="extendDomain" did) and the `include` values (where a line is
 * expected to go, so the range is right before the first point), rounded outwards to a nice step. Without any value
 * an 'auto' end falls back to 0 and 1.
 */
export function yRange(series: readonly LineSeries[], spec: readonly [DomainEnd, DomainEnd], refs: readonly TeacherLine[] = [], include: readonly number[] = []): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const p of s.data) {
      if (!Number.isFinite(p.y)) continue;
      if (p.y < lo) lo = p.y;
      if (p.y > hi) hi = p.y;
    }
  }
  for (const y of [...refs.map((r) => r.y), ...include]) {
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  }
  const [lowSpec, highSpec] = spec;
  if (lo > hi) {
    const low = typeof lowSpec === 'number' ? lowSpec : 0;
    return [low, typeof highSpec === 'number' ? highSpec : Math.max(1, low + 1)];
  }
  const low0 = typeof lowSpec === 'number' ? lowSpec : lo;
  const high0 = typeof highSpec === 'number' ? highSpec : hi;
  const step = niceStep(high0 - low0 || Math.abs(high0) || 1);
  const low = typeof lowSpec === 'number' ? lowSpec : clean(Math.floor(lo / step) * step);
  let high = typeof highSpec === 'number' ? highSpec : clean(Math.ceil(hi / step) * step);
  if (high <= low) high = clean(low + step);
  return [low, high];
}

/** The x range: from 0 to the planned end of the runs (xEnd) or the last point, whichever is further. */
export function xRange(series: readonly LineSeries[], xEnd: number): [number, number] {
  let hi = xEnd;
  for (const s of series) {
    const last = s.data[s.data.length - 1];
    if (last && last.x > hi) hi = last.x;
  }
  return [0, hi > 0 ? hi : 1];
}

/** Tick values for a y range: the multiples of its nice step inside it (0, 20, 40 ... 100; -0.5, 0, 0.5, 1). */
export function yTicks(low: number, high: number): number[] {
  const step = niceStep(high - low);
  const ticks: number[] = [];
  for (let k = Math.ceil(low / step - 1e-9); k * step <= high + step * 1e-9; k++) ticks.push(clean(k * step));
  return ticks;
}
