// npm run bench: builds the app, serves it, and measures training throughput of the real worker in Chromium through
// the protocol the UI uses (TrainingClient -> `benchmark`), per backend, preset and variant; then the main thread's
// health during a UI training run. Prints tables, writes bench/results/browser-<gpu>-<time>.json, and exits non-zero
// on any failure. `--node` runs the engine alone in Node instead (scripts/bench-node.ts).
//
//   npm run bench                                  # SwiftShader WebGPU + webgl + wasm + cpu, deit-nano and deit-micro
//   npm run bench -- --gpu compat --backends webgpu --submit-batch 5,15,30,60 --shader-warmup both
//   npm run bench -- --node --presets deit-micro --batch 64
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchResult } from '../src/engine/benchmark';
import { STUDENT_PRESET_NAMES, type BackendChoice, type StudentPreset } from '../src/engine/config';
import type { HarnessBenchmarkRequest } from '../src/workers/harness';
import type { BenchmarkOptions } from '../src/workers/benchProtocol';
import type { BackendReport } from '../src/workers/protocol';
import { CHROMIUM } from '../playwright.config';
import { benchmarkInBrowser, GPU_FLAGS, GPU_MODES, type GpuMode } from './benchBrowser';
import { HEALTH_VIEWS, measureHealth, type HealthResult, type HealthView } from './benchHealth';
import { BenchError, buildApp, serveApp, type Server } from './benchServe';
import { alignTable, formatTable, machineFacts, summarise, variantRatios, writeResults } from './benchTable';

const ROOT = join(import.meta.dirname, '..');
const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

const { values } = parseArgs({
  options: {
    node: { type: 'boolean', default: false },
    gpu: { type: 'string', default: 'swiftshader' },
    backends: { type: 'string' },
    presets: { type: 'string', default: 'deit-nano,deit-micro' },
    batch: { type: 'string', default: '16' },
    steps: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    'shader-warmup': { type: 'string', default: 'off' },
    'submit-batch': { type: 'string', default: '' },
    kernels: { type: 'string', default: 'on' },
    health: { type: 'boolean', default: true },
    'no-health': { type: 'boolean', default: false },
    'health-only': { type: 'boolean', default: false },
    'health-backend': { type: 'string', default: 'auto' },
    'health-hash': { type: 'string', default: '' },
    'health-view': { type: 'string', default: 'charts' },
    'health-trace': { type: 'string' },
    build: { type: 'boolean', default: true },
    'no-build': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '300' },
    deadline: { type: 'string', default: '1500' },
    repeat: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});

const USAGE = `npm run bench [-- options]
  --gpu swiftshader|compat|hardware   Chromium's WebGPU adapter (default swiftshader; compat = OpenGL ES on llvmpipe)
  --backends webgpu,webgl,wasm,cpu     backends to measure (default all; --node: wasm,cpu)
  --presets deit-nano,deit-micro       student presets (${STUDENT_PRESET_NAMES.join(', ')})
  --batch 16 --steps 2 --warmup 1      batch size, timed steps per run (3 runs, median), warm-up steps
  --shader-warmup off|on|both          WebGPU: compile the step's shaders before the first step (both: measure each)
  --submit-batch 5,15,30,60            WebGPU: WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE values to compare (default: tfjs's 15)
  --kernels on|off|both                WebGPU: the engine's own kernels (default on; off: the plain tfjs path; both: an A/B)
  --no-health                          skip the main-thread long-task check of a UI training run
  --health-only                        only that check
  --health-backend auto|webgpu|...     backend of that run (default auto)
  --health-hash 'trainSubset=512&runs=none,soft,hard'
                                       link settings merged over that run's (more steps, several runs compared)
  --health-view charts|insight|top     what that run's window shows while training (default: the training curves)
  --health-trace trace.json            write that run's main-thread trace (open it in Chrome DevTools or Perfetto)
  --no-build                           reuse the previous build
  --repeat 1                           passes over everything, interleaved; the summary shows medians
  --timeout 300                        seconds per measurement; --deadline 1500: seconds for everything
  --node                               the engine alone in Node (cpu, wasm): same as npm run bench:node
  CHROMIUM_PATH overrides /usr/bin/chromium; BENCH_TRACE_CATEGORIES the health trace's categories
  (default toplevel,devtools.timeline; add mojom,v8.execute,blink to see inside its tasks).`;

function fail(message: string, code = 1): never {
  console.error(`\nbench failed: ${message}`);
  process.exit(code);
}

function list(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}

function positiveInt(name: string, s: string, min = 1): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got ${s}`, 2);
  return n;
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const presets = list(values.presets) as StudentPreset[];
for (const p of presets) if (!STUDENT_PRESET_NAMES.includes(p)) fail(`unknown preset ${p}; one of ${STUDENT_PRESET_NAMES.join(', ')}`, 2);
const batchSize = positiveInt('batch', values.batch);
const steps = positiveInt('steps', values.steps);
const warmupSteps = positiveInt('warmup', values.warmup, 0);

if (values.node) {
  // The engine alone: delegate to bench-node with the options it knows.
  const args = ['tsx', join(ROOT, 'scripts', 'bench-node.ts'), '--presets', presets.join(','), '--batch', String(batchSize), '--steps', String(steps), '--warmup', String(warmupSteps)];
  if (values.backends) args.push('--backends', values.backends);
  const r = spawnSync('npx', args, { cwd: ROOT, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const gpu = values.gpu as GpuMode;
if (!GPU_MODES.includes(gpu)) fail(`--gpu must be one of ${GPU_MODES.join(', ')}, got ${values.gpu}`, 2);
const backends = list(values.backends ?? BROWSER_BACKENDS.join(',')) as BackendChoice[];
for (const b of backends) if (!(BROWSER_BACKENDS as readonly string[]).includes(b)) fail(`unknown backend ${b}; one of ${BROWSER_BACKENDS.join(', ')}`, 2);
const warmupModes = { off: [false], on: [true], both: [false, true] }[values['shader-warmup']];
if (!warmupModes) fail(`--shader-warmup must be off, on or both, got ${values['shader-warmup']}`, 2);
const kernelModes = { on: [true], off: [false], both: [false, true] }[values.kernels];
if (!kernelModes) fail(`--kernels must be on, off or both, got ${values.kernels}`, 2);
const healthView = values['health-view'] as HealthView;
if (!Object.hasOwn(HEALTH_VIEWS, healthView)) fail(`--health-view must be one of ${Object.keys(HEALTH_VIEWS).join(', ')}, got ${healthView}`, 2);
const submitBatches: (number | null)[] = values['submit-batch'] ? list(values['submit-batch']).map((s) => positiveInt('submit-batch', s)) : [null];
const timeoutMs = positiveInt('timeout', values.timeout) * 1000;
const repeats = positiveInt('repeat', values.repeat);
const runHealth = values.health && !values['no-health'];

/** A measurement variant: WebGPU options (other backends get the default variant only). */
interface Variant {
  label: string;
  options: BenchmarkOptions;
}

function variantsFor(backend: BackendChoice): Variant[] {
  if (backend !== 'webgpu') return [{ label: 'default', options: {} }];
  const out: Variant[] = [];
  for (const kernels of kernelModes!) {
    for (const submit of submitBatches) {
      for (const warm of warmupModes!) {
        const parts = [kernels ? '' : 'plain tfjs', warm ? 'warm-up' : '', submit === null ? '' : `submit=${submit}`].filter(Boolean);
        const flags = { ...(submit === null ? {} : { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: submit }), ...(kernels ? {} : { DEIT_WEBGPU_KERNELS: false }) };
        out.push({
          label: parts.join(' ') || 'default',
          options: { ...(warm ? { shaderWarmup: true } : {}), ...(Object.keys(flags).length ? { flags } : {}) },
        });
      }
    }
  }
  return out;
}

interface Row {
  backend: BackendChoice;
  variant: string;
  preset: StudentPreset;
  /** Which of the --repeat passes (0-based). */
  repeat: number;
  status: 'ok' | 'unavailable' | 'error';
  reason: string | null;
  report: BackendReport | null;
  result: BenchResult | null;
  wallMs: number;
}

const deadlineMs = positiveInt('deadline', values.deadline) * 1000;
const deadline = setTimeout(() => fail(`the benchmark did not finish within --deadline ${deadlineMs / 1000} s`), deadlineMs);
deadline.unref();

let server: Server | null = null;
const cleanup = () => server?.close();
process.on('exit', cleanup);
process.on('SIGINT', () => fail('interrupted', 130));

/** One benchmark in a fresh browser, classified: ok, unavailable (with the backend report's reason) or error. */
async function measureOne(base: Pick<Row, 'backend' | 'variant' | 'preset' | 'repeat'>, request: HarnessBenchmarkRequest): Promise<{
  row: Row;
  version: string | null;
  missing: { reason: string; report: BackendReport | null } | null;
}> {
  const started = Date.now();
  try {
    const o = await benchmarkInBrowser(gpu, server!.url, request, timeoutMs);
    const wallMs = Date.now() - started;
    const version = o.browserVersion;
    if (o.report && o.report.backend !== base.backend) {
      const missing = { reason: o.report.fallbackReason ?? `got ${o.report.backend}`, report: o.report };
      return { row: { ...base, status: 'unavailable', ...missing, result: null, wallMs }, version, missing };
    }
    if (o.error || !o.results?.[0]) {
      return { row: { ...base, status: 'error', reason: o.error ?? 'no result', report: o.report, result: null, wallMs }, version, missing: null };
    }
    if (o.gpuErrors.length > 0) {
      const reason = `WebGPU validation errors (work was dropped, timings invalid): ${o.gpuErrors.slice(0, 3).join(' | ')}`;
      return { row: { ...base, status: 'error', reason, report: o.report, result: o.results[0], wallMs }, version, missing: null };
    }
    return { row: { ...base, status: 'ok', reason: null, report: o.report, result: o.results[0], wallMs }, version, missing: null };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { row: { ...base, status: 'error', reason, report: null, result: null, wallMs: Date.now() - started }, version: null, missing: null };
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  if (values.build && !values['no-build']) {
    console.log('building the app (vite build)...');
    await buildApp(ROOT);
  }
  server = await serveApp(ROOT);
  console.log(`serving on ${server.url}; Chromium ${CHROMIUM} with --gpu ${gpu}: ${GPU_FLAGS[gpu].join(' ')}`);

  const rows: Row[] = [];
  let browserVersion = '';
  const unavailable = new Map<BackendChoice, { reason: string; report: BackendReport | null }>();
  // Repeats are interleaved (A B A B, not A A B B), so a variant's median never sits in one noisy stretch alone.
  for (let repeat = 0; repeat < (values['health-only'] ? 0 : repeats); repeat++) {
    for (const backend of backends) {
      for (const variant of variantsFor(backend)) {
        for (const preset of presets) {
          const base = { backend, variant: variant.label, preset, repeat };
          const known = unavailable.get(backend);
          if (known) {
            if (repeat === 0) rows.push({ ...base, status: 'unavailable', ...known, result: null, wallMs: 0 });
            continue;
          }
          process.stdout.write(`${repeats > 1 ? `[${repeat + 1}/${repeats}] ` : ''}${backend} ${variant.label} ${preset}: `);
          const request = { backend, presets: [preset], batchSize, steps, warmupSteps, options: variant.options };
          const { row, version, missing } = await measureOne(base, request);
          if (version) browserVersion = version;
          if (missing) unavailable.set(backend, missing);
          rows.push(row);
          const r = row.result;
          console.log(row.status === 'ok' && r
            ? `${r.imagesPerSec.toFixed(1)} img/s, ${r.imagesPerSecPrecomputed.toFixed(1)} precomputed, first step ${r.firstStepMs.toFixed(0)} ms (${(row.wallMs / 1000).toFixed(0)} s)`
            : `${row.status}: ${row.reason}`);
        }
      }
    }
  }

  let health: HealthResult | null = null;
  if (runHealth) {
    process.stdout.write('main-thread health (UI training run)... ');
    const extra = [values['health-hash'], values['health-backend'] === 'auto' ? '' : `backend=${values['health-backend']}`].filter(Boolean).join('&');
    try {
      health = await measureHealth(gpu, server.url, extra, timeoutMs, healthView, values['health-trace']);
    } catch (e) {
      health = null;
      rows.push({ backend: 'auto', variant: 'health', preset: 'deit-nano', repeat: 0, status: 'error', reason: `health run: ${e instanceof Error ? e.message : String(e)}`, report: null, result: null, wallMs: 0 });
    }
    console.log(health ? `${health.runs > 1 ? `${health.runs} runs, ` : ''}${health.steps} steps in ${(health.trainingMs / 1000).toFixed(1)} s` : 'failed');
  }

  const summary = summarise(rows.filter((r) => r.status === 'ok' && r.result).map((r) => ({ ...r.result!, mode: r.variant })));
  console.log(`\n${repeats > 1 ? `medians of ${repeats} interleaved passes\n` : ''}${formatTable(summary)}`);
  const ratios = variantRatios(summary);
  if (ratios.length > 0) console.log(`\nvs the default variant (same run):\n${ratios.join('\n')}`);
  const notOk = rows.filter((r) => r.status !== 'ok');
  for (const r of notOk) console.log(`${r.backend} ${r.variant} ${r.preset}: ${r.status.toUpperCase()}: ${r.reason}`);
  if (health) printHealth(health);

  const adapters = [...new Map(rows.filter((r) => r.report?.adapter).map((r) => [JSON.stringify(r.report!.adapter), r.report!.adapter])).values()];
  const require = createRequire(import.meta.url);
  const file = await writeResults(join(ROOT, 'bench', 'results'), `browser-${gpu}`, {
    kind: 'browser',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineFacts(),
    browser: { executable: CHROMIUM, version: browserVersion, gpu, flags: GPU_FLAGS[gpu] },
    adapters,
    versions: {
      tfjs: rows.find((r) => r.report)?.report?.tfjsVersion ?? null,
      playwright: (require('@playwright/test/package.json') as { version: string }).version,
      vite: (require('vite/package.json') as { version: string }).version,
      node: process.version,
    },
    options: { backends, presets, batchSize, steps, warmupSteps, shaderWarmup: values['shader-warmup'], kernels: values.kernels, submitBatches, timeoutMs },
    wallSeconds: Math.round((Date.now() - t0) / 1000),
    summary,
    rows,
    health,
  });
  console.log(`\nwrote ${file}`);

  const errors = rows.filter((r) => r.status === 'error');
  if (health && health.gpuErrors.length > 0) console.log(`WebGPU validation errors during the UI run: ${health.gpuErrors.slice(0, 3).join(' | ')}`);
  if (health?.error) errors.push({ backend: 'auto', variant: 'health', preset: 'deit-nano', repeat: 0, status: 'error', reason: health.error, report: null, result: null, wallMs: 0 });
  if (errors.length > 0) fail(`${errors.length} measurement(s) failed:\n${errors.map((e) => `  ${e.backend} ${e.variant} ${e.preset}: ${e.reason}`).join('\n')}`);
}

function printHealth(h: HealthResult): void {
  const lt = h.longTasks;
  const cell = (s: { count: number; totalMs: number; maxMs: number }) => [String(s.count), s.totalMs.toFixed(0), s.maxMs.toFixed(0)];
  console.log(`\nmain thread during a UI run (index.html#${h.hash}, ${h.view} in view), backend ${h.backend}: ${h.steps} student steps in ${(h.trainingMs / 1000).toFixed(1)} s, ` +
    `median ${h.medianImagesPerSec?.toFixed(1) ?? '-'} img/s, ${h.evals} evaluations (median gap ${h.medianEvalGapMs?.toFixed(0) ?? '-'} ms)`);
  console.log(alignTable(['long tasks (>= 50 ms)', 'count', 'total ms', 'max ms'], [
    ['page life', ...cell(lt.all)],
    ['before training (load, teacher, precompute)', ...cell(lt.beforeTraining)],
    ['while the student trains', ...cell(lt.duringTraining)],
  ]));
  for (const f of h.slowFramesDuringTraining.slice(0, 3)) {
    const scripts = f.scripts.map((x) => `${x.invoker} ${x.source} ${x.ms} ms`).join('; ') || 'no script';
    console.log(`  slow frame ${f.duration.toFixed(0)} ms (render ${f.renderMs.toFixed(0)} ms): ${scripts}`);
  }
  for (const t of lt.duringTrainingEntries.slice(0, 8)) console.log(`  long task ${t.duration.toFixed(0)} ms at ${(t.start / 1000).toFixed(1)} s, after ${t.after}`);
  if (h.tracedLongTasks) {
    const t = h.tracedLongTasks;
    console.log(`  traced (renderer main thread, from the student's start): ${t.length} task(s) >= 50 ms wall; ` +
      (t.length ? 'wall / thread CPU ms (longest pieces):' : 'none'));
    for (const x of t) console.log(`    ${x.wallMs.toFixed(0)} / ${x.cpuMs === null ? '?' : x.cpuMs.toFixed(0)} (${x.parts.map((p) => `${p.name} ${p.ms.toFixed(0)}`).join(', ') || 'nothing traced inside'})`);
  }
  if (h.mainThreadWork) {
    const w = h.mainThreadWork;
    console.log(`  main thread from the student's start: ${w.tasks} tasks, ${w.cpuMs.toFixed(0)} ms of CPU, ${w.tasksOver5Ms} of them >= 5 ms, the longest ${w.maxCpuMs.toFixed(1)} ms`);
  }
  if (h.viewIntervals.length > 0) {
    console.log(`  the page's redraw interval while training: ${h.viewIntervals.map((v) => `${v.ms} ms ${(v.share * 100).toFixed(0)}%`).join(', ')}`);
  }
  console.log(lt.duringTraining.count === 0 ? 'target met: no long task while training' : `TARGET MISSED: ${lt.duringTraining.count} long task(s) while training`);
  // The long-task count is wall time: on a loaded machine a task of a few ms can wait for a core past 50 ms. The trace
  // says how much of the longest task was the page's own work.
  if (h.mainThreadWork) {
    const longest = h.mainThreadWork.maxCpuMs;
    const waited = lt.duringTraining.count > 0 ? '; the long tasks above were waits for a core' : '';
    console.log(longest < 50 ? `the page's own work: its longest task took ${longest.toFixed(1)} ms of CPU (under 50 ms)${waited}`
      : `the page's own work: a task took ${longest.toFixed(1)} ms of CPU, 50 ms or more by itself`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => fail(e instanceof BenchError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)),
);
