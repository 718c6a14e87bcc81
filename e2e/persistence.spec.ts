// Runs that survive a reload, files and results links, in the built app on WebGPU (SwiftShader): a finished run
// comes back after a reload as it was, a run cut off mid-training comes back interrupted with its points, an export
// survives Clear all through an import, and a results link shows the curves in a fresh browser without training.
// Roles and data-testid only; progress through expect.poll (STYLE.md habits 12 and 15).
import { expect, test, type Page } from '@playwright/test';
import { TINY, TINY_STEPS, attrNumber, expectWebGpu, hashOf, openApp, runStatus } from './appHelpers';

/** What a reader of the page sees of the runs: each row's text, and the points of the focused run's lines. */
async function snapshot(page: Page) {
  return {
    rows: await page.getByTestId('run-row').allInnerTexts(),
    fused: await attrNumber(page, 'chart-accuracy', 'data-points-fused'),
    teacher: await attrNumber(page, 'chart-accuracy', 'data-points-teacher'),
    loss: await attrNumber(page, 'chart-loss', 'data-points-total'),
  };
}

/** Every progress counter on the page and the run's status: it changes as long as the run moves. */
async function progressSignature(page: Page): Promise<string> {
  const rows = page.locator('[data-testid^="progress-"]');
  const parts = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-testid')}=${e.getAttribute('data-done')}`));
  return `${await runStatus(page)}|${parts.join(',')}`;
}

/** Waits until `done()` holds, for as long as the run keeps making progress; fails after `stallMs` without any. */
async function whileProgressing(page: Page, done: () => Promise<boolean>, stallMs = 120_000): Promise<void> {
  let last = '';
  let lastChange = Date.now();
  while (!(await done())) {
    const sig = await progressSignature(page);
    if (sig !== last) {
      last = sig;
      lastChange = Date.now();
    }
    expect(Date.now() - lastChange, `no progress for ${stallMs} ms (last: ${last})`).toBeLessThan(stallMs);
    await page.waitForTimeout(500);
  }
}

/** Trains TINY to the end and waits until the run is in storage. */
async function trainTiny(page: Page) {
  await page.getByRole('button', { name: /Start/ }).click();
  await whileProgressing(page, async () => (await runStatus(page)) === 'done');
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saved');
}

test('a reload after a finished run restores it: the same row and the same chart points', async ({ page }) => {
  test.setTimeout(600_000);
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
  expect(app.errors).toEqual([]);
});

test('a reload mid-run shows the run as interrupted at its step, with its points, and it can be trained again', async ({ page }) => {
  test.setTimeout(600_000);
  const app = await openApp(page, hashOf(TINY));
  await expectWebGpu(page);
  await page.getByRole('button', { name: /Start/ }).click();
  // Past the first evaluation (step 4), and saved at least once since.
  await whileProgressing(page, async () => (await attrNumber(page, 'chart-accuracy', 'data-points-fused')) >= 1);
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saved', { timeout: 30_000 });
  expect(await runStatus(page)).toBe('student');

  await page.reload();
  const row = page.getByTestId('run-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'interrupted');
  const text = (await row.getByTestId('run-interrupted').textContent()) ?? '';
  const step = Number(/interrupted at step (\d+)/.exec(text)?.[1]);
  expect(step).toBeGreaterThanOrEqual(TINY.evalInterval);
  expect(step).toBeLessThan(TINY_STEPS);
  expect(await attrNumber(page, 'chart-accuracy', 'data-points-fused')).toBeGreaterThanOrEqual(1);
  expect(await attrNumber(page, 'chart-loss', 'data-points-total')).toBeGreaterThanOrEqual(1);
  expect(await runStatus(page)).toBe('none');

  // One click trains the same config again, as a new run beside the interrupted one.
  await expectWebGpu(page);
  await row.getByTestId('retrain-run').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  await whileProgressing(page, async () => (await page.getByTestId('progress-student').count()) > 0 && (await attrNumber(page, 'progress-student', 'data-done')) >= 1);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'interrupted');
  expect(app.errors).toEqual([]);
});
