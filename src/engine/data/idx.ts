// IDX (MNIST-format) decoding: gunzip, SHA-256 and header-checked parsing, with errors that name the file and the fault.
// Only web-standard globals (DecompressionStream, crypto.subtle, Response): the same code runs in the worker and in Node 20.

/** What went wrong, so the UI can choose a hint (e.g. "re-run npm run prepare-datasets") without parsing messages. */
export type DatasetErrorReason =
  | 'http' | 'missing' | 'manifest' | 'not-gzip' | 'corrupt-gzip' | 'checksum' | 'size' | 'magic' | 'header' | 'label';

/** Every data-layer failure: `file` is the dataset file at fault, and the message says exactly what is wrong with it. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(readonly file: string, readonly reason: DatasetErrorReason, detail: string) {
    super(`${file}: ${detail}`);
  }
}

export const IDX_IMAGES_MAGIC = 0x00000803; // unsigned byte data, 3 dimensions
export const IDX_LABELS_MAGIC = 0x00000801; // unsigned byte data, 1 dimension
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

const hex32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
const firstBytes = (b: Uint8Array, n = 4) => Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');

/** True when the bytes start with the gzip member magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates a gzip file. DecompressionStream rejects a truncated or corrupt stream with a bare TypeError
 * ("The compressed data was not valid" / "Junk found after end of compressed data" in Node), which says
 * nothing about which file: we wrap it in a DatasetError naming `fileName`.
 */
export async function gunzip(bytes: Uint8Array, fileName = '(gzip data)'): Promise<Uint8Array> {
  if (!isGzip(bytes)) {
    // An IDX header here usually means a server sent the .gz with `Content-Encoding: gzip` and the browser inflated it.
    const looksIdx = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08;
    throw new DatasetError(fileName, 'not-gzip',
      `not a gzip file (first bytes ${firstBytes(bytes) || '(empty)'}, expected 1f 8b)` +
      (looksIdx ? '; it looks like an already-decompressed IDX file: is the server adding Content-Encoding: gzip?' : ''));
  }
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DatasetError(fileName, 'corrupt-gzip', `gzip data is truncated or corrupt (${why}); ${bytes.length} compressed bytes read`);
  }
}

/** Lower-case hex SHA-256 of the bytes (crypto.subtle: hardware-accelerated in browsers, global in Node 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws a checksum DatasetError unless the bytes hash to `expected` (hex, case-insensitive). */
export async function verifySha256(bytes: Uint8Array, expected: string, fileName: string): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual !== expected.toLowerCase()) {
    throw new DatasetError(fileName, 'checksum', `SHA-256 mismatch: expected ${expected.toLowerCase()}, got ${actual} (${bytes.length} bytes); the file is damaged or not the one the manifest describes`);
  }
}

function readU32BE(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, false);
}

function checkMagic(bytes: Uint8Array, expected: number, headerBytes: number, what: string, fileName: string): void {
  // Magic first (when there are 4 bytes to read): a short file of the wrong kind is better described by its kind.
  const magic = bytes.length >= 4 ? readU32BE(bytes, 0) : expected;
  if (magic !== expected) {
    const hint = magic === IDX_IMAGES_MAGIC ? ' (an images file)' : magic === IDX_LABELS_MAGIC ? ' (a labels file)' : '';
    throw new DatasetError(fileName, 'magic', `wrong IDX magic number: expected ${hex32(expected)} (${what}), found ${hex32(magic)}${hint}`);
  }
  if (bytes.length < headerBytes) {
    throw new DatasetError(fileName, 'size', `only ${bytes.length} bytes, shorter than the ${headerBytes}-byte IDX ${what} header`);
  }
}

function checkLength(bytes: Uint8Array, headerBytes: number, dataBytes: number, header: string, fileName: string): void {
  const want = headerBytes + dataBytes;
  if (bytes.length < want) {
    throw new DatasetError(fileName, 'size', `truncated: header says ${header} = ${want} bytes, but the file has ${bytes.length}`);
  }
  if (bytes.length > want) {
    throw new DatasetError(fileName, 'size', `${bytes.length - want} unexpected bytes after the data: header says ${header} = ${want} bytes, but the file has ${bytes.length}`);
  }
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** [count * rows * cols] uint8, row-major; a view into the input bytes (no copy). */
  data: Uint8Array;
}

/** Parses an inflated IDX3 images file (magic 0x00000803, big-endian count, rows, cols, then uint8 pixels). */
export function parseIdxImages(bytes: Uint8Array, fileName: string, expected?: { count: number; rows: number; cols: number }): IdxImages {
  checkMagic(bytes, IDX_IMAGES_MAGIC, IMAGES_HEADER_BYTES, 'images', fileName);
  const count = readU32BE(bytes, 4);
  const rows = readU32BE(bytes, 8);
  const cols = readU32BE(bytes, 12);
  if (expected && (count !== expected.count || rows !== expected.rows || cols !== expected.cols)) {
    throw new DatasetError(fileName, 'header', `header says ${count} images of ${rows}x${cols}, expected ${expected.count} images of ${expected.rows}x${expected.cols}`);
  }
  checkLength(bytes, IMAGES_HEADER_BYTES, count * rows * cols, `${count} x ${rows} x ${cols} pixels + ${IMAGES_HEADER_BYTES}-byte header`, fileName);
  return { count, rows, cols, data: bytes.subarray(IMAGES_HEADER_BYTES) };
}

export interface IdxLabels {
  count: number;
  /** [count] uint8 class indices; a view into the input bytes (no copy). */
  data: Uint8Array;
}

/** Parses an inflated IDX1 labels file (magic 0x00000801, big-endian count, then uint8 labels), range-checking labels when `numClasses` is given. */
export function parseIdxLabels(bytes: Uint8Array, fileName: string, expected?: { count: number; numClasses: number }): IdxLabels {
  checkMagic(bytes, IDX_LABELS_MAGIC, LABELS_HEADER_BYTES, 'labels', fileName);
  const count = readU32BE(bytes, 4);
  if (expected && count !== expected.count) {
    throw new DatasetError(fileName, 'header', `header says ${count} labels, expected ${expected.count}`);
  }
  checkLength(bytes, LABELS_HEADER_BYTES, count, `${count} labels + ${LABELS_HEADER_BYTES}-byte header`, fileName);
  const data = bytes.subarray(LABELS_HEADER_BYTES);
  if (expected) {
    for (let i = 0; i < count; i++) {
      const label = data[i]!;
      if (label >= expected.numClasses) {
        throw new DatasetError(fileName, 'label', `label ${label} at index ${i} is out of range [0, ${expected.numClasses - 1}]`);
      }
    }
  }
  return { count, data };
}
