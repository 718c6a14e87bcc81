// Seeded data order and batch assembly: uint8 images -> normalised [B, H, W, C] float32 tensors, with optional shift/flip augmentation.
// Augmentation runs in plain JS on the batch's Float32Array so each batch costs exactly two tensor uploads.
import * as tf from '@tensorflow/tfjs-core';
import type { DatasetInfo } from '../config';
import { deriveSeed, mulberry32, permutation, type Rng } from '../random';
import type { Split } from './dataset';

type Norm = Pick<DatasetInfo, 'mean' | 'std'>;

/** Normalised value of a raw pixel: (p / 255 - mean) / std. */
export function normalizePixel(p: number, info: Norm): number {
  return (p / 255 - info.mean) / info.std;
}

/**
 * Writes `length` normalised pixels from `src[srcOffset..]` into `dst[dstOffset..]`. Goes through the same 256-entry
 * table as makeBatch, so both give bit-identical float32 values.
 */
export function normalizeInto(
  dst: Float32Array, dstOffset: number, src: Uint8Array, srcOffset: number, length: number, info: Norm,
): void {
  const lut = normTable(info);
  for (let i = 0; i < length; i++) dst[dstOffset + i] = lut[src[srcOffset + i]!]!;
}

function normTable(info: Norm): Float32Array {
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) lut[p] = normalizePixel(p, info);
  return lut;
}

/**
 * Training order for one epoch. The training subset is the first `subset` entries of a permutation of all `count`
 * train indices seeded by `deriveSeed(seed, 'train-subset')`: it depends on the seed only, so every epoch sees the
 * same images (and a subset of 10k is class-balanced in expectation, unlike "the first 10k of the file").
 * Each epoch then visits that subset in its own order, seeded by `deriveSeed(seed, 'epoch-<epoch>')`.
 */
export function epochOrder(count: number, subset: number, seed: number, epoch: number): Int32Array {
  if (!Number.isInteger(subset) || subset < 1 || subset > count) {
    throw new RangeError(`epochOrder: subset ${subset} must be an integer in [1, ${count}]`);
  }
  const chosen = permutation(count, mulberry32(deriveSeed(seed, 'train-subset'))).subarray(0, subset);
  const order = permutation(subset, mulberry32(deriveSeed(seed, `epoch-${epoch}`)));
  const out = new Int32Array(subset);
  for (let i = 0; i < subset; i++) out[i] = chosen[order[i]!]!;
  return out;
}

/**
 * The fixed test images used for periodic evaluation: `subset` of the `count` test indices chosen by a seeded
 * permutation (seed-derived, independent of the training stream), sorted so evaluation reads them in file order.
 */
export function fixedEvalIndices(count: number, subset: number, seed: number): Int32Array {
  if (!Number.isInteger(subset) || subset < 1 || subset > count) {
    throw new RangeError(`fixedEvalIndices: subset ${subset} must be an integer in [1, ${count}]`);
  }
  return permutation(count, mulberry32(deriveSeed(seed, 'eval-subset'))).slice(0, subset).sort();
}

/** Consecutive slices of `batchSize` indices; the last, shorter one is skipped when `dropLast`. */
export function* batchesOf(indices: ArrayLike<number>, batchSize: number, dropLast: boolean): Generator<Int32Array> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchesOf: batchSize ${batchSize} must be a positive integer`);
  const all = indices instanceof Int32Array ? indices : Int32Array.from(indices as ArrayLike<number>);
  for (let start = 0; start < all.length; start += batchSize) {
    const end = Math.min(start + batchSize, all.length);
    if (dropLast && end - start < batchSize) return;
    yield all.subarray(start, end);
  }
}

export interface Augment {
  /** Maximum shift in pixels on each axis; 0 disables shifting. */
  shift: number;
  /** Mirror left-right with probability 0.5. */
  hflip: boolean;
  /** Consumed per image in a fixed order: dy, dx (when shift > 0), then the flip coin (when hflip). */
  rng: Rng;
}

/**
 * Builds one batch. Returns x [B, H, W, C] float32 normalised and y [B] int32; these are the only tensors created,
 * and the caller owns (and disposes) both.
 *
 * Augmentation: the image is optionally mirrored, then translated by integer (dy, dx) drawn uniformly from
 * [-shift, shift]: out[y][x] = in[y - dy][x' - dx]. Uncovered pixels are filled with the normalised value of a
 * zero (black) pixel, i.e. the Fashion-MNIST background, so a shift never invents structure.
 */
export function makeBatch(
  split: Split, info: DatasetInfo, indices: ArrayLike<number>, aug?: Augment,
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const h = info.imageSize;
  const w = info.imageSize;
  const c = info.channels;
  const px = h * w * c;
  const b = indices.length;
  if (split.images.length !== split.count * px) {
    throw new Error(`makeBatch: split has ${split.images.length} pixels, expected ${split.count} x ${h} x ${w} x ${c}`);
  }
  const xs = new Float32Array(b * px);
  const ys = new Int32Array(b);
  const lut = normTable(info);
  const shift = aug ? Math.max(0, Math.floor(aug.shift)) : 0;
  const flip = aug?.hflip ?? false;
  const background = lut[0]!;

  for (let i = 0; i < b; i++) {
    const idx = indices[i]!;
    if (!Number.isInteger(idx) || idx < 0 || idx >= split.count) {
      throw new RangeError(`makeBatch: index ${idx} is outside the split [0, ${split.count})`);
    }
    ys[i] = split.labels[idx]!;
    const src = idx * px;
    const dst = i * px;
    const dy = shift > 0 ? Math.floor(aug!.rng() * (2 * shift + 1)) - shift : 0;
    const dx = shift > 0 ? Math.floor(aug!.rng() * (2 * shift + 1)) - shift : 0;
    const mirror = flip && aug!.rng() < 0.5;
    if (dy === 0 && dx === 0 && !mirror) {
      for (let k = 0; k < px; k++) xs[dst + k] = lut[split.images[src + k]!]!;
      continue;
    }
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      for (let x = 0; x < w; x++) {
        const shifted = x - dx;
        const sx = mirror ? w - 1 - shifted : shifted;
        const o = dst + (y * w + x) * c;
        if (sy < 0 || sy >= h || shifted < 0 || shifted >= w) {
          for (let k = 0; k < c; k++) xs[o + k] = background;
        } else {
          const s = src + (sy * w + sx) * c;
          for (let k = 0; k < c; k++) xs[o + k] = lut[split.images[s + k]!]!;
        }
      }
    }
  }
  return { x: tf.tensor4d(xs, [b, h, w, c], 'float32'), y: tf.tensor1d(ys, 'int32') };
}
