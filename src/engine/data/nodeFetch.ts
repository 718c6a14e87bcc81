// Node-only FetchBytes that reads dataset files from disk, for Vitest and scripts (never imported by the worker or UI).
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FetchBytes } from './dataset';
import { DatasetError } from './idx';

/** Reads `path` under `rootDir` (e.g. the repo's `public/`), mirroring how the app fetches it from the site root. */
export function fsFetchBytes(rootDir: string): FetchBytes {
  const root = resolve(rootDir);
  return async (path, onBytes) => {
    const full = resolve(join(root, path));
    // Paths come from a manifest: refuse any that would escape the dataset root.
    if (full !== root && !full.startsWith(root + sep)) {
      throw new DatasetError(path, 'missing', `path escapes the dataset root ${root}`);
    }
    let buf: Buffer;
    try {
      buf = await readFile(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DatasetError(path, code === 'ENOENT' ? 'missing' : 'http',
        code === 'ENOENT' ? `not found at ${full} (run \`npm run prepare-datasets\`)` : `cannot read ${full} (${String(e)})`);
    }
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    onBytes?.(bytes.length, bytes.length);
    return bytes;
  };
}
