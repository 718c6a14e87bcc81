// Helpers for e2e/app.spec.ts: tiny configs as share links, opening the app with error collection, the backend
// check every test makes, reading the controls' values, and screenshots attached to the report.
import { expect, type Page, type TestInfo } from '@playwright/test';
import { validateConfig, withDefaults, type TrainConfig } from '../src/engine/config';
import { format } from '../src/ui/shareCodec';
import { waitForProgress } from './progress';

/**
 * Software WebGPU is slow: the tiny run is the fewest training images the app accepts (64) in 4 steps of 16, evaluated
 * every 2 steps on 32 images, and 32 test images at the end of the epoch (the full 10k would take ~20 min on
 * SwiftShader). Measured on the compat adapter, idle: 15 s from Start to done, ~10 s of which is the dataset, the
 * teacher and the first step's shaders; the 96 images in 12 steps of 8 used before took 25 s.
 */
export const TINY: TrainConfig = withDefaults({
  student: 'deit-nano',
  distillation: 'soft',
  batchSize: 16,
  trainSubset: 64,
  epochs: 1,
  evalSubset: 32,
  testSubset: 32,
  evalInterval: 2,
  warmupSteps: 2,
});
export const TINY_STEPS = 4;

/**
 * The share-link hash of a config (the app's own codec, so the link is what the app would write). A config the app
 * would refuse throws here: the page would otherwise fall back to its defaults (10k images) with only a notice.
 */
export function hashOf(config: TrainConfig): string {
  const errors = validateConfig(config);
  if (errors.length > 0) throw new Error(`hashOf: the app would refuse this config: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  return `#${format({ config })}`;
}

export interface AppPage {
  page: Page;
  /** Uncaught exceptions and console errors seen so far. */
  errors: string[];
}

/** Opens the app (optionally with a hash) and records every uncaught error and console error. */
export async function openApp(page: Page, hash = ''): Promise<AppPage> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`./${hash}`);
  await expect(page.getByRole('heading', { level: 1, name: 'DeiT Playground' })).toBeVisible();
  return { page, errors };
}

/** The badge shows the backend the worker's tfjs really uses (answered by the probe at page load): WebGPU. */
export async function expectWebGpu(page: Page): Promise<void> {
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu', { timeout: 90_000 });
  await expect(badge).toContainText('WebGPU');
}

/** A number read from a data-* attribute. */
export async function attrNumber(page: Page, testId: string, attr: string): Promise<number> {
  return Number(await page.getByTestId(testId).first().getAttribute(attr));
}

/** The status of the run the worker holds (RunBar's data-status). */
export function runStatus(page: Page): Promise<string | null> {
  return page.getByTestId('run-status').getAttribute('data-status');
}

/** Waits, on progress and not on the clock, until the run the worker holds reaches `status` (see progress.ts). */
export async function untilStatus(page: Page, status: string, what = `run ${status}`): Promise<number> {
  return waitForProgress(page, async () => (await runStatus(page)) === status, { what });
}

/** Waits, on progress, until a data-* number on a test id reaches `min`. */
export async function untilAttrAtLeast(page: Page, testId: string, attr: string, min: number, what = `${testId} ${attr} >= ${min}`): Promise<number> {
  return waitForProgress(page, async () => (await page.getByTestId(testId).count()) > 0 && (await attrNumber(page, testId, attr)) >= min, { what });
}

/**
 * Types a value into a labelled number field and leaves it (Tab), then checks that it took: the field keeps only a
 * value the store accepted (a refused one reverts on blur), so a value outside the field's range fails here, by name.
 */
export async function setNumber(page: Page, label: string, value: number | string): Promise<void> {
  const field = page.getByRole('spinbutton', { name: label, exact: true });
  await field.fill(String(value));
  await field.press('Tab');
  await expect(field, `${label} should keep ${value} (a refused value reverts)`).toHaveValue(String(value));
  await expect(field).not.toHaveAttribute('aria-invalid', 'true');
}

/** Presses a key on a labelled slider `times` times and checks the value it shows afterwards. */
export async function pressSlider(page: Page, label: string, key: string, times: number, expected: string): Promise<void> {
  const slider = page.getByRole('slider', { name: label });
  await slider.focus();
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
  await expect(slider, `${label} after ${times} x ${key}`).toHaveAttribute('aria-valuetext', expected);
}

/** Every experiment control the share link carries, read as the user sees it. */
export async function readControls(page: Page): Promise<Record<string, string | boolean>> {
  const checked = async (group: string) => {
    const radios = page.getByTestId(`control-${group}`).getByRole('radio');
    for (const r of await radios.all()) if (await r.isChecked()) return (await r.getAttribute('value')) ?? '';
    return '';
  };
  const slider = async (label: string) => (await page.getByRole('slider', { name: label }).getAttribute('aria-valuetext')) ?? '';
  const number = (label: string) => page.getByRole('spinbutton', { name: label, exact: true }).inputValue();
  return {
    distillation: await checked('distillation'),
    tau: await slider('Temperature τ'),
    alpha: await slider('Alpha α'),
    lr: await slider('Learning rate'),
    batch: await slider('Batch size'),
    weightDecay: await slider('Weight decay'),
    epochs: await number('Epochs'),
    warmup: await number('Warm-up steps'),
    evalInterval: await number('Evaluate every (steps)'),
    student: await checked('student'),
    teacher: await checked('teacher'),
    seed: await number('Seed'),
    trainSubset: await number('Training images per epoch'),
    evalSubset: await number('Evaluation images'),
    testSubset: await number('Test images at epoch end'),
    augment: await page.getByRole('checkbox', { name: 'Random shift (±2 px)' }).isChecked(),
    backend: await page.getByRole('combobox', { name: 'Backend' }).inputValue(),
  };
}

/**
 * A PNG of the whole page attached to the report and kept under test-results/ (the test's output folder). The
 * viewport is made as tall as the page for the capture: the control column scrolls on its own (sticky, one screen
 * high), so a plain full-page capture would show only its first screen, and paints sticky parts mid-page.
 */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => {
    window.scrollTo(0, 0);
    const sidebar = document.querySelector('.sidebar');
    return Math.max(document.documentElement.scrollHeight, (sidebar?.scrollHeight ?? 0) + 120);
  });
  if (viewport) await page.setViewportSize({ width: viewport.width, height: Math.min(height, 6000) });
  try {
    const path = testInfo.outputPath(`${name}.png`);
    const body = await page.screenshot({ path });
    await testInfo.attach(name, { body, contentType: 'image/png' });
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
}
