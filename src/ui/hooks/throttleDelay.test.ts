// The throttled views' clock: at once after a quiet interval, otherwise on the shared ticks (multiples of the
// interval), so views updated by the same stream of points re-render together.
import { describe, expect, it } from 'vitest';
import { throttleDelay } from './useThrottledStore';

describe('throttleDelay', () => {
  it('is 0 after a quiet interval (a toggle redraws at once)', () => {
    expect(throttleDelay(1000, -Infinity, 200)).toBe(0);
    expect(throttleDelay(1000, 800, 200)).toBe(0);
    expect(throttleDelay(1000, 500, 200)).toBe(0);
  });

  it('waits for the next multiple of the interval otherwise', () => {
    expect(throttleDelay(1050, 950, 200)).toBe(150); // due at 1150, the tick at 1200
    expect(throttleDelay(1250, 1200, 200)).toBe(150); // due at 1400, a tick
    expect(throttleDelay(1010, 900, 200)).toBe(190); // due at 1100, the tick at 1200
  });

  it('shifts the ticks by the phase', () => {
    expect(throttleDelay(1050, 950, 200, 100)).toBe(250); // due at 1150; ticks at 1100, 1300
    expect(throttleDelay(1010, 900, 200, 100)).toBe(90); // due at 1100, a tick
    expect(throttleDelay(1010, 900, 200, 0)).toBe(190); // the unshifted clock: 1200
  });

  it('puts views that rendered at different times on the same tick', () => {
    const now = 5030;
    const ticks = [4960, 4990, 5010, 5030].map((lastRender) => now + throttleDelay(now, lastRender, 200));
    expect(new Set(ticks)).toEqual(new Set([5200, 5400]));
    expect(ticks.every((t) => t % 200 === 0)).toBe(true);
  });
});
