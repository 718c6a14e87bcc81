// The built app in real Chromium with WebGPU (SwiftShader; the training tests on the faster compat adapter, see
// README "e2e on a busy machine"): the backend is known at page load, a run fills every accuracy line, links restore controls (and
// malformed ones are named, defaulted and never injected), and a mode sweep fills the comparison table.
// Roles and data-testid only; progress through expect.poll; never chart pixels (STYLE.md habit 12).
import { expect, test } from '@playwright/test';
import { DEFAULT_CONFIG, LIGHT_SETTINGS } from '../src/engine/config';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, TINY_STEPS, attrNumber, expectWebGpu, hashOf, openApp, pressSlider, readControls, runStatus, setNumber, snap, untilAttrAtLeast, untilStatus } from './appHelpers';
import { PHONE, expectFitsPhone } from './phone';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

const PCT = /^\d{1,3}\.\d%$/;
/** Playwright's default viewport, restored after the phone-width checks. */
const DESKTOP = { width: 1280, height: 720 };

test('the page loads and shows the backend tfjs really uses: WebGPU (SwiftShader adapter)', async ({ page }, testInfo) => {
  const app = await openApp(page);
  await expectWebGpu(page);
  const badge = page.getByTestId('backend');
  await expect(badge).toContainText('swiftshader');
  await expect(badge).toContainText('software adapter');
  // A software adapter is WebGPU, but slow: the banner says so before anything trains.
  await expect(page.getByTestId('backend-banner')).toContainText('WebGPU on a software adapter');
  await expect(page.getByTestId('run-status')).toHaveText(/Ready: press Start/);
  await expect(page.getByTestId('start-button')).toBeEnabled();
  await expect(page.getByTestId('runs-empty')).toBeVisible();
  await snap(page, testInfo, 'initial-page');
  await expectNoSeriousA11yViolations(page, testInfo, 'first-load');
  // Its first way out: one click sets the light settings, and the share link follows.
  await page.getByRole('button', { name: 'Use light settings' }).click();
  await expect.poll(() => readControls(page)).toMatchObject({
    student: LIGHT_SETTINGS.student, batch: String(LIGHT_SETTINGS.batchSize), trainSubset: String(LIGHT_SETTINGS.trainSubset),
    evalSubset: String(LIGHT_SETTINGS.evalSubset), testSubset: String(LIGHT_SETTINGS.testSubset),
    distillation: DEFAULT_CONFIG.distillation,
  });
  await expect.poll(() => page.evaluate(() => location.hash)).toContain(`trainSubset=${LIGHT_SETTINGS.trainSubset}`);
  expect(app.errors).toEqual([]);
});

test('changing the backend control before Start shows what the new choice gets, then WebGPU again', async ({ page }) => {
  const app = await openApp(page);
  await expectWebGpu(page);
  const badge = page.getByTestId('backend');
  const control = page.getByRole('combobox', { name: 'Backend' });
  // The software-adapter banner's second way out sets the control; the badge and banner follow what the worker got.
  await page.getByRole('button', { name: 'Train on the CPU (WebAssembly)' }).click();
  await expect(control).toHaveValue('wasm');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  await expect(badge).toContainText('as requested');
  await expect(page.getByTestId('backend-banner')).toContainText('Training on WASM, as chosen in the Backend control');
  await control.selectOption('webgl');
  await expect(badge).toHaveAttribute('data-backend', 'webgl');
  await control.selectOption('auto');
  await expectWebGpu(page);
  await expect(page.getByTestId('backend-banner')).toContainText('WebGPU on a software adapter');
  expect(app.errors).toEqual([]);
});

test('a run produces points for the class-token, distillation-token and fused lines and the teacher; the page fits a phone before and after', { tag: COMPAT_TAG }, async ({ page }, testInfo) => {
  const app = await openApp(page, hashOf(TINY));
  await expectWebGpu(page);
  // At 390 px (a common phone) the page never scrolls sideways, and axe finds nothing serious at that width either.
  await expectFitsPhone(page);
  await page.setViewportSize(PHONE);
  await expectNoSeriousA11yViolations(page, testInfo, 'phone-first-load');
  await page.setViewportSize(DESKTOP);
  const t0 = Date.now();
  await page.getByRole('button', { name: /Start/ }).click();

  const chart = page.getByTestId('chart-accuracy');
  const points = (head: string) => attrNumber(page, 'chart-accuracy', `data-points-${head}`);
  // Mid-run: the first evaluation (step 4 of 12) is on the chart while the student still trains.
  await untilAttrAtLeast(page, 'chart-accuracy', 'data-points-fused', 1, 'tiny run: first evaluation');
  const tFirstEval = Date.now() - t0;
  expect(await runStatus(page)).toBe('student');
  // The time left comes from the run's own pace, measured while it trains.
  await expect(page.getByTestId('progress-student')).toContainText(/about \d+ (s|min) left/);
  await snap(page, testInfo, 'mid-run-charts');
  await expectNoSeriousA11yViolations(page, testInfo, 'run-training');

  await untilStatus(page, 'done', 'tiny run: done');
  // The next run's length, from the pace this one measured (same student, batch and backend).
  await expect(page.locator('#epochs-hint')).toContainText(/about \d+ (s|min) at the pace of run #1/);
  // And the preset it trained says how fast it went here.
  await expect(page.getByTestId('control-student')).toContainText(/measured here: ~[\d.]+ images\/s \(run #1, batch 8\)/);
  console.log(`tiny run: first evaluation (step ${TINY.evalInterval}) ${tFirstEval} ms after Start, done after ${Date.now() - t0} ms`);
  // Subset evaluations at steps 4, 8 and 12: three points per line, the teacher scored at each.
  for (const head of ['cls', 'dist', 'fused', 'teacher']) await expect.poll(() => points(head), { message: head }).toBe(TINY_STEPS / TINY.evalInterval);
  await expect(chart).toHaveAttribute('data-teacher-lines', '1');
  await expectNoSeriousA11yViolations(page, testInfo, 'run-done');
  const series = page.getByTestId('chart-accuracy-series').locator('li');
  await expect(series).toHaveCount(3);
  for (const part of ['cls', 'dist', 'fused']) {
    await expect(page.getByTestId('chart-accuracy-series').locator(`li[data-part="${part}"]`)).toHaveAttribute('data-points', '3');
  }
  // What recharts drew (SVG structure, not pixels): the memoised, throttled charts end on the run's last points.
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(3);
  await expect(chart.locator('.recharts-line-dot')).toHaveCount(9);
  const lossPoints = await attrNumber(page, 'chart-loss', 'data-points-total');
  expect(lossPoints).toBeGreaterThan(1);
  const totalLossPath = page.getByTestId('chart-loss').locator('.recharts-line-curve').first();
  await expect.poll(async () => ((await totalLossPath.getAttribute('d')) ?? '').match(/[ML]/g)?.length ?? 0).toBe(lossPoints);
  // A head toggle hides its line (checkbox at once, chart on its next turn) and brings it back, by keyboard too.
  const clsToggle = page.getByTestId('toggle-head-cls');
  await clsToggle.click();
  await expect(clsToggle).not.toBeChecked();
  await expect(series).toHaveCount(2);
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(2);
  await clsToggle.focus();
  await page.keyboard.press('Space');
  await expect(clsToggle).toBeChecked();
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(3);

  for (const id of ['metric-cls-acc', 'metric-dist-acc', 'metric-fused-acc', 'metric-teacher-acc']) {
    await expect(page.getByTestId(id), id).toHaveText(PCT);
  }
  // The shipped teacher is ~90% accurate; 12 steps of a tiny student are not, but they are numbers.
  expect(parseFloat((await page.getByTestId('metric-teacher-acc').textContent())!)).toBeGreaterThan(50);
  const row = page.getByTestId('run-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'done');
  await expect(row.getByRole('cell', { name: `${TINY_STEPS} / ${TINY_STEPS}` })).toBeVisible();
  await expect(page.getByTestId('metric-fused-acc').locator('..')).toContainText(`${TINY.testSubset} test images`);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu');
  // With the finished run's numbers, charts and table on it, the page still fits a phone.
  await expectFitsPhone(page);
  await page.setViewportSize(PHONE);
  await snap(page, testInfo, 'phone-run-done');
  await expectNoSeriousA11yViolations(page, testInfo, 'phone-run-done');
  expect(app.errors).toEqual([]);
});

test('a copied link opened in a fresh page restores the same controls', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL!).origin });
  const app = await openApp(page);
  await expectWebGpu(page);

  await page.getByRole('radio', { name: /^soft/ }).check();
  await pressSlider(page, 'Temperature τ', 'ArrowRight', 2, '5'); // 3 -> 5
  await pressSlider(page, 'Alpha α', 'ArrowLeft', 3, '0.35'); // 0.5 -> 0.35
  const lrBefore = await page.getByRole('slider', { name: 'Learning rate' }).getAttribute('aria-valuetext');
  await page.getByRole('slider', { name: 'Learning rate' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('slider', { name: 'Learning rate' })).not.toHaveAttribute('aria-valuetext', lrBefore ?? '');
  await pressSlider(page, 'Batch size', 'ArrowLeft', 2, '16'); // 64 -> 16
  await setNumber(page, 'Seed', 1234);
  await page.getByRole('radio', { name: /^deit-nano/ }).check();
  await setNumber(page, 'Epochs', 3);

  const set = await readControls(page);
  expect(set).toMatchObject({ distillation: 'soft', tau: '5', alpha: '0.35', batch: '16', seed: '1234', student: 'deit-nano', epochs: '3' });
  expect(set.lr).not.toBe(String(DEFAULT_CONFIG.lr));

  await page.getByRole('button', { name: 'Copy link', exact: true }).click();
  await expect(page.getByRole('button', { name: '✓ Copied' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Link copied to the clipboard' })).toBeAttached();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  // The address bar carries the same link (written within a moment of the last change).
  await expect.poll(() => page.evaluate(() => window.location.href)).toBe(link);
  expect(link).toContain('distillation=soft');
  expect(link).toContain('student=deit-nano');

  const fresh = await context.newPage();
  const app2 = await openApp(fresh, `#${link.split('#')[1]}`);
  await expectWebGpu(fresh);
  await expect(fresh.getByTestId('url-notice')).toHaveCount(0);
  expect(await readControls(fresh)).toEqual(set);
  expect(app.errors).toEqual([]);
  expect(app2.errors).toEqual([]);
});

test('a malformed link names each bad field, uses the defaults, injects nothing and keeps working', async ({ page }, testInfo) => {
  const img = '<img src=x onerror="window.__xss=1">';
  const hash = [
    'tau=abc', 'alpha=7', `student=${encodeURIComponent('<script>window.__xss=2</script>')}`, 'bogus=1',
    `seed=${encodeURIComponent(img)}`, `${encodeURIComponent(img)}=1`, 'batch=8', // batch is fine and kept
  ].join('&');
  const app = await openApp(page, `#${hash}`);
  await expectWebGpu(page);

  const notice = page.getByTestId('url-notice');
  await expect(notice).toBeVisible();
  const items = notice.getByRole('listitem');
  await expect(items).toHaveCount(6);
  for (const [field, says] of [['tau', '"abc" is not a number'], ['alpha', '"7" is outside [0, 1]'], ['student', 'is not one of'], ['seed', 'is not a number']] as const) {
    await expect(notice.locator(`li[data-field="${field}"]`), field).toContainText(says);
  }
  await expect(notice.locator('li[data-field="\\"bogus\\""]')).toContainText('is not a known setting');
  // The raw text is shown as text: visible in the notice, never parsed into elements.
  await expect(notice).toContainText('<script>window.__xss=2</script>');
  await expect(notice).toContainText('<img src=x onerror');
  expect(await page.locator('img[src="x"], script:has-text("__xss")').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

  const c = await readControls(page);
  expect(c).toMatchObject({ tau: String(DEFAULT_CONFIG.tau), alpha: DEFAULT_CONFIG.alpha.toFixed(2), student: DEFAULT_CONFIG.student, seed: String(DEFAULT_CONFIG.seed), batch: '8' });
  await snap(page, testInfo, 'url-notice');
  await expectNoSeriousA11yViolations(page, testInfo, 'url-notice');

  // Still a working page: the notice can be dismissed and the controls respond.
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
  await page.getByRole('radio', { name: /^none/ }).check();
  await expect(page.getByRole('radio', { name: /^none/ })).toBeChecked();
  await expect(page.getByTestId('start-button')).toBeEnabled();
  expect(app.errors).toEqual([]);
});

test('a none / soft / hard sweep trains three runs into the comparison table', { tag: COMPAT_TAG }, async ({ page }, testInfo) => {
  // Three runs back to back: 10 steps each, evaluated at steps 5 and 10 (evaluations cost seconds on SwiftShader).
  const sweep = { ...TINY, trainSubset: 80, evalInterval: 5 };
  const steps = sweep.trainSubset / sweep.batchSize;
  const app = await openApp(page, hashOf(sweep));
  await expectWebGpu(page);
  await page.getByRole('button', { name: 'Sweep none / soft / hard' }).click();

  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(3);
  const statuses = () => rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-status')));
  await waitForProgress(page, async () => (await statuses()).every((s) => s === 'done'), { what: 'sweep: three runs done' });
  expect(await statuses()).toEqual(['done', 'done', 'done']);

  const table = page.getByTestId('runs-table');
  await expect(table).toHaveAttribute('data-rows', '3');
  for (const [i, mode] of ['none', 'soft', 'hard'].entries()) {
    const row = rows.nth(i);
    await expect(row.getByRole('rowheader')).toContainText(`#${i + 1} ${mode}`);
    await expect(row.getByRole('cell', { name: `${steps} / ${steps}` })).toBeVisible();
    await expect(row.getByRole('cell').filter({ hasText: PCT }).first()).toBeVisible();
  }
  // Every run is on the charts, each with its accuracy lines.
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-runs', '3');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu');
  await snap(page, testInfo, 'sweep-finished');
  await expectNoSeriousA11yViolations(page, testInfo, 'runs-table-three-runs');
  expect(app.errors).toEqual([]);
});
