// Temperature-scaled softmax for the explainer, computed on the main thread in float64 (no tfjs here).

/**
 * softmax(z / T) with the log-sum-exp shift: subtracting max(z / T) keeps every exponent <= 0, so large logits
 * (30 at T = 0.5 gives e^60) cannot overflow and the result always sums to 1.
 */
export function softmaxT(logits: readonly number[], temperature: number): number[] {
  if (logits.length === 0) return [];
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`temperature must be a positive finite number, got ${temperature}`);
  const scaled = logits.map((z) => z / temperature);
  const m = Math.max(...scaled);
  const exps = scaled.map((s) => Math.exp(s - m));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Shannon entropy in nats: 0 for a one-hot distribution, ln(K) for a uniform one. */
export function entropy(probs: readonly number[]): number {
  let h = 0;
  for (const p of probs) if (p > 0) h -= p * Math.log(p);
  return h;
}

/**
 * Parses a comma- or space-separated list of logits ("30, 5, 2, 2"). Returns null when any entry is not a finite
 * number or there are fewer than 2 or more than 20 of them.
 */
export function parseLogits(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length < 2 || parts.length > 20) return null;
  const values: number[] = [];
  for (const p of parts) {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(p)) return null;
    const v = Number(p);
    if (!Number.isFinite(v) || Math.abs(v) > 1e6) return null;
    values.push(v);
  }
  return values;
}
