// The training worker in real Chromium: WebGPU on SwiftShader trains a tiny run end to end; without the WebGPU flag
// the backend report says what was used instead and why, and that backend trains too; and the build keeps tfjs out
// of the main-thread bundle.
import { chromium, expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDefaults, type TrainConfig } from '../src/engine/config';
import type { HarnessRunOptions, HarnessRunResult } from '../src/workers/harness';
import type { BackendReport, FromWorker, MetricsPoint } from '../src/workers/protocol';
import { BASE_FLAGS, CHROMIUM, HARNESS_URL } from '../playwright.config';

type HarnessWindow = Window & {
  __harness: { init(c: TrainConfig): Promise<FromWorker>; run(c: TrainConfig, o?: HarnessRunOptions): Promise<HarnessRunResult> };
};

/** SwiftShader is slow: one block of width 32, batch 8, 64 images (8 steps), the shipped pre-trained teacher. */
const TINY = withDefaults({
  student: 'deit-nano',
  batchSize: 8,
  trainSubset: 64,
  epochs: 1,
  evalSubset: 16,
  // The test-split pass scores the first 16 images (the same batch shape as the subset, so no new shaders): all 10k
  // take ~20 min on SwiftShader (measured ~117 ms/image at batch 256).
  testSubset: 16,
  evalInterval: 4,
  warmupSteps: 2,
  distillation: 'soft',
  teacher: 'pretrained',
  precomputeTeacher: true,
});

const RUN_OPTS: HarnessRunOptions = { sample: true };

async function openHarness(page: Page): Promise<void> {
  await page.goto(HARNESS_URL);
  await page.waitForFunction(() => '__harness' in window);
}

function runTiny(page: Page): Promise<HarnessRunResult> {
  return page.evaluate(([c, o]) => (window as unknown as HarnessWindow).__harness.run(c, o), [TINY, RUN_OPTS] as const);
}

const byType = <T extends FromWorker['type']>(ms: FromWorker[], type: T) =>
  ms.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);

/** Checks a finished tiny run and returns its backend report; logs step times for the record. */
function checkTinyRun(result: HarnessRunResult): BackendReport {
  const { messages, receivedAt } = result;
  const errors = byType(messages, 'error');
  expect(errors, JSON.stringify(errors)).toEqual([]);
  expect(result.crashed).toBeNull();
  expect(result.timedOut, 'the harness gave up waiting on the run').toBeNull();
  expect(byType(messages, 'status').at(-1)!.status).toBe('done');

  const points: MetricsPoint[] = byType(messages, 'metrics').flatMap((m) => m.points).filter((p) => p.phase === 'student');
  expect(points.at(-1)!.step).toBe(8);
  for (const p of points) expect([p.loss.total, p.loss.base, p.loss.distill, p.gradNorm].every(Number.isFinite)).toBe(true);
  const evals = byType(messages, 'eval').map((m) => m.point);
  expect(evals.filter((e) => e.split === 'subset').map((e) => e.step)).toEqual([4, 8]);
  expect(evals.filter((e) => e.split === 'test').map((e) => [e.step, e.count])).toEqual([[8, 16]]);
  for (const e of evals) expect(e.teacherAcc).toBeGreaterThan(0.5);
  const teacher = byType(messages, 'teacher')[0]!.info;
  expect(teacher.source).toBe('pretrained');
  expect(teacher.evalAccuracy).toBeGreaterThan(0.5);
  const sample = byType(messages, 'sample')[0]!.sample;
  expect(sample.attention[0]![0]![0]).toHaveLength(51); // [cls, dist, 49 patches]
  expect(sample.fusedProbs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

  // Timings for the report: the first step (shader compilation) from the 'student' status to the first point,
  // then ms per step from images/s (wall time between log points, evaluations excluded).
  const at = (pred: (m: FromWorker) => boolean) => receivedAt[messages.findIndex(pred)]!;
  const studentStart = at((m) => m.type === 'status' && m.status === 'student');
  const firstPoint = at((m) => m.type === 'metrics' && m.points.some((p) => p.phase === 'student'));
  const stepMs = points.slice(1).map((p) => (TINY.batchSize * 1000) / p.imagesPerSec);
  const ready = byType(messages, 'ready')[0]!;
  const phaseMs = {
    dataset: at((m) => m.type === 'status' && m.status === 'teacher') - at((m) => m.type === 'status' && m.status === 'loading'),
    teacherEvalAndPrecompute: studentStart - at((m) => m.type === 'status' && m.status === 'teacher'),
    student: at((m) => m.type === 'status' && m.status === 'done') - studentStart,
  };
  console.log(`[${ready.backend.backend}] phases (ms) ${JSON.stringify(phaseMs)}; first step ${(firstPoint - studentStart).toFixed(0)} ms; ` +
    `then ${stepMs.map((s) => s.toFixed(0)).join(' ')} ms/step (batch ${TINY.batchSize})`);
  console.log(`[${ready.backend.backend}] evals: ${evals.map((e) => `${e.split}@${e.step} n=${e.count} fused=${e.fusedAcc?.toFixed(3)} teacher=${e.teacherAcc?.toFixed(3)}`).join('; ')}`);
  return ready.backend;
}

test('the worker trains a tiny DeiT on WebGPU (SwiftShader) with finite losses', async ({ page }) => {
  await openHarness(page);
  const report = checkTinyRun(await runTiny(page));
  expect(report.backend).toBe('webgpu');
  expect(report.fallbackReason).toBeNull();
  expect(report.convImpl).toBe('native');
  expect(report.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader' });
  console.log(`adapter ${JSON.stringify(report.adapter)}`);
});

test('without --enable-unsafe-webgpu the worker reports the fallback backend and why, and trains on it', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_FLAGS });
  try {
    const page = await browser.newPage();
    await openHarness(page);
    const report = checkTinyRun(await runTiny(page));
    console.log(`fallback report: ${JSON.stringify(report)}`);
    expect(report.backend).not.toBe('webgpu');
    expect(report.backend).toBe(report.attempts.find((a) => a.ok)!.backend);
    expect(report.attempts[0]).toMatchObject({ backend: 'webgpu', ok: false });
    expect(report.fallbackReason).toMatch(/requestAdapter\(\) returned null|navigator\.gpu is undefined/);
    expect(report.adapter).toBeNull();
  } finally {
    await browser.close();
  }
});

test('a forced wasm backend loads its binaries from the build (setWasmPaths) and trains the tiny run', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(([c, o]) => (window as unknown as HarnessWindow).__harness.run(c, o), [{ ...TINY, backend: 'wasm' }, RUN_OPTS] as const);
  const report = checkTinyRun(result);
  expect(report).toMatchObject({ requested: 'wasm', backend: 'wasm', convImpl: 'im2col', fallbackReason: 'the config chose wasm' });
});

/** A field name of the benchmark's results (engine/benchmark.ts) that minification keeps: the benchmark code is in a chunk. */
const BENCH_MARKER = /shaderWarmupMs/;

test('the build runs tfjs in a worker chunk and keeps it out of the main-thread entry; test and bench pages stay out of it', () => {
  const root = join(import.meta.dirname, '..');
  const dist = join(root, 'dist');
  const assets = readdirSync(join(dist, 'assets'));
  const worker = assets.find((f) => /^training\.worker-.*\.js$/.test(f));
  expect(worker, `no training.worker chunk in ${assets.join(', ')}`).toBeDefined();
  // The app's build: no harness page, no bench worker, and the app's worker without the benchmark code.
  expect(readdirSync(dist)).not.toContain('e2e-harness.html');
  expect(assets.filter((f) => /bench|harness/.test(f))).toEqual([]);
  expect(readFileSync(join(dist, 'assets', worker!), 'utf8')).not.toMatch(BENCH_MARKER);
  // Strings of tfjs-core (backend init warning, env flags) that survive minification.
  const tfjsMarker = /Initialization of backend|WEBGL_VERSION|tfjsflags/;
  expect(readFileSync(join(dist, 'assets', worker!), 'utf8')).toMatch(tfjsMarker);
  // Every chunk a page loads on the main thread: its scripts, then what they import (static or dynamic), transitively.
  for (const [dir, page] of [[dist, 'index.html'], [join(root, 'dist-harness'), 'e2e-harness.html']] as const) {
    const html = readFileSync(join(dir, page), 'utf8');
    const queue = [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(queue.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    while (queue.length > 0) {
      const chunk = queue.pop()!;
      if (seen.has(chunk)) continue;
      seen.add(chunk);
      const code = readFileSync(join(dir, 'assets', chunk), 'utf8');
      expect(code, `${page} -> ${chunk}`).not.toMatch(tfjsMarker);
      for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["']\.\/([^"']+\.js)["']/g)) queue.push(m[1]!);
    }
    expect([...seen].some((c) => /worker/.test(c)), `${page} must load the worker as a Worker, not import it`).toBe(false);
  }
  // The harness build carries the bench worker, with the benchmark code in it (the marker is not a false negative).
  const harnessAssets = readdirSync(join(root, 'dist-harness', 'assets'));
  const bench = harnessAssets.find((f) => /^bench\.worker-.*\.js$/.test(f));
  expect(bench, `no bench.worker chunk in ${harnessAssets.join(', ')}`).toBeDefined();
  expect(readFileSync(join(root, 'dist-harness', 'assets', bench!), 'utf8')).toMatch(BENCH_MARKER);
});
