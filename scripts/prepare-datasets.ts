// Recreates public/datasets/fashion-mnist/ (the four .gz files, LICENSE, manifest.json) from the Debian package dataset-fashion-mnist.
// Run with `npm run prepare-datasets`. The output is deterministic (no timestamps), so re-running on the same package changes nothing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS } from '../src/engine/config';
import type { DatasetManifest, ManifestFile, ManifestSplit } from '../src/engine/data/dataset';
import { validateManifest } from '../src/engine/data/dataset';
import { gunzip, parseIdxImages, parseIdxLabels, sha256Hex } from '../src/engine/data/idx';

const PACKAGE = 'dataset-fashion-mnist';
const SOURCE_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const COPYRIGHT_FILE = `/usr/share/doc/${PACKAGE}/copyright`;
const UPSTREAM = 'https://github.com/zalandoresearch/fashion-mnist';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'public', 'datasets', 'fashion-mnist');
const info = DATASETS['fashion-mnist'];

const FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;

function fail(message: string): never {
  console.error(`prepare-datasets: ${message}`);
  process.exit(1);
}

function debianVersion(): string | null {
  try {
    const out = execFileSync('dpkg-query', ['-W', '-f=${Version}', PACKAGE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() || null;
  } catch {
    return null; // not a Debian system, or files supplied via FASHION_MNIST_DIR
  }
}

/** The Expat text of the package's machine-readable copyright file: the stand-alone `License: Expat` paragraph, unindented. */
function expatText(copyright: string): string {
  const paragraphs = copyright.split(/\n\s*\n/);
  const para = paragraphs.find((p) => /^License: Expat\s*\n /.test(p));
  if (!para) fail(`no stand-alone "License: Expat" paragraph in ${COPYRIGHT_FILE}`);
  return para.split('\n').slice(1).map((l) => (l.trim() === '.' ? '' : l.replace(/^ /, '').trimEnd())).join('\n').trim();
}

async function copyAndDescribe(name: string): Promise<{ entry: ManifestFile; bytes: Uint8Array }> {
  const src = join(SOURCE_DIR, name);
  await copyFile(src, join(OUT_DIR, name)); // byte-for-byte: the shipped checksum is the package's file
  const bytes = new Uint8Array(await readFile(join(OUT_DIR, name)));
  return { entry: { file: name, sha256: await sha256Hex(bytes), bytes: bytes.length }, bytes };
}

async function main(): Promise<void> {
  const missing = Object.values(FILES).flatMap((s) => [s.images, s.labels]).filter((f) => !existsSync(join(SOURCE_DIR, f)));
  if (missing.length > 0) {
    fail(`missing ${missing.join(', ')} in ${SOURCE_DIR}.\n` +
      `  Install the Debian package:  sudo apt-get install ${PACKAGE}\n` +
      `  (or point FASHION_MNIST_DIR at a directory holding the four upstream .gz files)`);
  }
  if (!existsSync(COPYRIGHT_FILE)) fail(`missing ${COPYRIGHT_FILE}; install it with: sudo apt-get install ${PACKAGE}`);
  await mkdir(OUT_DIR, { recursive: true });

  const splits = {} as Record<'train' | 'test', ManifestSplit>;
  let mean = 0;
  let std = 0;
  for (const split of ['train', 'test'] as const) {
    const count = split === 'train' ? info.trainCount : info.testCount;
    const images = await copyAndDescribe(FILES[split].images);
    const labels = await copyAndDescribe(FILES[split].labels);
    // Parse what we ship, with the same checks as the app, so a bad package fails here rather than in the browser.
    const img = parseIdxImages(await gunzip(images.bytes, images.entry.file), images.entry.file, { count, rows: info.imageSize, cols: info.imageSize });
    const lab = parseIdxLabels(await gunzip(labels.bytes, labels.entry.file), labels.entry.file, { count, numClasses: info.numClasses });
    const perClass = new Array<number>(info.numClasses).fill(0);
    for (const l of lab.data) perClass[l]! += 1;
    console.log(`${split}: ${count} images, per class ${perClass.join(' ')}`);
    splits[split] = { images: images.entry, labels: labels.entry, count };
    if (split === 'train') {
      // Normalisation statistics on [0, 1] values over every train pixel (float64 sums: 47M terms).
      let sum = 0;
      let sumSq = 0;
      for (const p of img.data) {
        sum += p;
        sumSq += p * p;
      }
      const n = img.data.length;
      mean = sum / n / 255;
      std = Math.sqrt(sumSq / n / (255 * 255) - mean * mean);
    }
  }

  const copyright = await readFile(COPYRIGHT_FILE, 'utf8');
  const licenseText = `Fashion-MNIST (${UPSTREAM})\n\nCopyright (c) 2017 Zalando SE\n\n${expatText(copyright)}\n`;
  await writeFile(join(OUT_DIR, 'LICENSE'), licenseText);

  const manifest: DatasetManifest = {
    name: info.name,
    description: 'Fashion-MNIST: 28x28 grayscale images of Zalando article photos in 10 classes; 60,000 train and 10,000 test images.',
    source: { debianPackage: PACKAGE, debianVersion: debianVersion(), upstream: UPSTREAM },
    license: { spdx: 'MIT', copyright: 'Copyright (c) 2017 Zalando SE', file: 'LICENSE' },
    imageShape: [info.imageSize, info.imageSize, info.channels],
    classNames: [...info.classNames],
    splits,
    mean: Number(mean.toFixed(6)),
    std: Number(std.toFixed(6)),
  };
  validateManifest(manifest, info, 'manifest.json'); // the loader's own check, before anything ships
  await writeFile(join(OUT_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const index = { datasets: [{ name: info.name, manifest: `${info.name}/manifest.json` }] };
  await writeFile(join(ROOT, 'public', 'datasets', 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  console.log(`wrote ${OUT_DIR} (mean ${manifest.mean}, std ${manifest.std}, package version ${manifest.source.debianVersion ?? 'unknown'})`);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
