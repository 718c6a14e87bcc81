// DeiT's own claims in the built app (real Chromium, WebGPU on the fast compat adapter): a student without the distillation
// token trains by a link alone and says so, and paper mode (DeiT Table 3) fills its table. Waits follow training
// progress (e2e/progress.ts), never a fixed budget.
import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, TINY_STEPS, expectWebGpu, hashOf, openApp, runStatus } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

const PCT = /^\d{1,3}\.\d%$/;

test('a link with distToken=false&distillation=hard&teacherModel=vit&autostart=1 trains a student without the distillation token from the shipped transformer teacher', { tag: COMPAT_TAG }, async ({ page }) => {
  const config = { ...TINY, distToken: false, distillation: 'hard' as const, teacherModel: 'vit' as const };
  const hash = `${hashOf(config)}&autostart=1`;
  expect(hash).toContain('distToken=false');
  expect(hash).toContain('teacherModel=vit');
  const app = await openApp(page, hash);
  await expectWebGpu(page);
  await expect(page.getByTestId('control-distToken')).not.toBeChecked();
  // The Teacher control shows every shipped teacher with its recorded test accuracy, the transformer chosen.
  await expect(page.getByTestId('teacher-model-vit')).toBeChecked();
  for (const m of ['cnn', 'cnn-matched', 'vit']) {
    await expect(page.getByTestId('control-teacher-model').locator('label', { has: page.getByTestId(`teacher-model-${m}`) })).toContainText(/· \d{2}\.\d% test/);
  }
  await waitForProgress(page, async () => (await runStatus(page)) === 'done', { what: 'no-token run done' });
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
  // The teacher card: the transformer, loaded from its shipped checkpoint, with its accuracy here and as recorded.
  const teacherCard = page.getByTestId('metric-teacher-acc');
  await expect(teacherCard).toHaveText(PCT);
  await expect(teacherCard.locator('..')).toContainText('Transformer (ViT), frozen');
  await expect(teacherCard.locator('..')).toContainText(/shipped checkpoint · \d{2}\.\d% on the full test set/);
  const row = page.getByTestId('run-row');
  await expect(row).toContainText('teacher: Transformer (ViT)');
  await expect(row.getByRole('rowheader')).toContainText('hard α=0.5 · no dist. token');
  await expect(row.getByTestId('no-dist-token')).toHaveText('no distillation token');
  expect(app.errors).toEqual([]);
});

test('paper mode on tiny settings trains the four runs of Table 3 and fills all six rows', { tag: COMPAT_TAG }, async ({ page }, testInfo) => {
  // Four runs back to back: 4 steps each, one evaluation at the end, 16 test images.
  const tiny = { ...TINY, evalInterval: TINY_STEPS, evalSubset: 16, testSubset: 16 };
  const app = await openApp(page, hashOf(tiny));
  await expectWebGpu(page);
  await page.getByTestId('paper-mode-button').click();
  const table = page.getByTestId('paper-table');
  await expect(table).toHaveAttribute('data-planned', '4');
  await expect(page.getByTestId('run-row')).toHaveCount(4);
  // The link now says paper mode (and carries no copy of its runs).
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('&paper=1');
  expect(await page.evaluate(() => location.hash)).not.toContain('runs=');

  await waitForProgress(page, async () => (await table.getAttribute('data-finished')) === '4', { what: 'paper mode: four runs' });
  expect(await page.getByTestId('backend').getAttribute('data-backend')).toBe('webgpu');
  const rows = table.locator('tbody tr[data-row]');
  await expect(rows).toHaveCount(6);
  for (const id of ['none', 'usual-soft', 'hard-class', 'deit-class', 'deit-dist', 'deit-fused']) {
    const row = table.locator(`tr[data-row="${id}"]`);
    await expect(row, id).toHaveAttribute('data-filled', 'true');
    await expect(row.locator('td').nth(0), id).toHaveText(/^\d{1,3}\.\d$/);
    await expect(row.locator('td').nth(1), id).toHaveText(/^[+−]\d+\.\d$/);
  }
  await expect(table.locator('tr[data-row="deit-dist"] td').nth(2)).toHaveText('74.6');
  await expect(page.getByTestId('paper-orderings')).toHaveText(/^(Held here|None of the paper’s orderings held here)/);
  await expect(page.getByTestId('paper-noise')).toContainText('within seed noise');
  expect(decodeURIComponent((await page.getByTestId('paper-export-csv').getAttribute('href'))!)).toContain('deit-fused,');
  expect(decodeURIComponent((await page.getByTestId('paper-export-md').getAttribute('href'))!)).toContain('| DeiT⚗: class + distillation |');
  // The runs table says which settings each run used.
  await expect(page.getByTestId('run-row').nth(1).getByRole('rowheader')).toContainText('soft τ=3 α=0.1 · no dist. token');
  await expectNoSeriousA11yViolations(page, testInfo, 'paper-table-filled');
  expect(app.errors).toEqual([]);
});
