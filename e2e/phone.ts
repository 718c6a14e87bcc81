// The page on a phone (390 px wide, the width of common phones): it never scrolls sideways (a table may scroll inside
// its own box). Used by the tiny-run test in app.spec.ts, before its run and with the finished run's numbers, charts
// and table on the page.
import { expect, type Page } from '@playwright/test';

export const PHONE = { width: 390, height: 844 };

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

/** At phone width, nothing makes the page wider than the screen; the viewport is restored afterwards. */
export async function expectFitsPhone(page: Page): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize(PHONE);
  const w = await widths(page);
  expect(w.clientWidth).toBe(PHONE.width);
  expect(w.scrollWidth, `wider than the screen: ${w.outside.join(', ')}`).toBeLessThanOrEqual(w.clientWidth);
  if (before) await page.setViewportSize(before);
}
