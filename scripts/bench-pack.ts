// Packs the Node benchmark (scripts/bench-node.ts) into one self-contained folder for a GPU server that has no Node,
// no npm and no network: the engine and tfjs bundled into one file, Dawn's dawn.node (npm `webgpu`, linux-x64), the
// tfjs wasm binaries, and with --with-node the Node binary running this script; the binaries gzipped, so the folder
// stays under 50 MB even with Node. The benchmark needs no dataset or teacher files: it trains on a fixed random
// batch (engine/benchmark.ts). Usage:
//   npm run bench:pack -- [--out bench-pack] [--with-node]
//   then on the server: ./bench-pack/run.sh [bench:node options, default --backend webgpu]
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';

const LIMIT_BYTES = 50e6; // 50 MB

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench-pack' },
    'with-node': { type: 'boolean', default: false },
  },
});

const root = join(import.meta.dirname, '..');
const out = resolve(values.out);
const require = createRequire(import.meta.url);

async function gzipTo(src: string, dest: string): Promise<void> {
  await pipeline(createReadStream(src), createGzip({ level: 9 }), createWriteStream(dest));
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await sizeOf(p) : (await stat(p)).size;
  }
  return total;
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  throw new Error(`bench:pack packs linux-x64 binaries (dawn.node, node); this is ${process.platform}-${process.arch}`);
}
await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'wasm'), { recursive: true });

// One ESM file; dawn.node stays outside it (the `webgpu` package loads it at run time from dist/<platform-arch>/ next to
// the file that imports it, i.e. next to bench.mjs once unpacked).
await build({
  entryPoints: [join(root, 'scripts', 'bench-node.ts')],
  outfile: join(out, 'bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: true, // the per-program breakdown reports class names (BinaryOpProgram, ...)
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies inside an ES module still use require() and __dirname (tfjs-backend-wasm's loader): give them both.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path';" +
      ' const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);',
  },
});

const dawn = join(dirname(require.resolve('webgpu')), 'dist', 'linux-x64', 'dawn.node');
await gzipTo(dawn, join(out, 'dawn.node.gz'));
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
for (const f of await readdir(wasmDir)) if (f.endsWith('.wasm')) await copyFile(join(wasmDir, f), join(out, 'wasm', f));
if (values['with-node']) await gzipTo(process.execPath, join(out, 'node.gz'));

// POSIX sh and gzip only. Unpacks into a fresh temporary folder (the pack's own may be read-only), runs, and writes
// the JSON into the pack's results/ when it can, else into the temporary folder, saying where.
const run = `#!/bin/sh
# DeiT Playground's Node benchmark, packed by npm run bench:pack (${new Date().toISOString().slice(0, 10)}).
# Usage: ./run.sh [options of npm run bench:node; default --backend webgpu]
# Needs: x86-64 Linux, gzip, and for a real GPU a Vulkan driver (libvulkan.so.1); DAWN_BACKEND=vulkan pins it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "\${TMPDIR:-/tmp}/deit-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/dist/linux-x64"
cp "$here/bench.mjs" "$work/"
gzip -dc "$here/dawn.node.gz" > "$work/dist/linux-x64/dawn.node"
if [ -f "$here/node.gz" ]; then
  gzip -dc "$here/node.gz" > "$work/node" && chmod +x "$work/node" && node="$work/node"
elif command -v node >/dev/null 2>&1; then
  node=node
else
  echo "run.sh: no Node here and none packed (npm run bench:pack -- --with-node)" >&2; exit 1
fi
results="$here/results"
if ! { mkdir -p "$results" 2>/dev/null && [ -w "$results" ]; }; then results="$work/results-kept"; mkdir -p "$results"; fi
[ $# -eq 0 ] && set -- --backend webgpu
DEIT_WASM_DIR="$here/wasm/" "$node" "$work/bench.mjs" --results-dir "$results" "$@"
case "$results" in "$work"*) cp -r "$results" "\${TMPDIR:-/tmp}/deit-bench-results-$$" && echo "results copied to \${TMPDIR:-/tmp}/deit-bench-results-$$";; esac
`;
await writeFile(join(out, 'run.sh'), run);
await chmod(join(out, 'run.sh'), 0o755);

const total = await sizeOf(out);
console.log(`packed ${out}: ${(total / 1e6).toFixed(1)} MB${values['with-node'] ? ` (with Node ${process.version})` : ''}; run ${join(values.out, 'run.sh')}`);
if (total > LIMIT_BYTES) throw new Error(`the pack is ${(total / 1e6).toFixed(1)} MB, over the 50 MB budget`);
