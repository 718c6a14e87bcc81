// Slider scales: a linear <input type="range"> over a list of stops, so log-scale parameters (tau, lr) and
// powers of two (batch) move in even visual steps while every stop is a round number a person would type.

/**
 * Round numbers between min and max on a log scale: each decade contributes `mantissas` x 10^k.
 * niceLogStops(0.5, 20, [1, 1.5, 2, 3, 4, 5, 7]) -> [0.5, 0.7, 1, 1.5, 2, 3, 4, 5, 7, 10, 15, 20].
 */
export function niceLogStops(min: number, max: number, mantissas: readonly number[]): number[] {
  if (!(min > 0) || !(max > min)) throw new RangeError(`need 0 < min < max, got ${min}, ${max}`);
  const stops = new Set<number>([min, max]);
  for (let k = Math.floor(Math.log10(min)) - 1; k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** k).toPrecision(6));
      if (v >= min && v <= max) stops.add(v);
    }
  }
  return [...stops].sort((a, b) => a - b);
}

/** The index of the stop nearest to `value` (in log distance when every stop is positive). */
export function nearestStop(stops: readonly number[], value: number): number {
  const useLog = stops.length > 0 && stops.every((s) => s > 0) && value > 0;
  const dist = (s: number) => (useLog ? Math.abs(Math.log(s) - Math.log(value)) : Math.abs(s - value));
  let best = 0;
  for (let i = 1; i < stops.length; i++) if (dist(stops[i]!) < dist(stops[best]!)) best = i;
  return best;
}

/** The value at a slider position, clamped to the ends. */
export function stopAt(stops: readonly number[], position: number): number {
  if (stops.length === 0) throw new RangeError('no stops');
  const i = Math.min(stops.length - 1, Math.max(0, Math.round(position)));
  return stops[i]!;
}

/** Evenly spaced stops for linear parameters (alpha in 0.05 steps, weight decay in 0.01 steps). */
export function linearStops(min: number, max: number, step: number): number[] {
  const n = Math.round((max - min) / step);
  return Array.from({ length: n + 1 }, (_, i) => Number((min + i * step).toPrecision(10)));
}

export const TAU_STOPS = niceLogStops(0.5, 20, [1, 1.5, 2, 3, 4, 5, 7]);
export const LR_STOPS = niceLogStops(1e-5, 1, [1, 2, 3, 5]);
export const ALPHA_STOPS = linearStops(0, 1, 0.05);
export const WEIGHT_DECAY_STOPS = linearStops(0, 0.5, 0.01);
export const BATCH_STOPS = [8, 16, 32, 64, 128, 256, 512];
