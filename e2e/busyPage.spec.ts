// A main thread that waits for a core: the live views redraw less often (every 0.4-0.8 s instead of 0.2 s), and the
// page says so while the run trains. The wait is made here by a script that holds the main thread 40 ms out of every
// 50, so the views' timers fire late whatever the machine; when it stops, the note goes with the run.
import { expect, test } from '@playwright/test';
import { TINY, expectWebGpu, hashOf, openApp, runStatus, untilStatus } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

test('a busy main thread makes the views redraw less often, and the page says why', { tag: COMPAT_TAG }, async ({ page }) => {
  // 16 epochs of the tiny subset, 64 steps, no teacher logits to precompute: still training when the note appears
  // (it is stopped then).
  const app = await openApp(page, hashOf({ ...TINY, epochs: 16, evalInterval: 16, distillation: 'none' }));
  await expectWebGpu(page);
  // Hidden while nothing trains, whatever the interval (a page load can widen it: its own work makes timers late).
  const note = page.getByTestId('view-pace');
  await expect(note).toBeHidden();

  await page.getByRole('button', { name: /Start/ }).click();
  await untilStatus(page, 'student', 'student training');
  await page.evaluate(() => {
    const w = window as unknown as { __hog?: number };
    w.__hog = window.setInterval(() => {
      const t = performance.now();
      while (performance.now() - t < 40) { /* hold the main thread */ }
    }, 50);
  });
  await waitForProgress(page, async () => Number(await note.getAttribute('data-interval')) >= 400 && await note.isVisible(), { what: 'the wider redraw interval' });
  await expect(note).toContainText(/This machine's cores are busy: charts and tables redraw every 0\.[48] s instead of 0\.2 s/);
  expect(await runStatus(page)).toBe('student');
  // The views still follow the run: the loss chart gains points at the wider interval.
  const points = () => page.getByTestId('chart-loss').getAttribute('data-points-total').then(Number);
  const before = await points();
  await waitForProgress(page, async () => (await points()) > before, { what: 'loss points at the wider interval' });

  await page.evaluate(() => window.clearInterval((window as unknown as { __hog?: number }).__hog));
  await page.getByRole('button', { name: /Stop/ }).click();
  await untilStatus(page, 'stopped', 'run stopped');
  await expect(note).toBeHidden();
  expect(app.errors).toEqual([]);
});
