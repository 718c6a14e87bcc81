// Formats benchmark results as a fixed-width table and writes them as JSON with machine and version facts.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../src/engine/benchmark';

/** One row per measurement; `mode` names the run (node, or the browser variant such as "webgpu submit=30"). */
export function formatTable(rows: (BenchResult & { mode?: string })[]): string {
  const head = ['mode', 'backend', 'preset', 'batch', 'warm-up ms', 'first step ms', 'step ms', 'img/s', 'img/s precomp', 'precomp x',
    'read-each ms', 'eval img/s', 'teacher fwd ms', 'student f+b ms', 'optim ms', 'tensors', 'MB'];
  const body = rows.map((r) => [
    r.mode ?? '', r.backend, r.preset, String(r.batchSize), r.shaderWarmupMs === null ? '-' : r.shaderWarmupMs.toFixed(0),
    r.firstStepMs.toFixed(0), r.stepMs.toFixed(1), r.imagesPerSec.toFixed(0), r.imagesPerSecPrecomputed.toFixed(0),
    (r.imagesPerSecPrecomputed / r.imagesPerSec).toFixed(2), r.stepMsReadEveryStep.toFixed(1), r.evalImagesPerSec.toFixed(0),
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

export function machineFacts(): Record<string, unknown> {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version };
}

export async function writeResults(root: string, name: string, payload: Record<string, unknown>): Promise<string> {
  const dir = join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(payload, null, 2) + '\n');
  return file;
}
