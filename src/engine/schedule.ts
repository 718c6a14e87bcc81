// Learning-rate schedule: linear warm-up to the peak, then cosine decay to a floor (as DeiT/timm's warm-up + cosine).

export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of warm-up. */
  lr: number;
  /** Steps of linear warm-up; 0 starts at the peak. */
  warmupSteps: number;
  /** Step at which the cosine reaches its floor; later steps stay at the floor. */
  totalSteps: number;
  /** The floor as a fraction of `lr` (DeiT's `min_lr` / `lr`). */
  minLrRatio: number;
}

/**
 * The learning rate for a 0-based optimizer step. Pure: the worker calls it every step, so a live change of
 * `lr` only needs a new `opts`.
 *
 * - Warm-up, `step` in [0, warmupSteps): `lr * (step + 1) / warmupSteps`. The `+ 1` makes the very first
 *   update non-zero (a step at lr 0 would be wasted), so the last warm-up step already reaches `lr`.
 * - Decay, `step` in [warmupSteps, totalSteps): half a cosine from `lr` at `warmupSteps` down to
 *   `lr * minLrRatio` at `totalSteps`; its midpoint is `(lr + minLr) / 2`.
 * - `step >= totalSteps`: clamped to `lr * minLrRatio`. The end wins over warm-up, so when
 *   `warmupSteps >= totalSteps` the whole run is warm-up and the cosine never starts.
 *
 * Negative steps are treated as step 0.
 */
export function learningRateAt(step: number, opts: ScheduleOptions): number {
  const { lr, warmupSteps, totalSteps, minLrRatio } = opts;
  const minLr = lr * minLrRatio;
  const s = Math.max(0, step);
  if (s >= totalSteps) return minLr;
  if (s < warmupSteps) return (lr * (s + 1)) / warmupSteps;
  // Here warmupSteps <= s < totalSteps, so the decay span is at least 1.
  const progress = (s - warmupSteps) / (totalSteps - warmupSteps);
  return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
