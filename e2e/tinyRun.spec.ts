// One tiny hard-distillation run in the built app on WebGPU (the fast compat adapter), looked at from every side on
// one page, in order: its accuracy lines and the teacher's fill while it trains and the page fits a phone; the insight
// views show every layer, both tokens, all three heads and a full confusion matrix; the student and its teacher
// download as checkpoints; the run survives a reload, its results link shows the same curves in a fresh browser
// without training (a tampered one names the problem) and an export survives Clear all through an import; a next run
// cut off by a reload comes back interrupted with its points and trains again in one click; the downloaded teacher,
// loaded from its files, teaches the run after. One page for six tests: each page's first run costs ~10 s of dataset,
// teacher and shaders before its first step here, twice that with one core busy (README "How long the suite takes").
// Serial: a test that fails skips the ones after it, which need its state.
// Roles and data-testid only; waits on progress (e2e/progress.ts), never on the clock (STYLE.md habits 12 and 15);
// structure and data-* attributes, never chart pixels; screenshots of each view attached to the report.
import { readFile } from 'node:fs/promises';
import { expect, test, type BrowserContext, type Download, type Locator, type Page, type TestInfo } from '@playwright/test';
import { STUDENT_PRESETS } from '../src/engine/config';
import { formatCompact } from '../src/ui/format';
import { COMPAT_TAG } from '../playwright.config';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, attrNumber, expectWebGpu, hashOf, openApp, runStatus, setNumber, snap, untilAttrAtLeast, untilStatus, type AppPage } from './appHelpers';
import { PHONE, expectFitsPhone } from './phone';
import { waitForProgress } from './progress';

/**
 * 16 steps of 16 (two epochs of 8), evaluated every 4 steps: the checks made mid-run, after the first evaluation, find
 * it training with 12 steps to go, however late the views redraw (every 0.2-0.8 s: useThrottledStore).
 */
const RUN = { ...TINY, distillation: 'hard' as const, trainSubset: 128, epochs: 2, evalInterval: 4 };
const STEPS_PER_EPOCH = RUN.trainSubset / RUN.batchSize;
const STEPS = STEPS_PER_EPOCH * RUN.epochs;
const EVALS = STEPS / RUN.evalInterval;
const DEPTH = STUDENT_PRESETS[RUN.student].depth;
const HEADS = STUDENT_PRESETS[RUN.student].numHeads;
const PCT = /^\d{1,3}\.\d%$/;
/** Playwright's default viewport, restored after the phone-width checks. */
const DESKTOP = { width: 1280, height: 720 };

/** What a reader of the page sees of the runs: each row's text, and the points of the focused run's lines. */
async function snapshot(page: Page) {
  return {
    rows: await page.getByTestId('run-row').allInnerTexts(),
    fused: await attrNumber(page, 'chart-accuracy', 'data-points-fused'),
    teacher: await attrNumber(page, 'chart-accuracy', 'data-points-teacher'),
    loss: await attrNumber(page, 'chart-loss', 'data-points-total'),
  };
}

/** Clicks a download button and saves the two files it produces; returns their paths by extension. */
async function saveCheckpoint(page: Page, testInfo: TestInfo, button: string): Promise<{ json: string; bin: string }> {
  const got: Download[] = [];
  const onDownload = (d: Download) => void got.push(d);
  page.on('download', onDownload);
  await page.getByTestId(button).click();
  await expect.poll(() => got.length).toBe(2);
  page.off('download', onDownload);
  await expect(page.getByTestId('weights-saved')).toBeVisible();
  const paths: Record<string, string> = {};
  for (const d of got) {
    const name = d.suggestedFilename();
    const path = testInfo.outputPath(name);
    await d.saveAs(path);
    paths[name.endsWith('.json') ? 'json' : 'bin'] = path;
  }
  expect(Object.keys(paths).sort()).toEqual(['bin', 'json']);
  return paths as { json: string; bin: string };
}

async function trainToEnd(page: Page, what: string) {
  await page.getByRole('button', { name: /Start/ }).click();
  await waitForProgress(page, async () => (await runStatus(page)) === 'done', { what });
}

/**
 * A PNG of one view. The sticky header is laid out in place for the capture (Playwright's `style`), so it never covers
 * the view; resizing the viewport to the page's height instead re-rendered every chart twice per capture.
 */
async function attach(view: Locator, testInfo: TestInfo, name: string): Promise<void> {
  const body = await view.screenshot({ path: testInfo.outputPath(`${name}.png`), style: '.app-header { position: static !important; }' });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

const counts = (cells: Locator) => cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));

test.describe('one tiny run, from every side', { tag: COMPAT_TAG }, () => {
  test.describe.configure({ mode: 'serial' });
  let context: BrowserContext;
  let page: Page;
  let app: AppPage;
  /** The checkpoints the third test downloads and the fifth loads. */
  let student: { json: string; bin: string } | undefined;
  let teacher: { json: string; bin: string } | undefined;

  test.beforeAll(async ({ browser }, workerInfo) => {
    context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL });
    page = await context.newPage();
  });
  test.afterAll(async () => {
    await context.close();
  });

  test('a run produces points for the class-token, distillation-token and fused lines and the teacher; the page fits a phone before and after', async ({}, testInfo) => {
    app = await openApp(page, hashOf(RUN));
    await expectWebGpu(page);
    // At 390 px (a common phone) the page never scrolls sideways. (axe checks the first load at desktop width in
    // app.spec.ts, and this page at phone width once the finished run's charts and table are on it, below.)
    await expectFitsPhone(page);
    const t0 = Date.now();
    await page.getByRole('button', { name: /Start/ }).click();

    const chart = page.getByTestId('chart-accuracy');
    const points = (head: string) => attrNumber(page, 'chart-accuracy', `data-points-${head}`);
    // Mid-run: the first evaluation (step 4 of 16) is on the chart while the student still trains.
    await untilAttrAtLeast(page, 'chart-accuracy', 'data-points-fused', 1, 'tiny run: first evaluation');
    const tFirstEval = Date.now() - t0;
    expect(await runStatus(page)).toBe('student');
    // The time left comes from the run's own pace, measured while it trains.
    await expect(page.getByTestId('progress-student')).toContainText(/about \d+ (s|min) left/);
    await snap(page, testInfo, 'mid-run-charts');
    await expectNoSeriousA11yViolations(page, testInfo, 'run-training');

    await untilStatus(page, 'done', 'tiny run: done');
    // The next run's length, from the pace this one measured (same student, batch and backend).
    await expect(page.locator('#epochs-hint')).toContainText(/about \d+ (s|min) at the pace of run #1/);
    // And the preset it trained says how fast it went here.
    await expect(page.getByTestId('control-student')).toContainText(new RegExp(`measured here: ~[\\d.]+ images/s \\(run #1, batch ${RUN.batchSize}\\)`));
    console.log(`tiny run: first evaluation (step ${RUN.evalInterval}) ${tFirstEval} ms after Start, done after ${Date.now() - t0} ms`);
    // Subset evaluations every 4 steps: EVALS points per line, the teacher scored at each.
    for (const head of ['cls', 'dist', 'fused', 'teacher']) await expect.poll(() => points(head), { message: head }).toBe(EVALS);
    await expect(chart).toHaveAttribute('data-teacher-lines', '1');
    await expectNoSeriousA11yViolations(page, testInfo, 'run-done');
    const series = page.getByTestId('chart-accuracy-series').locator('li');
    await expect(series).toHaveCount(3);
    for (const part of ['cls', 'dist', 'fused']) {
      await expect(page.getByTestId('chart-accuracy-series').locator(`li[data-part="${part}"]`)).toHaveAttribute('data-points', String(EVALS));
    }
    // What the chart drew (SVG structure, not pixels): the memoised, throttled charts end on the run's last points.
    await expect(chart.locator('.series-line')).toHaveCount(3);
    await expect(chart.locator('.series-dot')).toHaveCount(3 * EVALS);
    const lossPoints = await attrNumber(page, 'chart-loss', 'data-points-total');
    expect(lossPoints).toBeGreaterThan(1);
    const totalLossPath = page.getByTestId('chart-loss').locator('.series-line').first();
    await expect.poll(async () => ((await totalLossPath.getAttribute('d')) ?? '').match(/[ML]/g)?.length ?? 0).toBe(lossPoints);
    // A head toggle hides its line (checkbox at once, chart on its next turn) and brings it back, by keyboard too.
    const clsToggle = page.getByTestId('toggle-head-cls');
    await clsToggle.click();
    await expect(clsToggle).not.toBeChecked();
    await expect(series).toHaveCount(2);
    await expect(chart.locator('.series-line')).toHaveCount(2);
    await clsToggle.focus();
    await page.keyboard.press('Space');
    await expect(clsToggle).toBeChecked();
    await expect(chart.locator('.series-line')).toHaveCount(3);
    // The lines follow the axes (they are drawn outside recharts' data: x through its scale, y by the live layer): on
    // the images-seen axis and zoomed, every line stays inside the plot area that recharts' own axis lines bound.
    const lineEnds = () => chart.locator('svg.recharts-surface').evaluate((svg) => {
      const xLine = svg.querySelector('.recharts-xAxis .recharts-cartesian-axis-line')!.getBoundingClientRect();
      const yLine = svg.querySelector('.recharts-yAxis .recharts-cartesian-axis-line')!.getBoundingClientRect();
      const plot = { left: yLine.left, right: xLine.right, top: yLine.top, bottom: xLine.bottom };
      return [...svg.querySelectorAll('.series-line')].map((p) => {
        const box = p.getBoundingClientRect();
        return box.left >= plot.left - 1 && box.right <= plot.right + 1 && box.top >= plot.top - 4 && box.bottom <= plot.bottom + 4 && box.width > 0;
      });
    });
    await expect.poll(lineEnds).toEqual([true, true, true]);
    await page.getByTestId('x-axis-images').check();
    await expect(chart.locator('svg.recharts-surface')).toContainText('images seen');
    await expect(chart.locator('.series-line')).toHaveCount(3);
    await expect.poll(lineEnds).toEqual([true, true, true]);
    // The y ticks are the live layer's (the recharts frame keeps a fixed y domain): accuracy in percent, and the
    // throughput axis, which grew from its empty 0-1 range to the run's images/s, labelled to match.
    await expect(chart.locator('.y-axis-live .y-tick text')).toHaveText(['0%', '20%', '40%', '60%', '80%', '100%']);
    const throughputAxis = page.getByTestId('chart-throughput').locator('.y-axis-live');
    expect(Number(await throughputAxis.getAttribute('data-y0'))).toBe(0);
    const y1 = Number(await throughputAxis.getAttribute('data-y1'));
    expect(y1).toBeGreaterThan(1);
    const labels = await throughputAxis.locator('.y-tick text').allTextContents();
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels[0]).toBe('0');
    expect(labels.at(-1)).toBe(formatCompact(y1));
    await page.getByTestId('toggle-zoom').check();
    await expect.poll(lineEnds).toEqual([true, true, true]);
    await page.getByTestId('toggle-zoom').uncheck();
    await page.getByTestId('x-axis-step').check();
    await expect(chart.locator('svg.recharts-surface')).toContainText('student step');

    for (const id of ['metric-cls-acc', 'metric-dist-acc', 'metric-fused-acc', 'metric-teacher-acc']) {
      await expect(page.getByTestId(id), id).toHaveText(PCT);
    }
    // The shipped teacher is ~90% accurate; 8 steps of a tiny student are not, but they are numbers.
    expect(parseFloat((await page.getByTestId('metric-teacher-acc').textContent())!)).toBeGreaterThan(50);
    const row = page.getByTestId('run-row');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-status', 'done');
    await expect(row.getByRole('cell', { name: `${STEPS} / ${STEPS}` })).toBeVisible();
    await expect(page.getByTestId('metric-fused-acc').locator('..')).toContainText(`${RUN.testSubset} test images`);
    await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu');
    // With the finished run's numbers, charts and table on it, the page still fits a phone.
    await expectFitsPhone(page);
    await page.setViewportSize(PHONE);
    await snap(page, testInfo, 'phone-run-done');
    await expectNoSeriousA11yViolations(page, testInfo, 'phone-run-done');
    await page.setViewportSize(DESKTOP);
    expect(app.errors).toEqual([]);
  });

  test('after the run, the insight views show every layer, both tokens, all three heads and a full confusion matrix', async ({}, testInfo) => {
    expect(await runStatus(page)).toBe('done');

    // Token similarity: depth + 1 layers, each with a point per evaluation, and the token parameters.
    const cosine = page.getByTestId('chart-token-cosine');
    await expect(cosine).toHaveAttribute('data-layers', String(DEPTH + 1));
    const cosineSeries = page.getByTestId('chart-token-cosine-series').locator('li');
    for (let l = 0; l <= DEPTH; l++) await expect(cosineSeries.and(page.locator(`[data-part="layer-${l}"]`))).toHaveAttribute('data-points', String(EVALS));
    await expect(cosineSeries.and(page.locator('[data-part="params"]'))).toHaveAttribute('data-points', String(EVALS));
    await expect(page.getByTestId('token-cosine-now').locator('circle')).toHaveCount(DEPTH + 2);
    await attach(cosine, testInfo, 'token-cosine');

    // Attention maps: one drawn canvas per layer for each token, of the strip's first image by default.
    const maps = page.getByTestId('attention-maps');
    for (const id of ['attention-map-cls', 'attention-map-dist']) {
      await expect(page.getByTestId(id)).toHaveAttribute('data-layers', String(DEPTH));
      await expect(page.getByTestId(id).getByTestId('attention-canvas')).toHaveCount(DEPTH);
      await expect(page.getByTestId(id).locator('canvas[data-drawn="true"]')).toHaveCount(DEPTH);
    }
    await expect(page.getByTestId('attention-map-cls')).toHaveAttribute('data-step', String(STEPS));
    const strip = page.getByTestId('attention-strip-image');
    await expect(strip).toHaveCount(10);
    await expect(strip.first()).toHaveAttribute('aria-pressed', 'true');
    // A picked image is answered by the worker (the finished run is still held) and drawn.
    await strip.nth(3).click();
    await expect(strip.nth(3)).toHaveAttribute('aria-pressed', 'true');
    const picked = await page.getByTestId('attention-map-cls').getAttribute('data-index');
    await expect(page.getByTestId('attention-map-dist')).toHaveAttribute('data-index', picked!);
    await expect(page.getByTestId('attention-caption')).toContainText(`Test image #${picked}, a Dress`);
    await expect(page.getByTestId('attention-head-mean')).toBeChecked();
    await page.getByTestId(`attention-head-${HEADS - 1}`).check({ force: true });
    await expect(page.getByTestId('attention-map-cls')).toHaveAttribute('data-head', String(HEADS - 1));
    await attach(maps, testInfo, 'attention-maps');

    // Agreement: a point per evaluation for each head.
    for (const head of ['cls', 'dist', 'fused']) await expect.poll(() => attrNumber(page, 'chart-agreement', `data-points-${head}`), { message: head }).toBe(EVALS);
    await attach(page.getByTestId('chart-agreement'), testInfo, 'agreement');

    // Confusion: 100 cells whose counts sum to the test images scored, for each head and the teacher.
    const matrix = page.getByTestId('confusion-matrix');
    await expect(matrix).toHaveAttribute('data-count', String(RUN.testSubset));
    const cells = matrix.getByTestId('confusion-cell');
    await expect(cells).toHaveCount(100);
    for (const source of ['fused', 'cls', 'dist', 'teacher']) {
      await matrix.getByTestId(`confusion-source-${source}`).check({ force: true });
      await expect(matrix).toHaveAttribute('data-source', source);
      const c = await counts(cells);
      expect(c.reduce((a, b) => a + b, 0), source).toBe(RUN.testSubset);
    }
    // A click on a non-empty cell shows its images (asked from the worker).
    const c = await counts(cells);
    const busiest = c.indexOf(Math.max(...c));
    await cells.nth(busiest).click();
    await expect(page.getByTestId('confusion-examples')).toHaveAttribute('data-shown', String(Math.min(c[busiest]!, 6)));
    await expect(page.getByTestId('confusion-examples').getByRole('img')).toHaveCount(Math.min(c[busiest]!, 6));
    await attach(matrix, testInfo, 'confusion-matrix');
    await expectNoSeriousA11yViolations(page, testInfo, 'insight-views-after-run');
    expect(app.errors).toEqual([]);
  });

  test('the trained student and its teacher download as checkpoints (.json + .weights.bin)', async ({}, testInfo) => {
    await expect(page.getByTestId('download-student-weights')).toBeEnabled();
    student = await saveCheckpoint(page, testInfo, 'download-student-weights');
    const studentJson = JSON.parse(await readFile(student.json, 'utf8'));
    expect(studentJson).toMatchObject({ format: 'deit-playground-student/1', preset: RUN.student, step: STEPS, distToken: true });
    expect((await readFile(student.bin)).byteLength).toBe(studentJson.parameters * 4);

    teacher = await saveCheckpoint(page, testInfo, 'download-teacher-weights');
    const teacherJson = JSON.parse(await readFile(teacher.json, 'utf8'));
    expect(teacherJson).toMatchObject({ format: 'deit-playground-teacher/1', dataset: 'fashion-mnist', parameters: 426_122 });
    expect(app.errors).toEqual([]);
  });

  test('the finished run survives a reload, its results link shows the same curves in a fresh browser without training, and export / Clear all / import brings it back', async ({ browser }, testInfo) => {
    await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saved');
    // The charts follow the store on a throttle: wait until they show the last evaluation.
    await expect.poll(() => attrNumber(page, 'chart-accuracy', 'data-points-fused')).toBe(EVALS);
    const before = await snapshot(page);
    expect(before.fused).toBe(EVALS);
    expect(before.loss).toBeGreaterThan(1);

    await page.reload();
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-row')).toHaveAttribute('data-status', 'done');
    await expect.poll(() => snapshot(page)).toEqual(before);
    // Nothing trains after the reload, and the link's run was not queued a second time.
    expect(await runStatus(page)).toBe('none');
    await expectWebGpu(page);

    // The results link, opened where nothing was ever trained: the same curves and table numbers, nothing training.
    await page.getByTestId('share-results-button').click();
    const link = await page.getByTestId('results-link').inputValue();
    expect(link).toMatch(/#.*&results=[A-Za-z0-9_-]+$/);
    const fresh = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    const other = await openApp(await fresh.newPage(), link.slice(link.indexOf('#')));
    const row = other.page.getByTestId('run-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('run-from-results-link')).toHaveText('results from a link, not trained here');
    await expect(other.page.getByTestId('results-link-note')).toBeVisible();
    await expect(other.page.getByTestId('url-notice')).toHaveCount(0);
    await expect.poll(async () => ({ ...await snapshot(other.page), rows: [] })).toEqual({ ...before, rows: [] });
    for (const id of ['metric-cls-acc', 'metric-fused-acc']) {
      await expect(other.page.getByTestId(id)).toHaveText(await page.getByTestId(id).innerText());
    }
    expect(await runStatus(other.page)).toBe('none');
    // The progress row shows the shared run's own steps (all of them), not a run in progress here.
    await expect(other.page.getByTestId('progress-student')).toHaveAttribute('data-done', String(STEPS));

    // A tampered link: the notice names the results part, the settings still load, no run appears, no crash.
    // In a browser of its own: the fresh one above has stored the shared runs, which a page there restores.
    const clean = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    const tampered = await openApp(await clean.newPage(), link.slice(link.indexOf('#')).replace(/results=(.{12})/, 'results=$1Zq'));
    await expect(tampered.page.getByTestId('url-notice')).toContainText('results');
    await expect(tampered.page.getByTestId('url-notice').locator('li[data-field="results"]')).toContainText('not shown');
    await expect(tampered.page.getByTestId('runs-empty')).toBeVisible();
    await expectNoSeriousA11yViolations(other.page, testInfo, 'results-link-opened');
    await expectNoSeriousA11yViolations(tampered.page, testInfo, 'tampered-results-link-notice');
    await expect(tampered.page.getByRole('spinbutton', { name: 'Training images per epoch', exact: true })).toHaveValue(String(RUN.trainSubset));
    expect([...other.errors, ...tampered.errors]).toEqual([]);
    await fresh.close();
    await clean.close();

    // Export, Clear all, import on the first page: the same table comes back, marked imported; a refused file changes nothing.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const path = testInfo.outputPath('runs.json');
    await download.saveAs(path);
    await page.getByTestId('clear-all-button').click();
    await expect(page.getByTestId('runs-empty')).toBeVisible();

    // A tampered copy is refused with the problem named, and the table stays empty.
    const fs = await import('node:fs/promises');
    const text = await fs.readFile(path, 'utf8');
    await page.getByTestId('import-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(text.replace('"version":1', '"version":9')) });
    await expect(page.getByTestId('import-error')).toContainText('version 9 is not supported');
    await expect(page.getByTestId('runs-empty')).toBeVisible();

    await page.getByTestId('import-file').setInputFiles(path);
    await expect(page.getByTestId('import-done')).toContainText('Imported 1 run');
    const importedRow = page.getByTestId('run-row');
    await expect(importedRow).toHaveCount(1);
    await expect(importedRow.getByTestId('run-imported')).toBeVisible();
    // The same row but for the "imported" mark and the new number (#2: numbers are never reused).
    // The charts follow the store on a throttle: their counts catch up a moment after the row appears.
    await expect.poll(async () => ({ ...await snapshot(page), rows: [] })).toEqual({ ...before, rows: [] });
    const after = await snapshot(page);
    expect(after.rows[0]!.replace(/\s*imported/, '').replace('#2', '#1')).toBe(before.rows[0]);
    // And it survives a reload like any other run.
    await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saved');
    await page.reload();
    await expect(page.getByTestId('run-row').getByTestId('run-imported')).toBeVisible();
    expect(app.errors).toEqual([]);
  });

  test('a reload mid-run shows the run as interrupted at its step, with its points, and it can be trained again', async () => {
    // 20 epochs, 160 steps: still training at the reload however fast the adapter is and however late the views
    // redraw (the reload comes a few steps after the first evaluation, once a save has followed it: 3 epochs were
    // done by then once in CI). More epochs rather than more images: the teacher's logits are precomputed once per
    // training image, and the run never gets far.
    await setNumber(page, 'Epochs', 20);
    const longSteps = STEPS_PER_EPOCH * 20;
    await page.getByRole('button', { name: /Start/ }).click();
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    const live = page.getByTestId('run-row').nth(1);
    const runId = await live.getAttribute('data-run-id');
    // A step past the first evaluation (step 4), and saved since: two writes completed after it, so the second began
    // after it. (While a run trains the storage line stays "saving" between writes: waiting for "saved" was a race.)
    await waitForProgress(page, async () => (await page.getByTestId('progress-student').count()) > 0
      && (await attrNumber(page, 'progress-student', 'data-done')) > RUN.evalInterval, { what: 'a step past the first evaluation' });
    const writes = await attrNumber(page, 'storage-status', 'data-writes');
    await waitForProgress(page, async () => (await attrNumber(page, 'storage-status', 'data-writes')) >= writes + 2, { what: 'two saves since' });
    expect(await runStatus(page)).toBe('student');

    await page.reload();
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    await expect(row).toHaveAttribute('data-status', 'interrupted');
    const text = (await row.getByTestId('run-interrupted').textContent()) ?? '';
    const step = Number(/interrupted at step (\d+)/.exec(text)?.[1]);
    expect(step).toBeGreaterThanOrEqual(RUN.evalInterval);
    expect(step).toBeLessThan(longSteps);
    // Its points came back with it: its accuracy lines hold the first evaluation, its loss line the steps read.
    const seriesPoints = (chart: string, part: string) =>
      page.getByTestId(`${chart}-series`).locator(`li[data-run-id="${runId}"][data-part="${part}"]`).getAttribute('data-points').then(Number);
    await expect.poll(() => seriesPoints('chart-accuracy', 'fused')).toBeGreaterThanOrEqual(1);
    await expect.poll(() => seriesPoints('chart-loss', 'total')).toBeGreaterThanOrEqual(1);
    expect(await runStatus(page)).toBe('none');

    // One click trains the same config again, as a new run beside the interrupted one; stopped once it trains.
    await expectWebGpu(page);
    await row.getByTestId('retrain-run').click();
    await expect(page.getByTestId('run-row')).toHaveCount(3);
    const again = page.getByTestId('run-row').nth(2);
    await waitForProgress(page, async () => (await again.getAttribute('data-status')) === 'student', { what: 're-trained run training' });
    await expect(row).toHaveAttribute('data-status', 'interrupted');
    await page.getByRole('button', { name: /Stop/ }).click();
    await untilStatus(page, 'stopped', 're-trained run stopped');
    expect(app.errors).toEqual([]);
  });

  test('the downloaded teacher, loaded from its files, teaches the next run; wrong picks are refused', async ({}, testInfo) => {
    expect(teacher, 'the teacher checkpoint downloaded by the weights test').toBeDefined();
    const teacherJson = JSON.parse(await readFile(teacher!.json, 'utf8'));
    // A wrong pick (the manifest alone) is refused with the reason; nothing is loaded.
    await page.getByTestId('teacher-file-input').setInputFiles([teacher!.json]);
    await expect(page.getByTestId('teacher-file-error')).toContainText('pick two files together');
    await expect(page.getByTestId('teacher-file-status')).toHaveCount(0);
    // The student's checkpoint is not a teacher.
    await page.getByTestId('teacher-file-input').setInputFiles([student!.json, student!.bin]);
    await expect(page.getByTestId('teacher-file-error')).toContainText('this is a student checkpoint');

    await page.getByTestId('teacher-file-input').setInputFiles([teacher!.json, teacher!.bin]);
    const status = page.getByTestId('teacher-file-status');
    await expect(status).toContainText(`Next runs’ teacher: ${teacherJson.weightsManifest[0].paths[0].replace('.weights.bin', '.json')}`);
    await expect(status).toContainText('426,122 parameters');
    await expect(page.getByTestId('teacher-file-error')).toHaveCount(0);
    await expectNoSeriousA11yViolations(page, testInfo, 'teacher-file-loaded');

    // One epoch of half the images (4 steps): this run only has to show whose teacher it learnt from.
    await setNumber(page, 'Epochs', 1);
    await setNumber(page, 'Training images per epoch', 64);
    await trainToEnd(page, 'run with the teacher from file done');
    // Beside the imported, interrupted and re-trained runs of the tests before.
    await expect(page.getByTestId('run-row')).toHaveCount(4);
    const card = page.getByTestId('metric-teacher-acc').locator('..');
    await expect(card).toContainText('from file deit-playground-');
    // The same weights as the shipped teacher: well above chance on the evaluation images.
    expect(parseFloat((await page.getByTestId('metric-teacher-acc').textContent())!)).toBeGreaterThan(50);

    // Back to the shipped teacher for the runs after.
    await page.getByTestId('clear-teacher-file').click();
    await expect(status).toHaveCount(0);
    await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu');
    expect(app.errors).toEqual([]);
  });
});
