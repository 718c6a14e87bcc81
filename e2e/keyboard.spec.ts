// A keyboard alone drives a whole experiment in the built app (WebGPU on the fast compat adapter: nothing here depends
// on the adapter): from the first Tab, copy the link, change the distillation mode, move τ and α (before the run, then
// live while it is paused, where the worker applies them and the run gets its markers), Start, Pause, a chart toggle,
// a sweep and Resume. Every stop on the way shows a visible focus ring.
import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, attrNumber, expectWebGpu, hashOf, openApp, readControls, runStatus } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

const TOTAL_STEPS = (TINY.trainSubset / TINY.batchSize) * 8;

interface Stop {
  /** data-testid of the focused element, or its id, or its tag. */
  name: string;
  /** A visible focus indicator: outline or box-shadow on the element (on its label when the input itself is hidden). */
  ring: string | null;
}

/** What has focus now, and the focus indicator it shows. */
function focused(page: Page): Promise<Stop> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { name: 'body', ring: null };
    const ring = (e: Element): string | null => {
      const s = getComputedStyle(e);
      if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) return `outline ${s.outlineWidth} ${s.outlineStyle}`;
      if (s.boxShadow !== 'none') return `box-shadow ${s.boxShadow}`;
      return null;
    };
    // A visually hidden input (the segmented controls') shows its ring on the label around it.
    const hidden = getComputedStyle(el).opacity === '0';
    const shown = hidden ? el.closest('label') : el;
    return { name: el.dataset.testid ?? (el.id || el.tagName.toLowerCase()), ring: shown ? ring(shown) : null };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the element with this data-testid has focus, checking the focus ring at every stop
 * on the way. Fails if it is not reached within `maxStops`.
 */
async function tabTo(page: Page, testId: string, stops: Stop[], { backward = false, maxStops = 120 } = {}): Promise<void> {
  for (let i = 0; i < maxStops; i++) {
    await page.keyboard.press(backward ? 'Shift+Tab' : 'Tab');
    const stop = await focused(page);
    stops.push(stop);
    expect(stop.ring, `focus ring on ${stop.name}`).not.toBeNull();
    if (stop.name === testId) return;
  }
  throw new Error(`${testId} not reached in ${maxStops} ${backward ? 'Shift+Tab' : 'Tab'} presses; stops: ${stops.map((s) => s.name).join(', ')}`);
}

test('a keyboard alone runs an experiment, with a visible focus ring at every stop', { tag: COMPAT_TAG }, async ({ page, context, baseURL }, testInfo) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL!).origin });
  // 8 epochs of the tiny subset, 32 steps: the run is paused right after step 2, well before it ends however fast the
  // adapter is (more epochs rather than more images: the teacher's logits are precomputed once per training image).
  const app = await openApp(page, hashOf({ ...TINY, epochs: 8, evalInterval: 24 }));
  await expectWebGpu(page);
  const stops: Stop[] = [];

  // The first Tab reaches Copy link, in the header.
  await tabTo(page, 'copy-link', stops, { maxStops: 1 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('copy-link')).toHaveText('✓ Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('distillation=soft');

  // Distillation mode: the group is one stop, the arrows move the choice.
  await tabTo(page, 'distillation-soft', stops);
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('distillation-hard')).toBeChecked();
  await expect(page.getByTestId('distillation-hard')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('distillation-soft')).toBeChecked();

  // τ and α before the run: the next run's settings.
  const tau = page.getByTestId('control-tau');
  const alpha = page.getByTestId('control-alpha');
  await tabTo(page, 'control-tau', stops, { maxStops: 1 });
  await page.keyboard.press('ArrowRight');
  await expect(tau).toHaveAttribute('aria-valuetext', '4');
  await tabTo(page, 'control-alpha', stops, { maxStops: 2 });
  await page.keyboard.press('ArrowLeft');
  await expect(alpha).toHaveAttribute('aria-valuetext', '0.45');
  await expect.poll(() => readControls(page)).toMatchObject({ distillation: 'soft', tau: '4', alpha: '0.45' });

  // Start, then Pause a few steps in: everything below happens between two known steps, however fast the adapter is.
  await tabTo(page, 'start-button', stops);
  await page.keyboard.press('Enter');
  await waitForProgress(page, async () => (await page.getByTestId('progress-student').count()) > 0
    && (await attrNumber(page, 'progress-student', 'data-done')) >= 2, { what: 'student step 2' });
  await tabTo(page, 'pause-button', stops);
  await page.keyboard.press('Enter');
  await waitForProgress(page, async () => (await runStatus(page)) === 'paused', { what: 'the pause' });
  // The progress bars are throttled views: they may show the step before the pause for one more tick. Read the step
  // from bars drawn in the paused state.
  await expect(page.getByTestId('progress-panel')).toHaveAttribute('data-status', 'paused');
  const pausedAt = await attrNumber(page, 'progress-student', 'data-done');
  expect(pausedAt).toBeLessThan(TOTAL_STEPS);
  // The loss chart's drawing is an image named by its summary: each line's latest value, in words.
  await expect(page.getByRole('img', { name: /^Loss by student step, 3 lines\. Latest: #1 soft .* · total [\d.]+ at step \d+; / })).toBeVisible();

  // A chart toggle: Space hides the class-token line from the accuracy chart.
  await tabTo(page, 'toggle-head-cls', stops);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('toggle-head-cls')).not.toBeChecked();
  await expect(page.getByTestId('chart-accuracy-series').locator('li[data-part="cls"]')).toHaveCount(0);

  // A sweep: three runs queued behind the paused one, which holds its step.
  await tabTo(page, 'sweep-modes-button', stops);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-row')).toHaveCount(4);
  await expect(page.getByTestId('start-button')).toContainText('Start queue (3)');
  expect(await attrNumber(page, 'progress-student', 'data-done')).toBe(pausedAt);

  // Back to the sliders: each arrow press is a live change of the paused run, applied at once by the worker, whose echo
  // puts a marker on the charts. One change at a time: two presses within the 250 ms debounce would be one update.
  const markers = page.getByTestId('marker');
  await tabTo(page, 'control-alpha', stops, { backward: true });
  await page.keyboard.press('ArrowLeft');
  await expect(alpha).toHaveAttribute('aria-valuetext', '0.40');
  await waitForProgress(page, async () => (await markers.count()) === 1, { what: 'the α marker' });
  await expect(markers).toContainText('α 0.45 → 0.4');
  await tabTo(page, 'control-tau', stops, { backward: true, maxStops: 2 });
  await page.keyboard.press('ArrowRight');
  await expect(tau).toHaveAttribute('aria-valuetext', '5');
  await waitForProgress(page, async () => (await markers.count()) === 2, { what: 'the τ marker' });
  await expect(markers.filter({ hasText: 'τ 4 → 5' })).toHaveCount(1);
  for (const m of await markers.all()) {
    const step = Number(await m.getAttribute('data-step'));
    expect(step).toBeGreaterThanOrEqual(pausedAt);
    expect(step).toBeLessThan(TOTAL_STEPS);
    await expect(m).toContainText(`at step ${step}`);
  }
  // Both changes are drawn on the charts at their steps.
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-markers', '2');
  await expectNoSeriousA11yViolations(page, testInfo, 'keyboard-paused-with-sweep-queued');
  // Resume: the run trains on with the new values.
  await tabTo(page, 'resume-button', stops);
  await page.keyboard.press('Enter');
  await waitForProgress(page, async () => ['student', 'done'].includes((await runStatus(page)) ?? ''), { what: 'resumed' });
  await expect(page.getByTestId('run-row').first()).toContainText('2 live changes');

  console.log(`keyboard walk: ${stops.length} focus stops, each with a visible ring: ${stops.map((st) => st.name).join(' ')}`);
  await testInfo.attach('focus-stops.txt', { body: stops.map((s) => `${s.name}: ${s.ring}`).join('\n'), contentType: 'text/plain' });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu');
  expect(app.errors).toEqual([]);
});
