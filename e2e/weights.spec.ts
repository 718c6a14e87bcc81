// Weights as files, in the built app on WebGPU (the fast compat adapter): after a run, "Teacher weights" and "Student
// weights" each save a checkpoint (.json + .weights.bin); the downloaded teacher, loaded back through "Load teacher from
// file", teaches the next run, which names it; a wrong pick is refused with the reason and changes nothing.
// Roles and data-testid only; waits on progress (e2e/progress.ts), never on the clock (STYLE.md habits 12 and 15).
import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page, type TestInfo } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, TINY_STEPS, expectWebGpu, hashOf, openApp, runStatus } from './appHelpers';
import { waitForProgress } from './progress';
import { COMPAT_TAG } from '../playwright.config';

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

test('a downloaded teacher, loaded from its files, teaches the next run; the student downloads as a checkpoint', { tag: COMPAT_TAG }, async ({ page }, testInfo) => {
  const app = await openApp(page, hashOf(TINY));
  await expectWebGpu(page);
  await expect(page.getByTestId('download-student-weights')).toBeDisabled();
  await trainToEnd(page, 'first run done');

  const student = await saveCheckpoint(page, testInfo, 'download-student-weights');
  const studentJson = JSON.parse(await readFile(student.json, 'utf8'));
  expect(studentJson).toMatchObject({ format: 'deit-playground-student/1', preset: TINY.student, step: TINY_STEPS, distToken: true });
  expect((await readFile(student.bin)).byteLength).toBe(studentJson.parameters * 4);

  const teacher = await saveCheckpoint(page, testInfo, 'download-teacher-weights');
  const teacherJson = JSON.parse(await readFile(teacher.json, 'utf8'));
  expect(teacherJson).toMatchObject({ format: 'deit-playground-teacher/1', dataset: 'fashion-mnist', parameters: 426_122 });

  // A wrong pick (the manifest alone) is refused with the reason; nothing is loaded.
  await page.getByTestId('teacher-file-input').setInputFiles([teacher.json]);
  await expect(page.getByTestId('teacher-file-error')).toContainText('pick two files together');
  await expect(page.getByTestId('teacher-file-status')).toHaveCount(0);
  // The student's checkpoint is not a teacher.
  await page.getByTestId('teacher-file-input').setInputFiles([student.json, student.bin]);
  await expect(page.getByTestId('teacher-file-error')).toContainText('this is a student checkpoint');

  await page.getByTestId('teacher-file-input').setInputFiles([teacher.json, teacher.bin]);
  const status = page.getByTestId('teacher-file-status');
  await expect(status).toContainText(`Next runs’ teacher: ${teacherJson.weightsManifest[0].paths[0].replace('.weights.bin', '.json')}`);
  await expect(status).toContainText('426,122 parameters');
  await expect(page.getByTestId('teacher-file-error')).toHaveCount(0);
  await expectNoSeriousA11yViolations(page, testInfo, 'teacher-file-loaded');

  await trainToEnd(page, 'run with the teacher from file done');
  await expect(page.getByTestId('run-row')).toHaveCount(2);
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
