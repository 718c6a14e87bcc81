// Property tests: the codec never throws on random or hostile input and never returns an out-of-range value.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ENUM_VALUES, NUMERIC_RANGES, STUDENT_PRESET_NAMES, validateConfig, type TrainConfig } from '../engine/config';
import { format, parse } from './shareCodec';
import { SHARE_PARAMS } from './shareParams';

const FRAGMENTS = [
  '=', '&', '#', '%', '%2', '%zz', '%00', ':', ',', '+', '-', '.', 'e', 'E', '1e999', '-0', '0x1f', 'NaN', 'Infinity',
  '__proto__', 'constructor', 'prototype', 'runs', 'autostart', '<img src=x onerror=alert(1)>', '"', "'", '\u0000',
  '\u202e', '😀', ' ', '\n', 'true', 'false', '1', '0', '3', '0.5', '1e-5', '99999999999', ...SHARE_PARAMS.map((p) => p.key),
  ...ENUM_VALUES.distillation, ...ENUM_VALUES.student, 'soft:tau=3', 'none,soft,hard',
];

const hostile = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
const anyString = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), hostile);

function expectInRange(c: TrainConfig): void {
  expect(validateConfig(c)).toEqual([]);
  for (const [k, r] of Object.entries(NUMERIC_RANGES)) {
    const v = c[k as keyof TrainConfig] as number;
    expect(Number.isFinite(v) && v >= r.min && v <= r.max, `${k}=${v}`).toBe(true);
  }
  expect(Object.keys(c).sort()).toEqual(SHARE_PARAMS.map((p) => p.field).sort());
}

describe('parse on arbitrary input', () => {
  it('never throws and always yields valid configs', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const r = parse(s);
        expectInRange(r.config);
        r.runs.forEach(expectInRange);
        expect(typeof r.autostart).toBe('boolean');
        for (const e of r.errors) {
          expect(typeof e.key).toBe('string');
          expect(e.key.length).toBeLessThan(80);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** Random valid configs from the ranges and enums themselves. */
function numberIn(r: { min: number; max: number; integer: boolean }): fc.Arbitrary<number> {
  return r.integer
    ? fc.integer({ min: r.min, max: r.max })
    : fc.double({ min: r.min, max: r.max, noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));
}

const config: fc.Arbitrary<TrainConfig> = fc.record({
  dataset: fc.constantFrom(...ENUM_VALUES.dataset),
  student: fc.constantFrom(...STUDENT_PRESET_NAMES),
  teacher: fc.constantFrom(...ENUM_VALUES.teacher),
  teacherModel: fc.constantFrom(...ENUM_VALUES.teacherModel),
  distillation: fc.constantFrom(...ENUM_VALUES.distillation),
  backend: fc.constantFrom(...ENUM_VALUES.backend),
  augment: fc.boolean(),
  hflip: fc.boolean(),
  distToken: fc.boolean(),
  precomputeTeacher: fc.boolean(),
  ...(Object.fromEntries(Object.entries(NUMERIC_RANGES).map(([k, r]) => [k, numberIn(r)])) as {
    [K in keyof typeof NUMERIC_RANGES]: fc.Arbitrary<number>;
  }),
}).filter((c) => validateConfig(c).length === 0);

describe('round trip on random valid configs', () => {
  it('parse(format(x)) === x, runs included', () => {
    fc.assert(
      fc.property(config, fc.array(config, { maxLength: 5 }), fc.boolean(), (c, runs, autostart) => {
        const r = parse(format({ config: c, runs, autostart }));
        expect(r.errors).toEqual([]);
        expect(r.config).toEqual(c);
        expect(r.runs).toEqual(runs);
        expect(r.autostart).toBe(autostart);
      }),
      { numRuns: 500 },
    );
  });
});
