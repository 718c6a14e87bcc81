// Formats benchmark results as a fixed-width table and writes them as JSON with machine and version facts.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { median, type BenchResult } from '../src/engine/benchmark';

/** One row per measurement; `mode` names the run (node, or the browser variant such as "webgpu submit=30"). */
export function formatTable(rows: (BenchResult & { mode?: string })[]): string {
  const head = ['mode', 'backend', 'preset', 'batch', 'warm-up ms', 'first step ms', 'step ms', 'img/s', 'img/s precomp', 'precomp x',
    'read-each ms', 'eval img/s', 'eval cached', 'teacher fwd ms', 'student f+b ms', 'optim ms', 'tensors', 'MB'];
  const body = rows.map((r) => [
    r.mode ?? '', r.backend, r.preset, String(r.batchSize), r.shaderWarmupMs === null ? '-' : r.shaderWarmupMs.toFixed(0),
    r.firstStepMs.toFixed(0), r.stepMs.toFixed(1), r.imagesPerSec.toFixed(0), r.imagesPerSecPrecomputed.toFixed(0),
    (r.imagesPerSecPrecomputed / r.imagesPerSec).toFixed(2), r.stepMsReadEveryStep.toFixed(1), r.evalImagesPerSec.toFixed(0),
    r.evalImagesPerSecCachedTeacher === undefined ? '-' : r.evalImagesPerSecCachedTeacher.toFixed(0),
    r.split.teacherForwardMs.toFixed(1), r.split.studentForwardBackwardMs.toFixed(1), r.split.optimizerMs.toFixed(1),
    String(r.numTensors), (r.numBytes / 2 ** 20).toFixed(1),
  ]);
  return alignTable(head, body);
}

/** Right-aligned columns under a header and a rule. */
export function alignTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

type Row = BenchResult & { mode?: string };

/** Field-wise medians per (mode, backend, preset, batch), in first-seen order; img/s recomputed from the step medians. */
export function summarise(rows: Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = [r.mode, r.backend, r.preset, r.batchSize].join('|');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const med = (f: (r: Row) => number) => median(g.map(f));
    const first = g[0]!;
    const stepMs = med((r) => r.stepMs);
    const stepMsPrecomputed = med((r) => r.stepMsPrecomputed);
    const warm = g.map((r) => r.shaderWarmupMs).filter((v): v is number => v !== null);
    return {
      ...first,
      shaderWarmupMs: warm.length > 0 ? median(warm) : null,
      firstStepMs: med((r) => r.firstStepMs),
      stepMs,
      imagesPerSec: (first.batchSize * 1000) / stepMs,
      stepMsPrecomputed,
      imagesPerSecPrecomputed: (first.batchSize * 1000) / stepMsPrecomputed,
      stepMsReadEveryStep: med((r) => r.stepMsReadEveryStep),
      evalImagesPerSec: med((r) => r.evalImagesPerSec),
      evalImagesPerSecCachedTeacher: med((r) => r.evalImagesPerSecCachedTeacher),
      split: {
        teacherForwardMs: med((r) => r.split.teacherForwardMs),
        studentForwardBackwardMs: med((r) => r.split.studentForwardBackwardMs),
        optimizerMs: med((r) => r.split.optimizerMs),
      },
      numTensors: Math.max(...g.map((r) => r.numTensors)),
      numBytes: Math.max(...g.map((r) => r.numBytes)),
      runs: g.length,
    } as Row;
  });
}

/** For each non-default variant: its step throughput and first visible step (warm-up + first step) against 'default'. */
export function variantRatios(summary: Row[]): string[] {
  const lines: string[] = [];
  for (const r of summary) {
    if (r.mode === 'default' || r.mode === undefined) continue;
    const d = summary.find((x) => x.mode === 'default' && x.backend === r.backend && x.preset === r.preset && x.batchSize === r.batchSize);
    if (!d) continue;
    const visible = (x: Row) => (x.shaderWarmupMs ?? 0) + x.firstStepMs;
    lines.push(`${r.backend} ${r.preset} ${r.mode}: img/s x${(r.imagesPerSec / d.imagesPerSec).toFixed(2)}, ` +
      `img/s precomputed x${(r.imagesPerSecPrecomputed / d.imagesPerSecPrecomputed).toFixed(2)}, ` +
      `first visible step ${visible(r).toFixed(0)} vs ${visible(d).toFixed(0)} ms (x${(visible(d) / visible(r)).toFixed(2)} faster)`);
  }
  return lines;
}

export function machineFacts(): Record<string, unknown> {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version };
}

/** Writes `payload` as `<dir>/<name>-<timestamp>.json` (dir: usually the repo's bench/results). */
export async function writeResults(dir: string, name: string, payload: Record<string, unknown>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(payload, null, 2) + '\n');
  return file;
}
