// Tests for the training config: validation of every kind of bad value, the derived step counts, and the cost model
// against the numbers in shared/DEIT-NOTES.md.
import { describe, expect, it } from 'vitest';
import {
  DATASETS,
  DEFAULT_CONFIG,
  NUMERIC_RANGES,
  STUDENT_PRESETS,
  numTokens,
  stepsPerEpoch,
  studentMacs,
  studentParamCount,
  totalSteps,
  validateConfig,
  withDefaults,
  type NumericKey,
  type TrainConfig,
} from './config';

const fmnist = DATASETS['fashion-mnist'];

/** DEFAULT_CONFIG with `patch` applied, typed loosely so the tests can put wrong types in. */
function bad(patch: Record<string, unknown>): Record<string, unknown> {
  return { ...DEFAULT_CONFIG, ...patch };
}

function fields(errors: ReturnType<typeof validateConfig>): string[] {
  return errors.map((e) => e.field);
}

describe('validateConfig', () => {
  it('accepts DEFAULT_CONFIG and withDefaults()', () => {
    expect(validateConfig(DEFAULT_CONFIG)).toEqual([]);
    expect(validateConfig(withDefaults())).toEqual([]);
    expect(validateConfig(withDefaults({ student: 'deit-nano', distillation: 'soft', batchSize: 64, trainSubset: 64 }))).toEqual([]);
  });

  it('accepts every numeric field at both ends of its range', () => {
    for (const [key, r] of Object.entries(NUMERIC_RANGES) as [NumericKey, (typeof NUMERIC_RANGES)[NumericKey]][]) {
      for (const v of [r.min, r.max]) {
        // batchSize at its max would exceed trainSubset; keep the cross-field rule out of this check.
        const c = bad({ [key]: v, ...(key === 'batchSize' ? { trainSubset: 60000 } : {}) });
        expect(validateConfig(c), `${key}=${v}`).toEqual([]);
      }
    }
  });

  it('rejects a non-object', () => {
    for (const v of [null, undefined, 3, 'lr=1', true]) {
      const errors = validateConfig(v);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.field).toBe('config');
    }
  });

  it('rejects NaN, Infinity and non-numbers in every numeric field, naming the field', () => {
    for (const key of Object.keys(NUMERIC_RANGES)) {
      for (const v of [NaN, Infinity, -Infinity, '3', null, undefined]) {
        const errors = validateConfig(bad({ [key]: v }));
        expect(fields(errors), `${key}=${String(v)}`).toEqual([key]);
        expect(errors[0]!.message).toMatch(/finite number/);
      }
    }
  });

  it('rejects values just outside each range', () => {
    for (const [key, r] of Object.entries(NUMERIC_RANGES) as [NumericKey, (typeof NUMERIC_RANGES)[NumericKey]][]) {
      const step = r.integer ? 1 : Math.max(1e-9, Math.abs(r.min) * 1e-3);
      for (const v of [r.min - step, r.max + (r.integer ? 1 : Math.abs(r.max) * 1e-3)]) {
        const errors = validateConfig(bad({ [key]: v }));
        expect(fields(errors), `${key}=${v}`).toEqual([key]);
        expect(errors[0]!.message).toContain('outside');
      }
    }
    expect(validateConfig(bad({ lr: 0 }))[0]!.message).toBe('lr=0 is outside [0.00001, 1]');
    expect(fields(validateConfig(bad({ alpha: -0.1 })))).toEqual(['alpha']);
    expect(fields(validateConfig(bad({ tau: 0.4 })))).toEqual(['tau']);
  });

  it('rejects non-integers in integer fields but accepts fractions in real fields', () => {
    for (const [key, r] of Object.entries(NUMERIC_RANGES) as [NumericKey, (typeof NUMERIC_RANGES)[NumericKey]][]) {
      const mid = r.min + 0.5;
      if (mid > r.max) continue;
      const errors = validateConfig(bad({ [key]: mid }));
      if (r.integer) {
        expect(fields(errors), `${key}=${mid}`).toEqual([key]);
        expect(errors[0]!.message).toMatch(/integer/);
      } else {
        expect(errors, `${key}=${mid}`).toEqual([]);
      }
    }
    expect(fields(validateConfig(bad({ batchSize: 32.5 })))).toEqual(['batchSize']);
  });

  it('rejects unknown enum values and wrong types in enum and boolean fields', () => {
    expect(fields(validateConfig(bad({ distillation: 'medium' })))).toEqual(['distillation']);
    expect(validateConfig(bad({ distillation: 'medium' }))[0]!.message).toBe('distillation is not one of none, soft, hard');
    expect(fields(validateConfig(bad({ student: 'deit-huge' })))).toEqual(['student']);
    expect(fields(validateConfig(bad({ student: 'toString' })))).toEqual(['student']);
    expect(fields(validateConfig(bad({ backend: 'tpu' })))).toEqual(['backend']);
    expect(fields(validateConfig(bad({ teacher: 3 })))).toEqual(['teacher']);
    expect(fields(validateConfig(bad({ dataset: 'mnist' })))).toEqual(['dataset']);
    expect(fields(validateConfig(bad({ augment: 'true' })))).toEqual(['augment']);
    expect(fields(validateConfig(bad({ precomputeTeacher: 1 })))).toEqual(['precomputeTeacher']);
  });

  it('rejects unknown and missing fields', () => {
    const unknown = validateConfig(bad({ learningRate: 0.1 }));
    expect(unknown).toEqual([{ field: 'config', message: 'unknown field "learningRate"' }]);

    const { tau: _tau, seed: _seed, ...missing } = DEFAULT_CONFIG;
    const errors = validateConfig(missing);
    expect(errors).toEqual([
      { field: 'tau', message: 'missing field "tau"' },
      { field: 'seed', message: 'missing field "seed"' },
    ]);
    expect(validateConfig({}).length).toBe(Object.keys(DEFAULT_CONFIG).length);
  });

  it('rejects batchSize > trainSubset, and accepts batchSize == trainSubset', () => {
    const errors = validateConfig(bad({ batchSize: 128, trainSubset: 100 }));
    expect(errors).toEqual([{ field: 'batchSize', message: 'batchSize 128 exceeds trainSubset 100' }]);
    expect(validateConfig(bad({ batchSize: 100, trainSubset: 100 }))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const errors = validateConfig(bad({ lr: NaN, alpha: 2, distillation: 'x', extra: 1 }));
    expect(fields(errors).sort()).toEqual(['alpha', 'config', 'distillation', 'lr']);
  });
});

describe('derived values', () => {
  it('stepsPerEpoch drops the last partial batch; totalSteps multiplies by epochs', () => {
    expect(stepsPerEpoch({ trainSubset: 10000, batchSize: 64 })).toBe(156);
    expect(totalSteps({ trainSubset: 10000, batchSize: 64, epochs: 2 })).toBe(312); // DEIT-NOTES' 312-step budget
    expect(stepsPerEpoch({ trainSubset: 64, batchSize: 64 })).toBe(1);
    expect(stepsPerEpoch({ trainSubset: 127, batchSize: 64 })).toBe(1);
    expect(totalSteps({ trainSubset: 512, batchSize: 32, epochs: 3 })).toBe(48);
    expect(totalSteps(DEFAULT_CONFIG)).toBe(312);
  });

  it('numTokens counts patches plus the class and distillation tokens', () => {
    expect(numTokens(STUDENT_PRESETS['deit-micro'], 28)).toBe(49 + 2);
    expect(numTokens({ ...STUDENT_PRESETS['deit-micro'], patchSize: 7 }, 28)).toBe(16 + 2);
  });

  it('studentParamCount matches DEIT-NOTES for DeiT-Ti and the 64-dim depth-4 student', () => {
    expect(studentParamCount(STUDENT_PRESETS['deit-ti'], fmnist)).toBe(5_356_052);
    expect(studentParamCount(STUDENT_PRESETS['deit-micro'], fmnist)).toBe(205_844);
  });

  it('studentMacs is ~11.4 M for the 64-dim depth-4 student and ~283 M for DeiT-Ti (DEIT-NOTES), within 5%', () => {
    const micro = studentMacs(STUDENT_PRESETS['deit-micro'], fmnist);
    expect(Math.abs(micro / 11.4e6 - 1)).toBeLessThan(0.05);
    const ti = studentMacs(STUDENT_PRESETS['deit-ti'], fmnist);
    expect(Math.abs(ti / 283e6 - 1)).toBeLessThan(0.05);
  });

  it('studentMacs grows linearly with depth and the presets are ordered by cost', () => {
    const a = STUDENT_PRESETS['deit-micro'];
    const perBlock = studentMacs({ ...a, depth: 2 }, fmnist) - studentMacs({ ...a, depth: 1 }, fmnist);
    expect(studentMacs({ ...a, depth: 5 }, fmnist) - studentMacs({ ...a, depth: 1 }, fmnist)).toBe(4 * perBlock);
    const costs = (['deit-nano', 'deit-micro', 'deit-mini', 'deit-ti'] as const).map((p) => studentMacs(STUDENT_PRESETS[p], fmnist));
    expect([...costs].sort((x, y) => x - y)).toEqual(costs);
  });

  it('withDefaults overrides only the given fields and never mutates DEFAULT_CONFIG', () => {
    const c: TrainConfig = withDefaults({ lr: 0.01 });
    expect(c.lr).toBe(0.01);
    expect(c.tau).toBe(DEFAULT_CONFIG.tau);
    expect(DEFAULT_CONFIG.lr).toBe(3e-3);
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
  });
});
