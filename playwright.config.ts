// Playwright drives the built app (vite preview) in Debian's Chromium with WebGPU on the CPU: SwiftShader (the core
// WebGPU adapter real browsers resemble most) for most specs, and WebGPU compatibility mode on Mesa llvmpipe (much
// faster here) for the long training specs tagged @compat. README "What the tests prove" says which and why.
import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium quiet on a machine without network, and enable WebGPU (see shared/WEBGPU-NOTES.md). */
export const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  // ~1.5-2x on SwiftShader with identical losses; disable_robustness produced NaN here, so it is not used.
  '--enable-dawn-features=disable_workgroup_init',
];
/**
 * WebGPU compatibility mode on OpenGL ES (ANGLE -> EGL -> Mesa llvmpipe): still WebGPU in tfjs, on a non-fallback
 * adapter with empty info strings; 5-16x faster than SwiftShader for the same steps here (shared/WEBGPU-NOTES.md).
 */
export const COMPAT_FLAGS = [
  '--enable-unsafe-webgpu', '--ignore-gpu-blocklist', '--use-gl=angle', '--use-angle=gl-egl',
  '--use-webgpu-adapter=opengles', '--force-webgpu-compat', '--enable-dawn-features=disable_workgroup_init',
];
/** The tag of tests that run on the compat adapter. */
export const COMPAT_TAG = '@compat';

const PORT = Number(process.env.E2E_PORT ?? 4173);
/** The worker harness page (e2e-harness.html) is not part of the app's build: npm run build:harness puts it in dist-harness, served here. */
export const HARNESS_URL = `http://127.0.0.1:${PORT + 1}/e2e-harness.html`;

export default defineConfig({
  testDir: 'e2e',
  // Waits fail on stalled progress (e2e/progress.ts: 3 min with nothing moving), not on this; a ceiling only.
  timeout: 25 * 60_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'swiftshader',
      grepInvert: new RegExp(COMPAT_TAG),
      use: { launchOptions: { executablePath: CHROMIUM, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] } },
    },
    {
      name: 'compat',
      grep: new RegExp(COMPAT_TAG),
      use: { launchOptions: { executablePath: CHROMIUM, args: [...BASE_FLAGS, ...COMPAT_FLAGS] } },
    },
  ],
  webServer: [
    {
      command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: `npx vite preview --outDir dist-harness --host 127.0.0.1 --port ${PORT + 1} --strictPort`,
      url: HARNESS_URL,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
});
