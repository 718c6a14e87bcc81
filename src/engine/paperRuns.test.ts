// The paper's settings per mode as the distillation controls offer them: their text, and whether the current
// tau and alpha already are them.
import { describe, expect, it } from 'vitest';
import { paperModeState } from './paperRuns';

describe('paperModeState', () => {
  it('offers nothing in none mode', () => {
    expect(paperModeState('none', 3, 0.1)).toBeNull();
  });

  it('soft: tau 3 and alpha 0.1, in use only when both are set', () => {
    expect(paperModeState('soft', 3, 0.1)).toEqual({ text: 'τ=3, α=0.1', inUse: true, settings: { tau: 3, alpha: 0.1 } });
    expect(paperModeState('soft', 3, 0.5)?.inUse).toBe(false);
    expect(paperModeState('soft', 5, 0.1)?.inUse).toBe(false);
  });

  it('hard: alpha 0.5 whatever the temperature, which hard mode does not use', () => {
    expect(paperModeState('hard', 7, 0.5)).toEqual({ text: 'α=0.5', inUse: true, settings: { alpha: 0.5 } });
    expect(paperModeState('hard', 3, 0.1)?.inUse).toBe(false);
  });
});
