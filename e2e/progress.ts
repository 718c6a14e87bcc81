// Waiting on progress, not on the clock: a run on a software GPU takes as long as it takes on a busy machine, so a
// wait fails when nothing the app shows has moved for a long while (or on a ceiling far above the normal time),
// never on a tight budget. Every wait prints how long it took, so slowness is visible in the log.
import type { Page } from '@playwright/test';

/**
 * No visible progress for this long fails the wait. The longest quiet stretches are a first step's shader compilation
 * and one batch of teacher logits on SwiftShader: seconds normally, 10-30 s with one core busy, and over 90 s when
 * this 2-core machine ran a dozen other processes besides (measured: a precompute batch stalled 91 s at load 25).
 */
export const STALL_MS = 180_000;
/** A hard ceiling for one wait, far above any normal duration (the longest wait, a three-run sweep, takes ~1-3 min). */
export const CEILING_MS = 20 * 60_000;

export interface ProgressWait {
  /** What is being waited for, for the log and the failure message. */
  what: string;
  stallMs?: number;
  ceilingMs?: number;
  /** Polling interval. */
  everyMs?: number;
}

/**
 * Everything on the page that moves while the app works: the run's status, the count of each progress bar, the charts'
 * point counts and every run's status. Two equal signatures mean nothing moved in between.
 */
export function progressSignature(page: Page): Promise<string> {
  return page.evaluate(() => {
    const attrs = (sel: string, names: string[]) =>
      [...document.querySelectorAll(sel)].map((el) => names.map((n) => el.getAttribute(n) ?? '').join(':')).join(',');
    return [
      attrs('[data-testid="run-status"]', ['data-status']),
      attrs('[data-testid^="progress-"]', ['data-testid', 'data-done']),
      attrs('[data-testid="chart-loss"]', ['data-points-total']),
      attrs('[data-testid="chart-accuracy"]', ['data-points-fused', 'data-points-teacher']),
      attrs('[data-testid="run-row"]', ['data-status']),
    ].join('|');
  });
}

/**
 * Polls `done` until it is true. Fails when the progress signature (default: the app's, see progressSignature) has
 * not changed for `stallMs`, or after `ceilingMs`. Returns the milliseconds it took and logs them.
 */
export async function waitForProgress(
  page: Page,
  done: () => Promise<boolean>,
  { what, stallMs = STALL_MS, ceilingMs = CEILING_MS, everyMs = 1_000 }: ProgressWait,
  signature: () => Promise<string> = () => progressSignature(page),
): Promise<number> {
  const t0 = Date.now();
  let last = await signature();
  let lastChange = t0;
  for (;;) {
    if (await done()) break;
    const now = Date.now();
    const sig = await signature();
    if (sig !== last) {
      last = sig;
      lastChange = now;
    }
    if (now - lastChange > stallMs) {
      throw new Error(`${what}: nothing moved for ${Math.round((now - lastChange) / 1000)} s (after ${Math.round((now - t0) / 1000)} s; last progress: ${last})`);
    }
    if (now - t0 > ceilingMs) throw new Error(`${what}: not reached within the ${Math.round(ceilingMs / 60_000)} min ceiling (progress: ${last})`);
    await page.waitForTimeout(everyMs);
  }
  const ms = Date.now() - t0;
  console.log(`[wait] ${what}: ${(ms / 1000).toFixed(1)} s`);
  return ms;
}
