// Tests that the worker's live-patch check is the config's own per-field check, not a copy.
import { describe, expect, it } from 'vitest';
import { LIVE_KEYS, fieldError } from '../engine/config';
import { validatePatch } from './validate';

describe('validatePatch', () => {
  it('accepts every live field at its config value and refuses other fields', () => {
    expect(validatePatch({ distillation: 'soft', tau: 3, alpha: 0.1, lr: 1e-3, evalInterval: 5 })).toEqual([]);
    expect(validatePatch({ seed: 1 })).toEqual([`"seed" cannot change during a run (live: ${LIVE_KEYS.join(', ')})`]);
    expect(validatePatch({})).toEqual(['the update changes nothing']);
  });

  it('gives the message of the config check for every bad live value', () => {
    const bad: Record<(typeof LIVE_KEYS)[number], unknown[]> = {
      distillation: ['medium', 1, null],
      tau: [0.4, 21, Number.NaN, '3'],
      alpha: [-0.1, 1.5, Infinity],
      lr: [0, 2],
      evalInterval: [0, 1.5, 1e6],
    };
    for (const key of LIVE_KEYS) {
      for (const v of bad[key]) {
        const expected = fieldError(key, v);
        expect(expected, `${key}=${String(v)}`).not.toBeNull();
        expect(validatePatch({ [key]: v })).toEqual([expected]);
      }
    }
    expect(validatePatch({ lr: 5 })).toEqual(['lr=5 is outside [0.00001, 1]']);
  });
});
