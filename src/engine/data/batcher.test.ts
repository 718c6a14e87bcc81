// Batches: shapes, dtypes, normalisation against the formula and the real data, seeded order, shift/flip geometry, no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../config';
import { mulberry32, type Rng } from '../random';
import { batchesOf, epochOrder, fixedEvalIndices, makeBatch, normalizeInto, normalizePixel } from './batcher';
import { loadDataset, type Split } from './dataset';
import { fsFetchBytes } from './nodeFetch';

const info = DATASETS['fashion-mnist'];
const S = 28;
const bg = normalizePixel(0, info);

/** `n` blank images, labels i % 10, with one 255 pixel in image i at `spots[i]` = [row, col] when given. */
function synthetic(n: number, spots: [number, number][] = []): Split {
  const images = new Uint8Array(n * S * S);
  spots.forEach(([r, c], i) => { images[i * S * S + r * S + c] = 255; });
  return { images, labels: Uint8Array.from({ length: n }, (_, i) => i % 10), count: n };
}

/** An Rng that replays `values` in order (and fails the test when exhausted). */
function replay(values: number[]): Rng {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('replay rng exhausted');
    return values[i++]!;
  };
}

/** Positions of pixels that differ from the background in image `b` of a [B, 28, 28, 1] batch. */
function litPixels(x: Float32Array, b: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < S * S; i++) if (x[b * S * S + i] !== Math.fround(bg)) out.push([Math.floor(i / S), i % S]);
  return out;
}

describe('makeBatch', () => {
  it('returns x [B, 28, 28, 1] float32 normalised and y [B] int32 labels', async () => {
    const split = synthetic(20, [[3, 4]]);
    const { x, y } = makeBatch(split, info, [0, 5, 19]);
    expect(x.shape).toEqual([3, 28, 28, 1]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([3]);
    expect(y.dtype).toBe('int32');
    expect(Array.from(await y.data())).toEqual([0, 5, 9]);
    const xs = await x.data();
    expect(xs[3 * S + 4]).toBeCloseTo((1 - info.mean) / info.std, 5);
    expect(xs[0]).toBeCloseTo(-info.mean / info.std, 5);
    tf.dispose([x, y]);
  });

  it('creates exactly the two returned tensors, with or without augmentation', () => {
    const split = synthetic(8);
    const before = tf.memory().numTensors;
    const plain = makeBatch(split, info, [0, 1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([plain.x, plain.y]);
    const aug = makeBatch(split, info, [4, 5, 6, 7], { shift: 2, hflip: true, rng: mulberry32(1) });
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([aug.x, aug.y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an index outside the split', () => {
    expect(() => makeBatch(synthetic(4), info, [0, 4])).toThrow(/index 4 is outside the split \[0, 4\)/);
  });

  it('normalises the real test images to mean ~0 and std ~1', async () => {
    const ds = await loadDataset('fashion-mnist', fsFetchBytes(fileURLToPath(new URL('../../../public', import.meta.url))), undefined, { splits: ['test'] });
    const { x, y } = makeBatch(ds.test, info, fixedEvalIndices(ds.test.count, 2000, 0));
    const { mean, variance } = tf.moments(x);
    expect((await mean.data())[0]).toBeCloseTo(0, 1);
    expect(Math.abs(Math.sqrt((await variance.data())[0]!) - 1)).toBeLessThan(0.02);
    tf.dispose([x, y, mean, variance]);
  });
});

describe('normalizeInto', () => {
  it('computes (p / 255 - mean) / std into the given offset', () => {
    const dst = new Float32Array(5).fill(7);
    normalizeInto(dst, 1, Uint8Array.from([9, 0, 255, 128]), 1, 3, { mean: 0.5, std: 0.25 });
    expect(dst[0]).toBe(7);
    expect(Array.from(dst.subarray(1, 4))).toEqual([-2, 2, Math.fround((128 / 255 - 0.5) / 0.25)]);
    expect(dst[4]).toBe(7);
  });
});

describe('shift and flip augmentation', () => {
  // With shift 2, rng r gives floor(r * 5) - 2: 0.99 -> +2, 0.3 -> -1, 0.5 -> 0, 0.0 -> -2.
  it('moves a pixel by (dy, dx) and fills with the background value', async () => {
    const { x, y } = makeBatch(synthetic(1, [[10, 12]]), info, [0], { shift: 2, hflip: false, rng: replay([0.99, 0.3]) });
    const xs = (await x.data()) as Float32Array;
    expect(litPixels(xs, 0)).toEqual([[12, 11]]);
    expect(xs[12 * S + 11]).toBeCloseTo((1 - info.mean) / info.std, 5);
    tf.dispose([x, y]);
  });

  it('drops content shifted past the edge, and mirrors before shifting', async () => {
    const split = synthetic(2, [[0, 5], [4, 3]]);
    // dy -1, dx 0 (no flip coin: hflip off) pushes the row-0 pixel out of the image.
    const a = makeBatch(split, info, [0], { shift: 2, hflip: false, rng: replay([0.3, 0.5]) });
    expect(litPixels((await a.x.data()) as Float32Array, 0)).toEqual([]);
    // Per image: dy, dx, flip coin. Image 1: dy 0, dx -2, mirrored; image 0: unchanged.
    const b = makeBatch(split, info, [1, 0], { shift: 2, hflip: true, rng: replay([0.5, 0.0, 0.1, 0.5, 0.5, 0.9]) });
    const bx = (await b.x.data()) as Float32Array;
    expect(litPixels(bx, 0)).toEqual([[4, 27 - 3 - 2]]); // mirrored col 3 -> 24, then dx -2 -> 22
    expect(litPixels(bx, 1)).toEqual([[0, 5]]); // dy 0, dx 0, no mirror (coin 0.9)
    tf.dispose([a.x, a.y, b.x, b.y]);
  });

  it('keeps every shift within [-shift, shift] and the image content intact', async () => {
    const n = 200;
    const split = synthetic(n, Array.from({ length: n }, () => [14, 14] as [number, number]));
    const { x, y } = makeBatch(split, info, Array.from({ length: n }, (_, i) => i), { shift: 2, hflip: false, rng: mulberry32(7) });
    const xs = (await x.data()) as Float32Array;
    const seen = new Set<string>();
    for (let b = 0; b < n; b++) {
      const lit = litPixels(xs, b);
      expect(lit).toHaveLength(1);
      const [r, c] = lit[0]!;
      expect(Math.abs(r - 14)).toBeLessThanOrEqual(2);
      expect(Math.abs(c - 14)).toBeLessThanOrEqual(2);
      seen.add(`${r},${c}`);
    }
    expect(seen.size).toBe(25); // all 5 x 5 offsets occur in 200 draws
    tf.dispose([x, y]);
  });
});

describe('epochOrder', () => {
  const sorted = (a: Int32Array) => Array.from(a).sort((p, q) => p - q);

  it('is deterministic, and a permutation of one fixed subset across epochs', () => {
    const e0 = epochOrder(60000, 1000, 3, 0);
    expect(Array.from(epochOrder(60000, 1000, 3, 0))).toEqual(Array.from(e0));
    const e1 = epochOrder(60000, 1000, 3, 1);
    expect(Array.from(e1)).not.toEqual(Array.from(e0));
    expect(sorted(e1)).toEqual(sorted(e0));
    expect(new Set(e0).size).toBe(1000);
    expect(e0.every((i) => i >= 0 && i < 60000)).toBe(true);
  });

  it('draws a different subset for a different seed, and the subset is not just the first images', () => {
    const a = sorted(epochOrder(60000, 1000, 3, 0));
    const b = sorted(epochOrder(60000, 1000, 4, 0));
    expect(b).not.toEqual(a);
    expect(a.at(-1)!).toBeGreaterThan(1000);
  });

  it('with subset = count, is a permutation of the whole split', () => {
    expect(sorted(epochOrder(50, 50, 0, 2))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => epochOrder(50, 51, 0, 0)).toThrow(RangeError);
  });
});

describe('fixedEvalIndices and batchesOf', () => {
  it('fixedEvalIndices is seeded, sorted, unique and in range', () => {
    const a = fixedEvalIndices(10000, 500, 0);
    expect(Array.from(fixedEvalIndices(10000, 500, 0))).toEqual(Array.from(a));
    expect(Array.from(fixedEvalIndices(10000, 500, 1))).not.toEqual(Array.from(a));
    expect(new Set(a).size).toBe(500);
    for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
    expect(a[499]!).toBeLessThan(10000);
  });

  it('batchesOf splits into consecutive batches, optionally dropping the short last one', () => {
    const idx = Int32Array.from({ length: 10 }, (_, i) => i * 2);
    expect([...batchesOf(idx, 4, false)].map((b) => Array.from(b))).toEqual([[0, 2, 4, 6], [8, 10, 12, 14], [16, 18]]);
    expect([...batchesOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, true)].map((b) => b.length)).toEqual([4, 4]);
    expect(() => [...batchesOf(idx, 0, false)]).toThrow(RangeError);
  });
});
