// Loads a shipped dataset (manifest + gzip IDX files) through an injected byte fetcher, verifying every file on the way.
// The fetcher is injected so the worker uses HTTP (httpFetchBytes) while Node tests and scripts read disk (nodeFetch.ts).
import { DATASETS, type DatasetInfo, type DatasetName } from '../config';
import { DatasetError, gunzip, isGzip, parseIdxImages, parseIdxLabels, verifySha256 } from './idx';

/** One split: raw uint8 pixels [N * H * W * C] in HWC order, and uint8 class labels [N]. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface ManifestFile {
  file: string;
  sha256: string;
  bytes: number;
}

export interface ManifestSplit {
  images: ManifestFile;
  labels: ManifestFile;
  count: number;
}

/** `public/datasets/<name>/manifest.json`, written by scripts/prepare-datasets.ts. */
export interface DatasetManifest {
  name: string;
  description: string;
  source: { debianPackage: string; debianVersion: string | null; upstream: string };
  license: { spdx: string; copyright: string; file: string };
  /** [H, W, C] */
  imageShape: [number, number, number];
  classNames: string[];
  splits: { train: ManifestSplit; test: ManifestSplit };
  /** Pixel mean and std of the train split on [0, 1] values, as measured by the prepare script. */
  mean: number;
  std: number;
}

export interface Dataset {
  info: DatasetInfo;
  /** A split not requested in `opts.splits` is empty (count 0). */
  train: Split;
  test: Split;
  manifest: DatasetManifest;
}

/** Fetches `path` (relative to the site root, e.g. `datasets/fashion-mnist/manifest.json`), reporting bytes as they arrive. */
export type FetchBytes = (path: string, onBytes?: (loaded: number, total: number) => void) => Promise<Uint8Array>;

/**
 * Progress of a load. `loadedBytes`/`totalBytes` count compressed bytes over all files of the requested splits
 * (totals from the manifest, so one bar covers the whole load); `images` is the number of images decoded so far.
 */
export interface LoadProgress {
  phase: 'download' | 'decode' | 'verify';
  file: string;
  loadedBytes: number;
  totalBytes: number;
  images: number;
}

export type SplitName = 'train' | 'test';

const EMPTY_SPLIT: Split = Object.freeze({ images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 });

/** Checks the manifest's shape field by field and against the DatasetInfo the engine was built for. */
export function validateManifest(raw: unknown, info: DatasetInfo, fileName: string): DatasetManifest {
  const fail = (what: string): never => {
    throw new DatasetError(fileName, 'manifest', `malformed manifest: ${what}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (o: Record<string, unknown>, k: string, at: string): string =>
    typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : fail(`${at}.${k} must be a non-empty string`);
  const num = (o: Record<string, unknown>, k: string, at: string): number =>
    typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : fail(`${at}.${k} must be a finite number`);
  const obj = (o: Record<string, unknown>, k: string, at: string): Record<string, unknown> =>
    isObj(o[k]) ? o[k] : fail(`${at}.${k} must be an object`);

  if (!isObj(raw)) return fail('top level must be a JSON object');
  const name = str(raw, 'name', 'manifest');
  if (name !== info.name) fail(`name is "${name}", expected "${info.name}"`);
  const source = obj(raw, 'source', 'manifest');
  const license = obj(raw, 'license', 'manifest');
  const shape = raw.imageShape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape[0] !== info.imageSize || shape[1] !== info.imageSize || shape[2] !== info.channels) {
    fail(`imageShape is ${JSON.stringify(shape)}, expected [${info.imageSize},${info.imageSize},${info.channels}]`);
  }
  const classNames = raw.classNames;
  if (!Array.isArray(classNames) || classNames.length !== info.numClasses || !classNames.every((c) => typeof c === 'string')) {
    fail(`classNames must be ${info.numClasses} strings`);
  }
  const splits = obj(raw, 'splits', 'manifest');
  const file = (o: Record<string, unknown>, at: string): ManifestFile => {
    const sha256 = str(o, 'sha256', at);
    if (!/^[0-9a-f]{64}$/i.test(sha256)) fail(`${at}.sha256 must be 64 hex digits`);
    const bytes = num(o, 'bytes', at);
    if (!Number.isInteger(bytes) || bytes <= 0) fail(`${at}.bytes must be a positive integer`);
    const f = str(o, 'file', at);
    if (f.includes('/') || f.includes('\\') || f.startsWith('.')) fail(`${at}.file "${f}" must be a plain file name`);
    return { file: f, sha256, bytes };
  };
  const split = (k: SplitName, want: number): ManifestSplit => {
    const s = obj(splits, k, 'splits');
    const count = num(s, 'count', `splits.${k}`);
    if (count !== want) fail(`splits.${k}.count is ${count}, expected ${want}`);
    return { images: file(obj(s, 'images', `splits.${k}`), `splits.${k}.images`), labels: file(obj(s, 'labels', `splits.${k}`), `splits.${k}.labels`), count };
  };
  const mean = num(raw, 'mean', 'manifest');
  const std = num(raw, 'std', 'manifest');
  if (std <= 0) fail('std must be positive');
  return {
    name,
    description: typeof raw.description === 'string' ? raw.description : '',
    source: {
      debianPackage: str(source, 'debianPackage', 'source'),
      debianVersion: typeof source.debianVersion === 'string' ? source.debianVersion : null,
      upstream: str(source, 'upstream', 'source'),
    },
    license: { spdx: str(license, 'spdx', 'license'), copyright: str(license, 'copyright', 'license'), file: str(license, 'file', 'license') },
    imageShape: [info.imageSize, info.imageSize, info.channels],
    classNames: classNames as string[],
    splits: { train: split('train', info.trainCount), test: split('test', info.testCount) },
    mean,
    std,
  };
}

/**
 * Loads and verifies `datasets/<name>/`: the manifest, then for each requested split its labels and images file
 * (labels first: they are small, so a broken split fails before the large download). Each file is size- and
 * SHA-256-checked against the manifest before it is inflated, then parsed with its header checked against the
 * manifest counts and the DatasetInfo shape. Any problem throws a DatasetError naming the file.
 */
export async function loadDataset(
  name: DatasetName,
  fetchBytes: FetchBytes,
  onProgress?: (p: LoadProgress) => void,
  opts?: { splits?: SplitName[] },
): Promise<Dataset> {
  const info = DATASETS[name];
  if (!info) throw new DatasetError(`datasets/${String(name)}`, 'missing', `unknown dataset "${String(name)}"`);
  const dir = `datasets/${name}`;
  const manifestPath = `${dir}/manifest.json`;
  const manifestBytes = await fetchBytes(manifestPath);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (e) {
    throw new DatasetError(manifestPath, 'manifest', `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const manifest = validateManifest(raw, info, manifestPath);

  const wanted: SplitName[] = opts?.splits ?? ['train', 'test'];
  const totalBytes = wanted.reduce((t, s) => t + manifest.splits[s].images.bytes + manifest.splits[s].labels.bytes, 0);
  let doneBytes = 0;
  let images = 0;
  const report = (phase: LoadProgress['phase'], file: string, loadedBytes: number) =>
    onProgress?.({ phase, file, loadedBytes, totalBytes, images });

  // Download, check size, gzip magic (for a clearer message than a checksum mismatch) and SHA-256, then inflate.
  const fetchVerified = async (entry: ManifestFile): Promise<{ path: string; raw: Uint8Array }> => {
    const path = `${dir}/${entry.file}`;
    report('download', path, doneBytes);
    const bytes = await fetchBytes(path, (loaded) => report('download', path, doneBytes + Math.min(loaded, entry.bytes)));
    report('verify', path, doneBytes + Math.min(bytes.length, entry.bytes));
    if (!isGzip(bytes)) await gunzip(bytes, path); // throws the descriptive not-gzip error
    if (bytes.length !== entry.bytes) {
      throw new DatasetError(path, 'size', `${bytes.length} bytes, but the manifest says ${entry.bytes}${bytes.length < entry.bytes ? ' (truncated download?)' : ''}`);
    }
    await verifySha256(bytes, entry.sha256, path);
    doneBytes += entry.bytes;
    report('decode', path, doneBytes);
    return { path, raw: await gunzip(bytes, path) };
  };

  const loadSplit = async (s: SplitName): Promise<Split> => {
    const m = manifest.splits[s];
    const lab = await fetchVerified(m.labels);
    const labels = parseIdxLabels(lab.raw, lab.path, { count: m.count, numClasses: info.numClasses });
    const img = await fetchVerified(m.images);
    const parsed = parseIdxImages(img.raw, img.path, { count: m.count, rows: info.imageSize, cols: info.imageSize });
    images += parsed.count;
    report('decode', img.path, doneBytes);
    return { images: parsed.data, labels: labels.data, count: m.count };
  };

  const train = wanted.includes('train') ? await loadSplit('train') : EMPTY_SPLIT;
  const test = wanted.includes('test') ? await loadSplit('test') : EMPTY_SPLIT;
  return { info, train, test, manifest };
}

/**
 * A FetchBytes over HTTP relative to `baseUrl` (e.g. `import.meta.env.BASE_URL` or the worker's location). Streams the
 * body for byte progress (`total` is Content-Length, 0 when unknown) and throws a DatasetError on any status but 200.
 */
export function httpFetchBytes(baseUrl: string): FetchBytes {
  return async (path, onBytes) => {
    const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new DatasetError(path, 'http', `network error fetching ${url} (${e instanceof Error ? e.message : String(e)})`);
    }
    if (res.status !== 200) {
      throw new DatasetError(path, res.status === 404 ? 'missing' : 'http', `HTTP ${res.status} ${res.statusText} for ${url}` +
        (res.status === 404 ? ' (run `npm run prepare-datasets` to recreate public/datasets)' : ''));
    }
    const total = Number(res.headers.get('content-length')) || 0;
    if (!res.body) {
      const all = new Uint8Array(await res.arrayBuffer());
      onBytes?.(all.length, total || all.length);
      return all;
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      onBytes?.(loaded, total);
    }
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
}
