// Waiting on training progress in e2e specs: a wait ends when a condition holds and fails only when nothing moved
// for a long stretch (STYLE.md habit 15), never on a fixed budget for the whole run.
import { expect, type Page } from '@playwright/test';

/** What moves while runs train: each run row's status and step count, and the progress bars' counters. */
export async function progressSignature(page: Page): Promise<string> {
  const rows = await page.getByTestId('run-row').evaluateAll((rs) =>
    rs.map((r) => `${r.getAttribute('data-status')}:${r.querySelectorAll('td')[2]?.textContent ?? ''}`).join('|'));
  const bars = await page.locator('[data-testid^="progress-"]').evaluateAll((bs) =>
    bs.map((b) => `${b.getAttribute('data-testid')}=${b.getAttribute('data-done')}`).join('|'));
  return `${rows}#${bars}`;
}

/**
 * Polls `done` every 2 s until it holds. Fails when the progress signature has not changed for `stallMs` (a stuck
 * run), or when a run row shows an error. The default covers the longest silent stretch seen on a busy 2-core
 * machine: the student's shader warm-up on SwiftShader (minutes, with no counter moving).
 */
export async function untilDone(page: Page, done: () => Promise<boolean>, stallMs = 360_000): Promise<void> {
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    if (await done()) return;
    const errored = await page.locator('[data-testid="run-row"][data-status="error"]').count();
    expect(errored, 'a run ended with an error').toBe(0);
    const sig = await progressSignature(page);
    if (sig !== last) {
      last = sig;
      lastChange = Date.now();
    }
    expect(Date.now() - lastChange, `no progress for ${stallMs} ms (last: ${last})`).toBeLessThan(stallMs);
    await page.waitForTimeout(2_000);
  }
}
