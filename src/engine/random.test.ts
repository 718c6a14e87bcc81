// The seeded generators everything reproducible rests on: determinism, range, moments, permutations.
import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32, normal, permutation, truncatedNormalArray, uniformArray } from './random';

describe('random', () => {
  it('mulberry32 is deterministic per seed, in [0, 1), roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 20000 }, () => a());
    expect(Array.from({ length: 20000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const n of buckets) expect(Math.abs(n - 2000)).toBeLessThan(200);
  });

  it('deriveSeed gives different streams for different labels and seeds, the same for the same', () => {
    expect(deriveSeed(0, 'student-init')).toBe(deriveSeed(0, 'student-init'));
    const seeds = new Set([deriveSeed(0, 'a'), deriveSeed(0, 'b'), deriveSeed(1, 'a'), deriveSeed(1, 'b'), deriveSeed(0, 'epoch-1'), deriveSeed(0, 'epoch-2')]);
    expect(seeds.size).toBe(6);
  });

  it('normal and truncated normal have the right moments; truncation bounds hold', () => {
    const rng = mulberry32(7);
    const n = Array.from({ length: 20000 }, () => normal(rng));
    const mean = n.reduce((s, x) => s + x, 0) / n.length;
    const sd = Math.sqrt(n.reduce((s, x) => s + (x - mean) ** 2, 0) / n.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    const t = truncatedNormalArray(20000, 1, mulberry32(8), -1, 1);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...t)).toBeLessThanOrEqual(1);
    const w = truncatedNormalArray(20000, 0.02, mulberry32(9));
    const wsd = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(Math.abs(wsd - 0.02)).toBeLessThan(0.001);
    const u = uniformArray(1000, 0.5, mulberry32(10));
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(0.5);
  });

  it('permutation is a seeded permutation of 0..n-1', () => {
    const p = permutation(1000, mulberry32(3));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...permutation(1000, mulberry32(3))]).toEqual([...p]);
    expect([...permutation(1000, mulberry32(4))]).not.toEqual([...p]);
    expect(p.slice(0, 10)).not.toEqual(Int32Array.from({ length: 10 }, (_, i) => i));
  });
});
