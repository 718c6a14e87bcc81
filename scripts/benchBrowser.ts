// The browser side of npm run bench: Chromium flag sets, one benchmark in a fresh browser (the harness page drives
// the real worker through TrainingClient -> `benchmark`), and the main-thread health check of a UI training run.
import { chromium, type Browser } from '@playwright/test';
import type { BenchResult } from '../src/engine/benchmark';
import type { HarnessBenchmarkRequest, HarnessBenchmarkResult } from '../src/workers/harness';
import type { BackendReport } from '../src/workers/protocol';
import { BASE_FLAGS, CHROMIUM, COMPAT_FLAGS, WEBGPU_FLAGS } from '../playwright.config';

export type GpuMode = 'swiftshader' | 'compat' | 'hardware';

/** Chromium flags per GPU mode (shared/WEBGPU-NOTES.md has the measurements behind the software ones). */
export const GPU_FLAGS: Record<GpuMode, string[]> = {
  // Dawn on SwiftShader (Vulkan on the CPU); disable_workgroup_init: ~1.5-2x with identical losses.
  swiftshader: WEBGPU_FLAGS,
  // WebGPU compatibility mode on OpenGL ES (ANGLE -> EGL -> Mesa llvmpipe): 7-16x faster than SwiftShader here.
  compat: COMPAT_FLAGS,
  // A real GPU: no software adapter forced.
  hardware: ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist', '--enable-features=Vulkan'],
};

export const GPU_MODES = Object.keys(GPU_FLAGS) as GpuMode[];

/**
 * A fresh browser (fresh profile, so no Dawn blob cache from an earlier launch). Mesa's on-disk shader cache is off
 * too: with it, llvmpipe (--gpu compat) compiled each shader only on the first launch ever, and every later
 * first-step time measured a cache hit.
 */
export function launch(gpu: GpuMode): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...BASE_FLAGS, ...GPU_FLAGS[gpu]],
    env: { ...process.env, MESA_SHADER_CACHE_DISABLE: 'true' },
    timeout: 60_000,
  });
}

/** Rejects after `ms` with `what` in the message (a page that hangs must not hang the benchmark). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface BenchmarkOutcome {
  report: BackendReport | null;
  results: BenchResult[] | null;
  error: string | null;
  /** Wall time of the whole benchmark message, backend selection included. */
  ms: number;
  browserVersion: string;
  /**
   * WebGPU validation errors the browser logged (page or worker console). An invalid pipeline makes Dawn drop the
   * whole command buffer it is in, so the work around it silently never runs: such a measurement is invalid.
   */
  gpuErrors: string[];
}

/** Console lines of Dawn's validation errors (e.g. "[Invalid CommandBuffer] is invalid due to a previous error"). */
export const GPU_ERROR = /\[Invalid \w+|exceeds the maximum|While validating|GPUValidationError|is invalid due to/;

type HarnessWindow = Window & { __harness: { benchmark(r: HarnessBenchmarkRequest, timeoutMs?: number): Promise<HarnessBenchmarkResult> } };

/**
 * One benchmark request in a fresh browser: a new GPU process, device and shader cache, so first-step times of one
 * measurement never benefit from another's compiled pipelines, and a crash costs one row.
 */
export async function benchmarkInBrowser(gpu: GpuMode, baseUrl: string, request: HarnessBenchmarkRequest, timeoutMs: number): Promise<BenchmarkOutcome> {
  const browser = await launch(gpu);
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    const gpuErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if ((m.type() === 'warning' || m.type() === 'error') && GPU_ERROR.test(m.text()) && gpuErrors.length < 20) gpuErrors.push(m.text().slice(0, 300));
    });
    await page.goto(`${baseUrl}e2e-harness.html?worker=bench`, { timeout: 30_000 });
    await page.waitForFunction(() => '__harness' in window, undefined, { timeout: 30_000 });
    const r = await within(
      page.evaluate(([req, ms]) => (window as unknown as HarnessWindow).__harness.benchmark(req, ms), [request, timeoutMs] as const),
      timeoutMs + 15_000,
      `benchmark ${request.backend} ${request.presets.join(',')}`,
    );
    const error = r.error ?? (pageErrors.length > 0 && !r.results ? `page error: ${pageErrors[0]}` : null);
    return { ...r, error, browserVersion: browser.version(), gpuErrors };
  } finally {
    await browser.close().catch(() => undefined);
  }
}
