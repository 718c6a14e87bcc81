// Runs that survive a reload, files and results links, in the built app on WebGPU (the fast compat adapter): a finished run
// comes back after a reload as it was and its results link shows the same curves in a fresh browser without training
// (a tampered one names the problem), an export survives Clear all through an import (same test, one training), and a
// run cut off mid-training comes back interrupted with its points.
// Roles and data-testid only; waits on progress (e2e/progress.ts), never on the clock (STYLE.md habits 12 and 15).
import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, TINY_STEPS, attrNumber, expectWebGpu, hashOf, openApp, runStatus } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

/** What a reader of the page sees of the runs: each row's text, and the points of the focused run's lines. */
async function snapshot(page: Page) {
  return {
    rows: await page.getByTestId('run-row').allInnerTexts(),
    fused: await attrNumber(page, 'chart-accuracy', 'data-points-fused'),
    teacher: await attrNumber(page, 'chart-accuracy', 'data-points-teacher'),
    loss: await attrNumber(page, 'chart-loss', 'data-points-total'),
  };
}

/** Trains TINY to the end and waits until the run is in storage. */
async function trainTiny(page: Page) {
  await page.getByRole('button', { name: /Start/ }).click();
  await waitForProgress(page, async () => (await runStatus(page)) === 'done', { what: 'tiny run done' });
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saved');
  // The charts follow the store on a throttle: wait until they show the last evaluation.
  await expect.poll(() => attrNumber(page, 'chart-accuracy', 'data-points-fused')).toBe(TINY_STEPS / TINY.evalInterval);
}

test('a finished run survives a reload, its results link shows the same curves in a fresh browser without training, and export / Clear all / import brings it back', { tag: COMPAT_TAG }, async ({ page, browser }, testInfo) => {
  const app = await openApp(page, hashOf(TINY));
  await expectWebGpu(page);
  await trainTiny(page);
  const before = await snapshot(page);
  expect(before.fused).toBe(TINY_STEPS / TINY.evalInterval);
  expect(before.loss).toBeGreaterThan(1);

  await page.reload();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row')).toHaveAttribute('data-status', 'done');
  await expect.poll(() => snapshot(page)).toEqual(before);
  // Nothing trains after the reload, and the link's run was not queued a second time.
  expect(await runStatus(page)).toBe('none');
  await expectWebGpu(page);

  // The results link, opened where nothing was ever trained: the same curves and table numbers, nothing training.
  await page.getByTestId('share-results-button').click();
  const link = await page.getByTestId('results-link').inputValue();
  expect(link).toMatch(/#.*&results=[A-Za-z0-9_-]+$/);
  const fresh = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const other = await openApp(await fresh.newPage(), link.slice(link.indexOf('#')));
  const row = other.page.getByTestId('run-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('run-from-results-link')).toHaveText('results from a link, not trained here');
  await expect(other.page.getByTestId('results-link-note')).toBeVisible();
  await expect(other.page.getByTestId('url-notice')).toHaveCount(0);
  await expect.poll(async () => ({ ...await snapshot(other.page), rows: [] })).toEqual({ ...before, rows: [] });
  for (const id of ['metric-cls-acc', 'metric-fused-acc']) {
    await expect(other.page.getByTestId(id)).toHaveText(await page.getByTestId(id).innerText());
  }
  expect(await runStatus(other.page)).toBe('none');
  // The progress row shows the shared run's own steps (all of them), not a run in progress here.
  await expect(other.page.getByTestId('progress-student')).toHaveAttribute('data-done', String(TINY_STEPS));

  // A tampered link: the notice names the results part, the settings still load, no run appears, no crash.
  // In a browser of its own: the fresh one above has stored the shared runs, which a page there restores.
  const clean = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const tampered = await openApp(await clean.newPage(), link.slice(link.indexOf('#')).replace(/results=(.{12})/, 'results=$1Zq'));
  await expect(tampered.page.getByTestId('url-notice')).toContainText('results');
  await expect(tampered.page.getByTestId('url-notice').locator('li[data-field="results"]')).toContainText('not shown');
  await expect(tampered.page.getByTestId('runs-empty')).toBeVisible();
  await expectNoSeriousA11yViolations(other.page, testInfo, 'results-link-opened');
  await expectNoSeriousA11yViolations(tampered.page, testInfo, 'tampered-results-link-notice');
  await expect(tampered.page.getByRole('spinbutton', { name: 'Training images per epoch', exact: true })).toHaveValue(String(TINY.trainSubset));
  expect([...other.errors, ...tampered.errors]).toEqual([]);
  await fresh.close();
  await clean.close();

  // Export, Clear all, import on the first page: the same table comes back, marked imported; a refused file changes nothing.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const path = testInfo.outputPath('runs.json');
  await download.saveAs(path);
  await page.getByTestId('clear-all-button').click();
  await expect(page.getByTestId('runs-empty')).toBeVisible();

  // A tampered copy is refused with the problem named, and the table stays empty.
  const fs = await import('node:fs/promises');
  const text = await fs.readFile(path, 'utf8');
  await page.getByTestId('import-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(text.replace('"version":1', '"version":9')) });
  await expect(page.getByTestId('import-error')).toContainText('version 9 is not supported');
  await expect(page.getByTestId('runs-empty')).toBeVisible();

  await page.getByTestId('import-file').setInputFiles(path);
  await expect(page.getByTestId('import-done')).toContainText('Imported 1 run');
  const importedRow = page.getByTestId('run-row');
  await expect(importedRow).toHaveCount(1);
  await expect(importedRow.getByTestId('run-imported')).toBeVisible();
  // The same row but for the "imported" mark and the new number (#2: numbers are never reused).
  // The charts follow the store on a throttle: their counts catch up a moment after the row appears.
  await expect.poll(async () => ({ ...await snapshot(page), rows: [] })).toEqual({ ...before, rows: [] });
  const after = await snapshot(page);
  expect(after.rows[0]!.replace(/\s*imported/, '').replace('#2', '#1')).toBe(before.rows[0]);
  // And it survives a reload like any other run.
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await expect(page.getByTestId('run-row').getByTestId('run-imported')).toBeVisible();
  expect(app.errors).toEqual([]);
});

test('a reload mid-run shows the run as interrupted at its step, with its points, and it can be trained again', { tag: COMPAT_TAG }, async ({ page }) => {
  // 80 steps: still training at the reload however fast the adapter is (the reload comes right after step 4).
  const long = { ...TINY, trainSubset: 320, epochs: 2 };
  const longSteps = (long.trainSubset / long.batchSize) * long.epochs;
  const app = await openApp(page, hashOf(long));
  await expectWebGpu(page);
  await page.getByRole('button', { name: /Start/ }).click();
  // Past the first evaluation (step 4), and saved at least once since.
  await waitForProgress(page, async () => (await attrNumber(page, 'chart-accuracy', 'data-points-fused')) >= 1, { what: 'first evaluation' });
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saved', { timeout: 30_000 });
  expect(await runStatus(page)).toBe('student');

  await page.reload();
  const row = page.getByTestId('run-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'interrupted');
  const text = (await row.getByTestId('run-interrupted').textContent()) ?? '';
  const step = Number(/interrupted at step (\d+)/.exec(text)?.[1]);
  expect(step).toBeGreaterThanOrEqual(TINY.evalInterval);
  expect(step).toBeLessThan(longSteps);
  await expect.poll(() => attrNumber(page, 'chart-accuracy', 'data-points-fused')).toBeGreaterThanOrEqual(1);
  await expect.poll(() => attrNumber(page, 'chart-loss', 'data-points-total')).toBeGreaterThanOrEqual(1);
  expect(await runStatus(page)).toBe('none');

  // One click trains the same config again, as a new run beside the interrupted one.
  await expectWebGpu(page);
  await row.getByTestId('retrain-run').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  const again = page.getByTestId('run-row').nth(1);
  await waitForProgress(page, async () => ['student', 'done'].includes((await again.getAttribute('data-status')) ?? ''), { what: 're-trained run training' });
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'interrupted');
  expect(app.errors).toEqual([]);
});
