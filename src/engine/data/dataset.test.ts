// Loading the shipped Fashion-MNIST through the real loader (disk and HTTP), and a clear DatasetError for each kind of damage.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../config';
import { httpFetchBytes, loadDataset, type DatasetManifest, type FetchBytes, type LoadProgress } from './dataset';
import { DatasetError, gunzip, parseIdxLabels, sha256Hex, verifySha256 } from './idx';
import { fsFetchBytes } from './nodeFetch';

const PUBLIC = fileURLToPath(new URL('../../../public', import.meta.url));
const DIR = 'datasets/fashion-mnist';
const MANIFEST = `${DIR}/manifest.json`;
const TEST_LABELS = `${DIR}/t10k-labels-idx1-ubyte.gz`;
const TEST_IMAGES = `${DIR}/t10k-images-idx3-ubyte.gz`;
const info = DATASETS['fashion-mnist'];
const disk = fsFetchBytes(PUBLIC);

async function realManifest(): Promise<DatasetManifest> {
  return JSON.parse(new TextDecoder().decode(await disk(MANIFEST))) as DatasetManifest;
}

function idx(header: number[], body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(header.length * 4 + body.length);
  header.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v, false));
  out.set(body, header.length * 4);
  return out;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The shipped files with the test split's labels or images replaced by `bytes`. The manifest is updated to describe the
 * replacement (size and SHA-256) unless `keepManifest`, so the loader gets past the checksum to the fault under test.
 */
async function withReplaced(which: 'labels' | 'images', bytes: Uint8Array, keepManifest = false): Promise<FetchBytes> {
  const manifest = await realManifest();
  const entry = manifest.splits.test[which];
  if (!keepManifest) Object.assign(entry, { sha256: await sha256Hex(bytes), bytes: bytes.length });
  const path = `${DIR}/${entry.file}`;
  return async (p, onBytes) => {
    if (p === MANIFEST) return new TextEncoder().encode(JSON.stringify(manifest));
    if (p === path) return bytes;
    return disk(p, onBytes);
  };
}

async function loadError(fetchBytes: FetchBytes): Promise<DatasetError> {
  const err = await loadDataset('fashion-mnist', fetchBytes, undefined, { splits: ['test'] }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('loadDataset on the shipped files', () => {
  it('loads the test split: 10,000 images, 1,000 per class, first label Ankle boot, with increasing progress', async () => {
    const events: LoadProgress[] = [];
    const ds = await loadDataset('fashion-mnist', disk, (p) => events.push(p), { splits: ['test'] });
    expect(ds.test.count).toBe(10000);
    expect(ds.test.images.length).toBe(10000 * 28 * 28);
    expect(ds.test.labels.length).toBe(10000);
    expect(ds.train.count).toBe(0); // not requested
    const perClass = new Array<number>(10).fill(0);
    for (const l of ds.test.labels) perClass[l]! += 1;
    expect(perClass).toEqual(new Array(10).fill(1000));
    expect(ds.test.labels[0]).toBe(9);
    expect(info.classNames[ds.test.labels[0]!]).toBe('Ankle boot');
    expect(ds.manifest.classNames).toEqual(info.classNames);
    // The measured statistics agree with the rounded constants the engine normalises with.
    expect(Math.abs(ds.manifest.mean - info.mean)).toBeLessThan(1e-3);
    expect(Math.abs(ds.manifest.std - info.std)).toBeLessThan(1e-3);

    const total = ds.manifest.splits.test.images.bytes + ds.manifest.splits.test.labels.bytes;
    expect(events.length).toBeGreaterThan(4);
    for (let i = 1; i < events.length; i++) expect(events[i]!.loadedBytes).toBeGreaterThanOrEqual(events[i - 1]!.loadedBytes);
    expect(events.every((e) => e.totalBytes === total)).toBe(true);
    expect(new Set(events.map((e) => e.phase))).toEqual(new Set(['download', 'verify', 'decode']));
    expect(events.at(-1)).toMatchObject({ loadedBytes: total, images: 10000 });
  });

  it('ships train labels that match the manifest: 60,000 labels, 6,000 per class', async () => {
    const manifest = await realManifest();
    const entry = manifest.splits.train.labels;
    const bytes = await disk(`${DIR}/${entry.file}`);
    expect(bytes.length).toBe(entry.bytes);
    await verifySha256(bytes, entry.sha256, entry.file);
    const labels = parseIdxLabels(await gunzip(bytes, entry.file), entry.file, { count: 60000, numClasses: 10 });
    const perClass = new Array<number>(10).fill(0);
    for (const l of labels.data) perClass[l]! += 1;
    expect(perClass).toEqual(new Array(10).fill(6000));
    expect(manifest.splits.train.images.bytes).toBeGreaterThan(20e6); // the 26 MB images file is present in the manifest
  });
});

describe('loadDataset errors name the file and the fault', () => {
  it('a truncated .gz', async () => {
    const real = await disk(TEST_LABELS);
    const e = await loadError(await withReplaced('labels', real.slice(0, real.length - 100)));
    expect(e.file).toBe(TEST_LABELS);
    expect(e.reason).toBe('corrupt-gzip');
    expect(e.message).toMatch(/^datasets\/fashion-mnist\/t10k-labels-idx1-ubyte\.gz: gzip data is truncated or corrupt/);
  });

  it('a wrong magic number inside a valid gzip', async () => {
    const bad = await gzip(idx([0x00000802, 10000], new Uint8Array(10000)));
    const e = await loadError(await withReplaced('labels', bad));
    expect(e.file).toBe(TEST_LABELS);
    expect(e.message).toContain('wrong IDX magic number: expected 0x00000801 (labels), found 0x00000802');
  });

  it('a SHA-256 mismatch', async () => {
    const manifest = await realManifest();
    manifest.splits.test.labels.sha256 = 'ab'.repeat(32);
    const fetch: FetchBytes = async (p, cb) => (p === MANIFEST ? new TextEncoder().encode(JSON.stringify(manifest)) : disk(p, cb));
    const e = await loadError(fetch);
    expect(e.file).toBe(TEST_LABELS);
    expect(e.reason).toBe('checksum');
    expect(e.message).toContain(`expected ${'ab'.repeat(32)}, got ${await sha256Hex(await disk(TEST_LABELS))}`);
  });

  it('a file whose header count exceeds its data (labels and images)', async () => {
    const labels = await gzip(idx([0x801, 10000], new Uint8Array(9999)));
    const el = await loadError(await withReplaced('labels', labels));
    expect(el.file).toBe(TEST_LABELS);
    expect(el.message).toContain('truncated: header says 10000 labels + 8-byte header = 10008 bytes, but the file has 10007');

    const images = await gzip(idx([0x803, 10000, 28, 28], new Uint8Array(9999 * 784)));
    const ei = await loadError(await withReplaced('images', images));
    expect(ei.file).toBe(TEST_IMAGES);
    expect(ei.reason).toBe('size');
    expect(ei.message).toContain('truncated: header says 10000 x 28 x 28 pixels');
  });

  it('a file whose size differs from the manifest, or that is not gzip at all', async () => {
    const real = await disk(TEST_LABELS);
    const short = await loadError(await withReplaced('labels', real.slice(0, 1000), true));
    expect(short.message).toBe(`${TEST_LABELS}: 1000 bytes, but the manifest says ${real.length} (truncated download?)`);
    const inflated = await loadError(await withReplaced('labels', await gunzip(real), true));
    expect(inflated.reason).toBe('not-gzip');
    expect(inflated.message).toContain('Content-Encoding');
  });

  it('a malformed manifest, or a missing one', async () => {
    const manifest = (await realManifest()) as unknown as Record<string, unknown>;
    delete (manifest.splits as Record<string, unknown>).test;
    const e = await loadError(async (p, cb) => (p === MANIFEST ? new TextEncoder().encode(JSON.stringify(manifest)) : disk(p, cb)));
    expect(e.file).toBe(MANIFEST);
    expect(e.message).toBe(`${MANIFEST}: malformed manifest: splits.test must be an object`);
    const notJson = await loadError(async () => new TextEncoder().encode('<html>'));
    expect(notJson.message).toMatch(/^datasets\/fashion-mnist\/manifest\.json: not valid JSON/);
    const missing = await loadError(fsFetchBytes(join(PUBLIC, 'nowhere')));
    expect(missing.reason).toBe('missing');
    expect(missing.message).toContain('npm run prepare-datasets');
  });
});

describe('httpFetchBytes', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    // A static server that streams each file in 64 KiB writes, like a real one, so progress arrives in pieces.
    server = createServer((req, res) => {
      void readFile(join(PUBLIC, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))).then(
        (buf) => {
          res.writeHead(200, { 'content-length': buf.length });
          for (let i = 0; i < buf.length; i += 65536) res.write(buf.subarray(i, i + 65536));
          res.end();
        },
        () => res.writeHead(404, 'Not Found').end(),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('streams a file with increasing byte progress and the same bytes as disk', async () => {
    const seen: [number, number][] = [];
    const bytes = await httpFetchBytes(base)(TEST_IMAGES, (l, t) => seen.push([l, t]));
    expect(await sha256Hex(bytes)).toBe(await sha256Hex(await disk(TEST_IMAGES)));
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThan(seen[i - 1]![0]);
    expect(seen.at(-1)).toEqual([bytes.length, bytes.length]);
  });

  it('loads the test split over HTTP, and reports a 404 clearly', async () => {
    const ds = await loadDataset('fashion-mnist', httpFetchBytes(base.slice(0, -1)), undefined, { splits: ['test'] });
    expect(ds.test.labels[0]).toBe(9);
    const e = await httpFetchBytes(base)('datasets/nope/manifest.json').then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).message).toMatch(/^datasets\/nope\/manifest\.json: HTTP 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/datasets\/nope\/manifest\.json/);
  });
});
