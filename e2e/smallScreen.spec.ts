// The page on a phone (390 px wide, the width of common phones): it never scrolls sideways, before a run and with a
// run's progress bars, cards and table row on it (the table may scroll inside its own box), and axe finds nothing
// serious at that width either. The charts are mounted from the start, so their layout is the same before and after
// points arrive; the run is not trained to the end (its first student step can take minutes on a loaded machine).
import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, expectWebGpu, hashOf, openApp, runStatus, snap } from './appHelpers';
import { waitWhileProgressing } from './progress';

const PHONE = { width: 390, height: 844 };

/** The page's scroll width against its viewport, and the elements that stick out (those outside the table's own
 * scrolling box first: inside it, only what escapes the box, such as an absolutely positioned element, widens the page). */
function widths(page: Page): Promise<{ scrollWidth: number; clientWidth: number; outside: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const outside = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5)
      .sort((a, b) => Number(!!a.closest('.table-wrap')) - Number(!!b.closest('.table-wrap')))
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

test('at 390 px the page fits the screen, before and during a run', async ({ page }, testInfo) => {
  test.setTimeout(1_200_000); // a cap only: the run's wait fails when progress stops
  await page.setViewportSize(PHONE);
  const app = await openApp(page, hashOf({ ...TINY, trainSubset: 32 }));
  await expectWebGpu(page);
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-first-load');
  await expectNoSeriousA11yViolations(page, testInfo, 'phone-first-load');

  await page.getByTestId('start-button').click();
  // The teacher's logits being precomputed: three progress bars, the cards and the run's row are on the page.
  await waitWhileProgressing(page, 'the teacher-logits progress bar', async () => (await page.getByTestId('progress-precompute').count()) > 0);
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-run-started');
  await expectNoSeriousA11yViolations(page, testInfo, 'phone-run-started');
  expect(await runStatus(page)).not.toBe('error');
  expect(app.errors).toEqual([]);
});
