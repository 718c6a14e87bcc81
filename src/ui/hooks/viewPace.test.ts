// The throttled views' shared interval: 200 ms while their timers fire on time, doubled (up to 800 ms) by a tick that
// fired late (the main thread waited for a core), halved again after five on-time ticks in a row.
import { afterEach, describe, expect, it } from 'vitest';
import {
  BASE_INTERVAL_MS, CALM_TICKS, INITIAL_PACE, LATE_MS, MAX_INTERVAL_MS, STALE_MS, nextPace, noteTick, onIntervalChange,
  resetViewPace, viewInterval, type ViewPace,
} from './viewPace';

/** The pace after samples of [tickAt, lateness]. */
const after = (samples: [number, number][], from: ViewPace = INITIAL_PACE) => samples.reduce((p, [t, l]) => nextPace(p, t, l), from);

describe('nextPace', () => {
  it('stays at the base interval while ticks are on time', () => {
    const p = after(Array.from({ length: 20 }, (_, i) => [i * 200, 3] as [number, number]));
    expect(p.intervalMs).toBe(BASE_INTERVAL_MS);
    expect(LATE_MS).toBeGreaterThan(3);
  });

  it('doubles on a late tick, up to the maximum', () => {
    expect(after([[200, LATE_MS + 1]]).intervalMs).toBe(400);
    expect(after([[200, 60], [600, 45]]).intervalMs).toBe(800);
    expect(after([[200, 60], [600, 45], [1400, 90], [2200, 70]]).intervalMs).toBe(MAX_INTERVAL_MS);
    expect(MAX_INTERVAL_MS).toBe(800);
  });

  it('a lateness of exactly LATE_MS is on time', () => {
    expect(after([[200, LATE_MS]]).intervalMs).toBe(BASE_INTERVAL_MS);
  });

  it('counts a tick once, however many views fire on it: late if any was', () => {
    // Three views on the tick at 400: one late sample widens once.
    expect(after([[400, 2], [400, 35], [400, 40]]).intervalMs).toBe(400);
    expect(after([[400, 35], [400, 40], [400, 1]]).intervalMs).toBe(400);
    // Four views on-time on the same tick are one calm tick, not four.
    const widened = after([[200, 50]]);
    const same = after([[800, 1], [800, 1], [800, 1], [800, 1], [800, 1]], widened);
    expect(same.intervalMs).toBe(400);
    expect(same.onTime).toBe(1);
  });

  it(`narrows one step after ${CALM_TICKS} on-time ticks in a row`, () => {
    const wide = after([[200, 50], [600, 50]]); // 800
    const calm = (from: number, n: number): [number, number][] => Array.from({ length: n }, (_, i) => [from + i * 800, 2]);
    expect(after(calm(2000, CALM_TICKS - 1), wide).intervalMs).toBe(800);
    const once = after(calm(2000, CALM_TICKS), wide);
    expect(once.intervalMs).toBe(400);
    expect(after(calm(10_000, CALM_TICKS), once).intervalMs).toBe(200);
    // A late tick in between starts the count again.
    const broken = after([...calm(2000, CALM_TICKS - 1), [6000, 30], ...calm(7000, CALM_TICKS - 1)], wide);
    expect(broken.intervalMs).toBe(MAX_INTERVAL_MS);
  });

  it('starts again from the base interval after a quiet spell (what was measured then is stale)', () => {
    const wide = after([[200, 50], [600, 50]]);
    expect(after([[600 + STALE_MS - 100, 1]], wide).intervalMs).toBe(800);
    expect(after([[600 + STALE_MS + 100, 1]], wide).intervalMs).toBe(BASE_INTERVAL_MS);
    // A late sample after the quiet spell widens from the base, one step.
    expect(after([[600 + STALE_MS + 100, 40]], wide).intervalMs).toBe(400);
  });
});

describe('the shared pace', () => {
  afterEach(() => resetViewPace());

  it('tells listeners when the interval changes, and only then', () => {
    const seen: number[] = [];
    const off = onIntervalChange((ms) => seen.push(ms));
    noteTick(200, 1);
    noteTick(400, 80);
    noteTick(400, 90);
    expect(viewInterval()).toBe(400);
    for (let i = 1; i <= CALM_TICKS; i++) noteTick(400 + i * 400, 0);
    expect(seen).toEqual([400, 200]);
    off();
    noteTick(3000, 99);
    expect(seen).toEqual([400, 200]);
    expect(viewInterval()).toBe(400);
  });
});
