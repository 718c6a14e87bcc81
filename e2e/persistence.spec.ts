// A run cut off mid-training by a reload, in the built app on WebGPU (the fast compat adapter): it comes back interrupted
// with its points, and trains again in one click. (A finished run's reload, results link and export / import are in
// e2e/tinyRun.spec.ts, on the run trained there.)
// Roles and data-testid only; waits on progress (e2e/progress.ts), never on the clock (STYLE.md habits 12 and 15).
import { expect, test } from '@playwright/test';
import { TINY, attrNumber, expectWebGpu, hashOf, openApp, runStatus } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

test('a reload mid-run shows the run as interrupted at its step, with its points, and it can be trained again', { tag: COMPAT_TAG }, async ({ page }) => {
  // 40 steps: still training at the reload however fast the adapter is (the reload comes right after step 2).
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
