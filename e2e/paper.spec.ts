// DeiT's own claims in the built app (real Chromium, WebGPU on SwiftShader): a student without the distillation
// token trains by a link alone and says so. Waits follow training progress (e2e/progress.ts), never a fixed budget.
import { expect, test } from '@playwright/test';
import { TINY, TINY_STEPS, expectWebGpu, hashOf, openApp, runStatus } from './appHelpers';
import { untilDone } from './progress';

const PCT = /^\d{1,3}\.\d%$/;

test('a link with distToken=false&distillation=hard&autostart=1 trains a student without the distillation token', async ({ page }) => {
  test.setTimeout(900_000);
  const config = { ...TINY, distToken: false, distillation: 'hard' as const };
  const hash = `${hashOf(config)}&autostart=1`;
  expect(hash).toContain('distToken=false');
  const app = await openApp(page, hash);
  await expectWebGpu(page);
  await expect(page.getByTestId('control-distToken')).not.toBeChecked();
  await untilDone(page, async () => (await runStatus(page)) === 'done');
  expect(await page.getByTestId('backend').getAttribute('data-backend')).toBe('webgpu');

  // The distillation-token metric and line say what is missing: not 0, not blank.
  await expect(page.getByTestId('metric-dist-acc')).toHaveText('no distillation token');
  await expect(page.getByTestId('metric-cls-acc')).toHaveText(PCT);
  await expect(page.getByTestId('metric-fused-acc')).toHaveText(await page.getByTestId('metric-cls-acc').textContent() ?? '');
  const accSeries = page.getByTestId('chart-accuracy-series');
  await expect(accSeries.locator('li[data-part="dist"]')).toContainText('no distillation token');
  await expect(accSeries.locator('li[data-part="dist"]')).toHaveAttribute('data-points', '0');
  await expect(accSeries.locator('li[data-part="cls"]')).toHaveAttribute('data-points', String(TINY_STEPS / TINY.evalInterval));
  await expect(accSeries.locator('li[data-part="fused"]')).toContainText('= class token');
  // Both loss terms are the class head's.
  await expect(page.getByTestId('chart-loss-series').locator('li[data-part="distill"]')).toContainText('distillation term (class head)');
  const row = page.getByTestId('run-row');
  await expect(row.getByRole('rowheader')).toContainText('hard α=0.5 · no dist. token');
  await expect(row.getByTestId('no-dist-token')).toHaveText('no distillation token');
  expect(app.errors).toEqual([]);
});
