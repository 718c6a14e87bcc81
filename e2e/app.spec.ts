// The built app in real Chromium with WebGPU (SwiftShader; the training tests on the faster compat adapter, see
// README "e2e on a busy machine"): the backend is known at page load, links restore controls (and malformed ones are
// named, defaulted and never injected), and a mode sweep fills the comparison table. A single run's lines, the page
// at phone width, the insight views, weights, reload and results links are in e2e/tinyRun.spec.ts.
// Roles and data-testid only; progress through expect.poll; never chart pixels (STYLE.md habit 12).
import { expect, test } from '@playwright/test';
import { DEFAULT_CONFIG, LIGHT_SETTINGS } from '../src/engine/config';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, expectWebGpu, hashOf, openApp, pressSlider, readControls, setNumber, snap } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

const PCT = /^\d{1,3}\.\d%$/;

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

  // τ 5 and α 0.35 are not the paper's soft settings: one press sets τ=3, α=0.1, and the note that replaces the
  // button takes the focus.
  const paperNote = fresh.getByTestId('paper-settings');
  await expect(paperNote).toHaveAttribute('data-in-use', 'false');
  await fresh.getByRole('button', { name: 'Use the paper’s soft settings' }).press('Enter');
  await expect(paperNote).toHaveAttribute('data-in-use', 'true');
  await expect(paperNote).toBeFocused();
  await expect(paperNote).toContainText('τ=3, α=0.1');
  expect(await readControls(fresh)).toMatchObject({ distillation: 'soft', tau: '3', alpha: '0.10' });
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
  // Three runs back to back: 4 steps each, evaluated at steps 2 and 4 on 16 images, 16 test images.
  const sweep = { ...TINY, evalSubset: 16, testSubset: 16 };
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
