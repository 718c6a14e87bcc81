// A real lost GPU device in real Chromium: the training worker's own WebGPU device is destroyed mid-run (through
// tfjs's engine global inside the worker, no test hook in the app), and the app must say so, keep the run's points,
// and train the next run on a fresh device.
import { expect, test, type Worker } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { TINY, attrNumber, expectWebGpu, hashOf, openApp, runStatus, setNumber, untilAttrAtLeast, untilStatus } from './appHelpers';
import { waitForProgress } from './progress';

/** Destroys the WebGPU device of the tfjs backend in the worker's scope (GPUDevice.destroy() resolves device.lost). */
async function destroyDevice(worker: Worker): Promise<string> {
  return worker.evaluate(() => {
    const engine = (globalThis as unknown as { _tfengine?: { backendName: string; backend: { device?: { destroy(): void } } } })._tfengine;
    if (!engine) return 'no tfjs engine in this worker';
    if (engine.backendName !== 'webgpu' || !engine.backend.device) return `backend ${engine.backendName} has no device`;
    engine.backend.device.destroy();
    return 'destroyed';
  });
}

test('a lost WebGPU device ends the run with a clear error, keeps its points, and the next run trains again', async ({ page }, testInfo) => {
  // Long enough to be mid-training when the device goes: 48 steps, evaluated every 4 (more epochs rather than more
  // images). No distillation: the device is what is tested, and SwiftShader then skips precomputing teacher logits.
  const app = await openApp(page, hashOf({ ...TINY, batchSize: 8, trainSubset: 96, evalInterval: 4, epochs: 4, evalSubset: 16, distillation: 'none' }));
  await expectWebGpu(page);
  await page.getByRole('button', { name: /Start/ }).click();
  // Two student steps logged: mid-training, with points to keep (no need to wait for an evaluation's shaders).
  await untilAttrAtLeast(page, 'chart-loss', 'data-points-total', 2, 'two loss points of the 48-step run');
  expect(await runStatus(page)).toBe('student');
  const lossPoints = await attrNumber(page, 'chart-loss', 'data-points-total');
  expect(lossPoints).toBeGreaterThan(0);

  let outcome = 'no worker';
  for (const w of page.workers()) {
    outcome = await destroyDevice(w);
    if (outcome === 'destroyed') break;
  }
  expect(outcome).toBe('destroyed');

  await untilStatus(page, 'error', 'device-lost error after destroy()');
  const notice = page.getByTestId('worker-error');
  await expect(notice).toHaveAttribute('data-code', 'device-lost');
  await expect(notice).toContainText('the WebGPU device was lost');
  await expect(notice).toContainText('the metrics so far are kept');
  await expectNoSeriousA11yViolations(page, testInfo, 'device-lost-notice');
  // Nothing the run measured is gone.
  expect(await attrNumber(page, 'chart-loss', 'data-points-total')).toBeGreaterThanOrEqual(lossPoints);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'error');

  // The next run selects a fresh device and trains: its own loss points (finite: a non-finite loss ends a run with an
  // error), then Stop. No evaluation is awaited: on SwiftShader a fresh device compiles each evaluation shader again.
  await page.getByTestId('worker-error').getByRole('button', { name: 'Dismiss' }).click();
  // setNumber checks the field kept the value: evaluation only at step 48, after this test has stopped the run.
  await setNumber(page, 'Evaluate every (steps)', 48);
  await page.getByRole('button', { name: /Start/ }).click();
  const second = page.getByTestId('run-row').nth(1);
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  // The second row's own step count ("N / 48"), not the progress bar, which may still show the first run.
  const secondSteps = async () => Number(/(\d+) \/ 48/.exec(await second.innerText())?.[1] ?? 0);
  await waitForProgress(page, async () => (await second.getAttribute('data-status')) === 'student' && (await secondSteps()) >= 2,
    { what: 'second run (fresh device): two student steps' });
  await page.getByRole('button', { name: /Stop/ }).click();
  await untilStatus(page, 'stopped', 'second run stopped');
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu');
  // The console carries the lost device's own messages (Dawn/tfjs), and nothing else.
  expect(app.errors.filter((e) => !/device|destroyed|lost|Instance dropped|GPU/i.test(e))).toEqual([]);
});
