// Formatting helpers: percentages, probabilities (scientific for tiny values), integers, parameters, durations.
import { describe, expect, it } from 'vitest';
import { formatCompact, formatDuration, formatInt, formatLoss, formatNats, formatParam, formatPct, formatProb, formatTimeLeft } from './format';
import { BATCH_STOPS, LR_STOPS, TAU_STOPS, linearStops, nearestStop, niceLogStops, stopAt } from './sliderScale';

describe('format', () => {
  it('formats accuracies as percentages, missing as a dash', () => {
    expect(formatPct(0.6321)).toBe('63.2%');
    expect(formatPct(1)).toBe('100.0%');
    expect(formatPct(null)).toBe('—');
    expect(formatPct(Number.NaN)).toBe('—');
  });

  it('writes tiny probabilities in scientific notation', () => {
    expect(formatProb(0.99999999998)).toBe('1.0000');
    expect(formatProb(1.3887943864771144e-11)).toBe('1.39e-11');
    expect(formatProb(0.00012)).toBe('0.0001');
    expect(formatProb(0.00009)).toBe('9.00e-5');
    expect(formatProb(0)).toBe('0');
  });

  it('writes small entropies with significant digits, not as 0.00', () => {
    expect(formatNats(Math.log(4))).toBe('1.39');
    expect(formatNats(0.01)).toBe('0.01');
    expect(formatNats(0.0037149)).toBe('0.0037');
    expect(formatNats(3.7e-10)).toBe('3.7e-10');
    expect(formatNats(0)).toBe('0');
  });

  it('groups thousands and compacts large counts', () => {
    expect(formatInt(5356052)).toBe('5,356,052');
    expect(formatInt(-1234.4)).toBe('-1,234');
    expect(formatCompact(205844)).toBe('206 k');
    expect(formatCompact(5356052)).toBe('5.36 M');
    expect(formatCompact(282868992)).toBe('283 M');
    expect(formatCompact(950)).toBe('950');
  });

  it('writes hyperparameters the way a person types them', () => {
    expect(formatParam(3e-3)).toBe('3e-3');
    expect(formatParam(1e-5)).toBe('1e-5');
    expect(formatParam(0.05)).toBe('0.05');
    expect(formatParam(3)).toBe('3');
    expect(formatParam(0.5)).toBe('0.5');
    expect(formatParam(0.1 + 0.2)).toBe('0.3');
  });

  it('formats losses and durations', () => {
    expect(formatLoss(1.23456)).toBe('1.23');
    expect(formatLoss(undefined)).toBe('—');
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    // Estimates are rounded as said aloud, never to false precision.
    expect(formatTimeLeft(1_200)).toBe('about 5 s');
    expect(formatTimeLeft(42_400)).toBe('about 40 s');
    expect(formatTimeLeft(185_000)).toBe('about 3 min');
    expect(formatTimeLeft(3_600_000)).toBe('about 1 h');
    expect(formatTimeLeft(4_830_000)).toBe('about 1 h 21 min');
    expect(formatTimeLeft(Number.NaN)).toBe('—');
  });
});

describe('slider scales', () => {
  it('puts round numbers on the log scales, ends included', () => {
    expect(TAU_STOPS).toEqual([0.5, 0.7, 1, 1.5, 2, 3, 4, 5, 7, 10, 15, 20]);
    expect(LR_STOPS[0]).toBe(1e-5);
    expect(LR_STOPS.at(-1)).toBe(1);
    expect(LR_STOPS).toContain(3e-3);
    expect(LR_STOPS).toContain(1e-3);
    expect(niceLogStops(0.5, 20, [1]).every((v, i, a) => i === 0 || v > a[i - 1]!)).toBe(true);
  });

  it('maps values to the nearest stop in log distance and back', () => {
    expect(stopAt(TAU_STOPS, nearestStop(TAU_STOPS, 3))).toBe(3);
    expect(stopAt(TAU_STOPS, nearestStop(TAU_STOPS, 2.6))).toBe(3);
    expect(stopAt(TAU_STOPS, nearestStop(TAU_STOPS, 100))).toBe(20);
    expect(stopAt(BATCH_STOPS, nearestStop(BATCH_STOPS, 100))).toBe(128);
    expect(stopAt(TAU_STOPS, -5)).toBe(0.5);
    expect(stopAt(TAU_STOPS, 99)).toBe(20);
  });

  it('builds linear stops without float drift', () => {
    expect(linearStops(0, 1, 0.05)).toHaveLength(21);
    expect(linearStops(0, 1, 0.05)[7]).toBe(0.35);
  });
});
