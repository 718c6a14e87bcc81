// Number formatting for labels, metric cards, tables and the temperature explainer (pure, locale-independent).

/** An accuracy in [0, 1] as a percentage with one decimal ("63.2%"); an em dash when missing. */
export function formatPct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

/**
 * A probability for the explainer: fixed 4 decimals when it is readable that way, scientific notation for tiny
 * values so that 1.39e-11 does not read as 0.0000.
 */
export function formatProb(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p === 0) return '0';
  if (p >= 1e-4) return p.toFixed(4);
  return p.toExponential(2);
}

/**
 * An entropy in nats for the explainer: two decimals from 0.01 on, two significant digits below, so that a confident
 * teacher's 0.0037 nats at T = 3 does not read as the 0.00 of T = 1.
 */
export function formatNats(h: number): string {
  if (!Number.isFinite(h)) return String(h);
  if (h <= 0) return '0';
  if (h >= 0.01) return h.toFixed(2);
  return h >= 1e-4 ? h.toPrecision(2) : h.toExponential(1);
}

/** Integers with thousands separators ("5,356,052"), independent of the browser locale. */
export function formatInt(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const s = Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** Large counts compactly: 205844 -> "206 k", 5356052 -> "5.36 M", 283e6 -> "283 M". */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  const units: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, unit] of units) {
    if (abs >= scale) {
      const v = n / scale;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
    }
  }
  return String(Math.round(n));
}

/** Two decimals (alpha, weight decay): one module-level function, so memoised controls see the same formatter. */
export const twoDecimals = (v: number): string => v.toFixed(2);

/** A hyperparameter as typed by a person: 0.003 -> "3e-3" only when shorter, 3 -> "3", 0.5 -> "0.5". */
export function formatParam(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const plain = String(Number(x.toPrecision(6)));
  if (x !== 0 && Math.abs(x) < 1e-2) {
    const [m, e] = x.toExponential().split('e');
    const sci = `${Number(Number(m).toPrecision(6))}e${Number(e)}`;
    if (sci.length < plain.length) return sci;
  }
  return plain;
}

/** A loss value with 3-4 significant digits. */
export function formatLoss(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** An estimate, rounded as a person would say it: "about 40 s", "about 3 min", "about 1 h 20 min". */
export function formatTimeLeft(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `about ${Math.max(5, Math.round(s / 5) * 5)} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `about ${min} min`;
  return `about ${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/** Milliseconds as "42 s", "3 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}
