// The insight views in the built app, on WebGPU (compat adapter): after a tiny hard-distillation run, token
// similarity has points for every layer, both tokens' attention maps are drawn and follow a picked image, agreement
// has points for all three heads, and the confusion matrix has 100 cells whose counts sum to the test images scored.
// Structure and data-* attributes only, never pixels; a screenshot of each view is attached to the report.
import { expect, test, type Locator, type TestInfo } from '@playwright/test';
import { STUDENT_PRESETS, withDefaults } from '../src/engine/config';
import { COMPAT_TAG } from '../playwright.config';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, TINY_STEPS, attrNumber, expectWebGpu, hashOf, openApp, untilStatus } from './appHelpers';

const CONFIG = withDefaults({ ...TINY, distillation: 'hard' });
const DEPTH = STUDENT_PRESETS[CONFIG.student].depth;
const HEADS = STUDENT_PRESETS[CONFIG.student].numHeads;
const EVALS = TINY_STEPS / TINY.evalInterval;

/** A PNG of one view, taken with the viewport as tall as the page so the sticky header never covers it. */
async function attach(view: Locator, testInfo: TestInfo, name: string): Promise<void> {
  const page = view.page();
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => (window.scrollTo(0, 0), document.documentElement.scrollHeight));
  if (viewport) await page.setViewportSize({ width: viewport.width, height: Math.min(height, 8000) });
  try {
    const body = await view.screenshot({ path: testInfo.outputPath(`${name}.png`) });
    await testInfo.attach(name, { body, contentType: 'image/png' });
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
}

const counts = (cells: Locator) => cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));

test('after a run, the insight views show every layer, both tokens, all three heads and a full confusion matrix', { tag: COMPAT_TAG }, async ({ page }, testInfo) => {
  const app = await openApp(page, hashOf(CONFIG));
  await expectWebGpu(page);
  await page.getByRole('button', { name: /Start/ }).click();
  await untilStatus(page, 'done', 'insight run: done');

  // Token similarity: depth + 1 layers, each with a point per evaluation, and the token parameters.
  const cosine = page.getByTestId('chart-token-cosine');
  await expect(cosine).toHaveAttribute('data-layers', String(DEPTH + 1));
  const cosineSeries = page.getByTestId('chart-token-cosine-series').locator('li');
  for (let l = 0; l <= DEPTH; l++) await expect(cosineSeries.and(page.locator(`[data-part="layer-${l}"]`))).toHaveAttribute('data-points', String(EVALS));
  await expect(cosineSeries.and(page.locator('[data-part="params"]'))).toHaveAttribute('data-points', String(EVALS));
  await expect(page.getByTestId('token-cosine-now').locator('circle')).toHaveCount(DEPTH + 2);
  await attach(cosine, testInfo, 'token-cosine');

  // Attention maps: one drawn canvas per layer for each token, of the strip's first image by default.
  const maps = page.getByTestId('attention-maps');
  for (const id of ['attention-map-cls', 'attention-map-dist']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-layers', String(DEPTH));
    await expect(page.getByTestId(id).getByTestId('attention-canvas')).toHaveCount(DEPTH);
    await expect(page.getByTestId(id).locator('canvas[data-drawn="true"]')).toHaveCount(DEPTH);
  }
  await expect(page.getByTestId('attention-map-cls')).toHaveAttribute('data-step', String(TINY_STEPS));
  const strip = page.getByTestId('attention-strip-image');
  await expect(strip).toHaveCount(10);
  await expect(strip.first()).toHaveAttribute('aria-pressed', 'true');
  // A picked image is answered by the worker (the finished run is still held) and drawn.
  await strip.nth(3).click();
  await expect(strip.nth(3)).toHaveAttribute('aria-pressed', 'true');
  const picked = await page.getByTestId('attention-map-cls').getAttribute('data-index');
  await expect(page.getByTestId('attention-map-dist')).toHaveAttribute('data-index', picked!);
  await expect(page.getByTestId('attention-caption')).toContainText(`Test image #${picked}, a Dress`);
  await expect(page.getByTestId('attention-head-mean')).toBeChecked();
  await page.getByTestId(`attention-head-${HEADS - 1}`).check({ force: true });
  await expect(page.getByTestId('attention-map-cls')).toHaveAttribute('data-head', String(HEADS - 1));
  await attach(maps, testInfo, 'attention-maps');

  // Agreement: a point per evaluation for each head.
  for (const head of ['cls', 'dist', 'fused']) await expect.poll(() => attrNumber(page, 'chart-agreement', `data-points-${head}`), { message: head }).toBe(EVALS);
  await attach(page.getByTestId('chart-agreement'), testInfo, 'agreement');

  // Confusion: 100 cells whose counts sum to the test images scored, for each head and the teacher.
  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix).toHaveAttribute('data-count', String(TINY.testSubset));
  const cells = matrix.getByTestId('confusion-cell');
  await expect(cells).toHaveCount(100);
  for (const source of ['fused', 'cls', 'dist', 'teacher']) {
    await matrix.getByTestId(`confusion-source-${source}`).check({ force: true });
    await expect(matrix).toHaveAttribute('data-source', source);
    const c = await counts(cells);
    expect(c.reduce((a, b) => a + b, 0), source).toBe(TINY.testSubset);
  }
  // A click on a non-empty cell shows its images (asked from the worker).
  const c = await counts(cells);
  const busiest = c.indexOf(Math.max(...c));
  await cells.nth(busiest).click();
  await expect(page.getByTestId('confusion-examples')).toHaveAttribute('data-shown', String(Math.min(c[busiest]!, 6)));
  await expect(page.getByTestId('confusion-examples').getByRole('img')).toHaveCount(Math.min(c[busiest]!, 6));
  await attach(matrix, testInfo, 'confusion-matrix');
  await expectNoSeriousA11yViolations(page, testInfo, 'insight-views-after-run');
  expect(app.errors).toEqual([]);
});
