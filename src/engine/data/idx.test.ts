// IDX parsing, gunzip and SHA-256: round trips on synthetic files and one clear DatasetError per kind of damage.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError, gunzip, parseIdxImages, parseIdxLabels, sha256Hex, verifySha256 } from './idx';

/** An IDX file: big-endian u32 header words, then the uint8 body. */
function idx(header: number[], body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(header.length * 4 + body.length);
  const view = new DataView(out.buffer);
  header.forEach((v, i) => view.setUint32(i * 4, v, false));
  out.set(body, header.length * 4);
  return out;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Runs `f` and returns the DatasetError it throws (failing the test if it throws anything else, or nothing). */
async function datasetError(f: () => unknown): Promise<DatasetError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError, nothing was thrown');
}

const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
const imagesFile = idx([0x803, 2, 3, 4], pixels);
const labelsFile = idx([0x801, 5], [0, 9, 3, 3, 1]);

describe('gunzip', () => {
  it('round-trips through CompressionStream and agrees with zlib', async () => {
    const gz = await gzip(imagesFile);
    expect(Array.from(await gunzip(gz, 'a.gz'))).toEqual(Array.from(imagesFile));
    expect(Array.from(gunzipSync(gz))).toEqual(Array.from(imagesFile));
  });

  it('rejects bytes that are not gzip, and hints when they look like an inflated IDX file', async () => {
    const e = await datasetError(() => gunzip(imagesFile, 'x-images.gz'));
    expect(e.file).toBe('x-images.gz');
    expect(e.reason).toBe('not-gzip');
    expect(e.message).toMatch(/^x-images\.gz: not a gzip file \(first bytes 00 00 08 03, expected 1f 8b\)/);
    expect(e.message).toMatch(/Content-Encoding/);
  });

  it('wraps the stream error of a truncated gzip in a DatasetError naming the file', async () => {
    const gz = await gzip(Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251));
    const e = await datasetError(() => gunzip(gz.subarray(0, gz.length - 10), 'cut.gz'));
    expect(e.file).toBe('cut.gz');
    expect(e.reason).toBe('corrupt-gzip');
    expect(e.message).toMatch(/^cut\.gz: gzip data is truncated or corrupt/);
  });
});

describe('sha256', () => {
  it('matches node:crypto', async () => {
    const expected = createHash('sha256').update(imagesFile).digest('hex');
    expect(await sha256Hex(imagesFile)).toBe(expected);
    await expect(verifySha256(imagesFile, expected.toUpperCase(), 'f')).resolves.toBeUndefined();
  });

  it('reports expected and actual hashes on a mismatch', async () => {
    const actual = await sha256Hex(labelsFile);
    const wrong = '0'.repeat(64);
    const e = await datasetError(() => verifySha256(labelsFile, wrong, 'l.gz'));
    expect(e.reason).toBe('checksum');
    expect(e.message).toContain(`expected ${wrong}, got ${actual}`);
  });
});

describe('parseIdxImages', () => {
  it('reads the big-endian header and returns the pixels without copying', () => {
    const r = parseIdxImages(imagesFile, 'i', { count: 2, rows: 3, cols: 4 });
    expect([r.count, r.rows, r.cols]).toEqual([2, 3, 4]);
    expect(Array.from(r.data)).toEqual(Array.from(pixels));
    expect(r.data.buffer).toBe(imagesFile.buffer);
  });

  it('reads a header in a view at a non-zero offset', () => {
    const padded = new Uint8Array(imagesFile.length + 3);
    padded.set(imagesFile, 3);
    expect(parseIdxImages(padded.subarray(3), 'i').count).toBe(2);
  });

  it('names expected and found magic in hex, recognising a labels file', async () => {
    const e = await datasetError(() => parseIdxImages(labelsFile, 'imgs'));
    expect(e.reason).toBe('magic');
    expect(e.message).toBe('imgs: wrong IDX magic number: expected 0x00000803 (images), found 0x00000801 (a labels file)');
  });

  it('rejects unexpected header dimensions', async () => {
    const e = await datasetError(() => parseIdxImages(imagesFile, 'imgs', { count: 2, rows: 28, cols: 28 }));
    expect(e.reason).toBe('header');
    expect(e.message).toBe('imgs: header says 2 images of 3x4, expected 2 images of 28x28');
  });

  it('rejects a file shorter than its header says, and one longer', async () => {
    const short = await datasetError(() => parseIdxImages(imagesFile.subarray(0, imagesFile.length - 1), 'imgs'));
    expect(short.reason).toBe('size');
    expect(short.message).toBe('imgs: truncated: header says 2 x 3 x 4 pixels + 16-byte header = 40 bytes, but the file has 39');
    const long = await datasetError(() => parseIdxImages(idx([0x803, 2, 3, 4], [...pixels, 1, 2]), 'imgs'));
    expect(long.message).toMatch(/^imgs: 2 unexpected bytes after the data/);
  });

  it('rejects a file shorter than the header itself', async () => {
    const e = await datasetError(() => parseIdxImages(imagesFile.subarray(0, 5), 'tiny'));
    expect(e.message).toBe('tiny: only 5 bytes, shorter than the 16-byte IDX images header');
  });
});

describe('parseIdxLabels', () => {
  it('reads labels and checks their range', async () => {
    expect(Array.from(parseIdxLabels(labelsFile, 'l', { count: 5, numClasses: 10 }).data)).toEqual([0, 9, 3, 3, 1]);
    const e = await datasetError(() => parseIdxLabels(labelsFile, 'l', { count: 5, numClasses: 9 }));
    expect(e.reason).toBe('label');
    expect(e.message).toBe('l: label 9 at index 1 is out of range [0, 8]');
  });

  it('rejects a wrong count, a wrong magic and a header count that exceeds the data', async () => {
    expect((await datasetError(() => parseIdxLabels(labelsFile, 'l', { count: 6, numClasses: 10 }))).message)
      .toBe('l: header says 5 labels, expected 6');
    expect((await datasetError(() => parseIdxLabels(imagesFile, 'l'))).message)
      .toBe('l: wrong IDX magic number: expected 0x00000801 (labels), found 0x00000803 (an images file)');
    expect((await datasetError(() => parseIdxLabels(idx([0x801, 7], [1, 2, 3]), 'l'))).message)
      .toBe('l: truncated: header says 7 labels + 8-byte header = 15 bytes, but the file has 11');
  });
});
