// The page on a phone (390 px wide, the width of common phones): it never scrolls sideways, before a run and with a
// finished run's numbers, charts and table on it (the table may scroll inside its own box), and axe finds nothing
// serious at that width either.
import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, expectWebGpu, hashOf, openApp, runStatus, snap } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

const PHONE = { width: 390, height: 844 };

/** The page's scroll width against its viewport, and the elements that stick out (outside boxes that scroll). */
function widths(page: Page): Promise<{ scrollWidth: number; clientWidth: number; outside: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const outside = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5 && !e.closest('.table-wrap'))
      .slice(0, 10)
      .map((e) => `${e.tagName.toLowerCase()}.${String(e.className)} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, outside };
  });
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const w = await widths(page);
  expect(w.clientWidth).toBe(PHONE.width);
  expect(w.scrollWidth, `wider than the screen: ${w.outside.join(', ')}`).toBeLessThanOrEqual(w.clientWidth);
}

test('at 390 px the page fits the screen, before and after a run', { tag: COMPAT_TAG }, async ({ page }, testInfo) => {
  await page.setViewportSize(PHONE);
  // 8 steps of the tiny student (64 images, the field's minimum), evaluated at the end: enough to fill the cards,
  // charts and table.
  const app = await openApp(page, hashOf({ ...TINY, trainSubset: 64, evalInterval: 8 }));
  await expectWebGpu(page);
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-first-load');
  await expectNoSeriousA11yViolations(page, testInfo, 'phone-first-load');

  await page.getByTestId('start-button').click();
  await waitForProgress(page, async () => (await runStatus(page)) === 'done', { what: 'the run to finish' });
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('chart-accuracy-series').locator('li[data-part="fused"]')).toHaveAttribute('data-points', '1');
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-run-done');
  await expectNoSeriousA11yViolations(page, testInfo, 'phone-run-done');
  expect(app.errors).toEqual([]);
});
