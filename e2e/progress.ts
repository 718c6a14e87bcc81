// Waiting on a run's progress, not on the clock: a wait fails when nothing has moved for a while (the run stalled),
// never because a slow or busy machine took longer than some budget in all (STYLE.md habit 15).
import { expect, type Page } from '@playwright/test';

/** Everything that moves while a run makes progress: the run's status and each progress bar's count. */
function progressSignature(page: Page): Promise<string> {
  return page.evaluate(() => {
    const status = document.querySelector('[data-testid="run-status"]')?.getAttribute('data-status') ?? '';
    const bars = [...document.querySelectorAll('[data-testid^="progress-"]')].map((e) => `${e.getAttribute('data-testid')}=${e.getAttribute('data-done')}`);
    return [status, ...bars].join(' ');
  });
}

/**
 * Polls `reached` until it is true; fails if the run's status and progress counts stay the same for `stallMs`
 * (default 5 min: before the first student step, shader compilation on SwiftShader sends no progress for tens of
 * seconds, and for minutes on a loaded 2-core machine).
 */
export async function waitWhileProgressing(page: Page, what: string, reached: () => Promise<boolean>, stallMs = 300_000): Promise<void> {
  let last = await progressSignature(page);
  let lastChange = Date.now();
  for (;;) {
    if (await reached()) return;
    const now = await progressSignature(page);
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    expect(Date.now() - lastChange, `waiting for ${what}: no progress for ${stallMs / 1000} s (${now})`).toBeLessThan(stallMs);
    await page.waitForTimeout(500);
  }
}
