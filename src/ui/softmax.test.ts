// The explainer's softmax against the values in the issue, and its numerics at extreme logits.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatProb } from './format';
import { entropy, parseLogits, softmaxT } from './softmax';

describe('softmaxT', () => {
  it('matches the reference for [30, 5, 2, 2] at T = 1 and T = 10', () => {
    expect(softmaxT([30, 5, 2, 2], 1).map(formatProb)).toEqual(['1.0000', '1.39e-11', '6.91e-13', '6.91e-13']);
    expect(softmaxT([30, 5, 2, 2], 10).map(formatProb)).toEqual(['0.8308', '0.0682', '0.0505', '0.0505']);
  });

  it('equals the closed form exp(z/T) / sum exp(z/T) where that does not overflow', () => {
    const z = [1.5, -0.3, 2.2];
    const T = 2.5;
    const e = z.map((v) => Math.exp(v / T));
    const sum = e.reduce((a, b) => a + b, 0);
    softmaxT(z, T).forEach((p, i) => expect(p).toBeCloseTo(e[i]! / sum, 15));
  });

  it('stays finite, in [0, 1] and normalised for huge logits and small temperatures', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }),
      fc.double({ min: 0.01, max: 100, noNaN: true }),
      (z, T) => {
        const p = softmaxT(z, T);
        expect(p.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)).toBe(true);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      },
    ));
    expect(softmaxT([1000, 0], 0.5)).toEqual([1, 0]);
  });

  it('flattens towards uniform as T grows', () => {
    const z = [30, 5, 2, 2];
    const h = [1, 3, 10, 100].map((T) => entropy(softmaxT(z, T)));
    for (let i = 1; i < h.length; i++) expect(h[i]!).toBeGreaterThan(h[i - 1]!);
    expect(h[3]!).toBeLessThan(Math.log(4));
  });

  it('refuses a non-positive temperature', () => {
    expect(() => softmaxT([1, 2], 0)).toThrow(RangeError);
    expect(softmaxT([], 1)).toEqual([]);
  });
});

describe('parseLogits', () => {
  it('reads comma- or space-separated numbers', () => {
    expect(parseLogits('30, 5, 2, 2')).toEqual([30, 5, 2, 2]);
    expect(parseLogits(' -1.5 2e1;3 ')).toEqual([-1.5, 20, 3]);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '1', '1, x', 'NaN, 1', '1, Infinity', '0x10, 1', '1e999, 1', Array(21).fill('1').join(',')]) {
      expect(parseLogits(bad), bad).toBeNull();
    }
  });
});
