// The share-URL codec: every parameter round-trips, bad fields are named and replaced by defaults, runs are strict.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, ENUM_VALUES, NUMERIC_RANGES, withDefaults, type TrainConfig } from '../engine/config';
import { MAX_RUNS, format, formatRun, parse, parseRun } from './shareCodec';
import { PARAM_BY_KEY, SHARE_PARAMS } from './shareParams';

/** A value different from the default for every field, all in range. */
const EVERYTHING_CHANGED: TrainConfig = {
  dataset: 'fashion-mnist', // the only dataset: cannot differ
  student: 'deit-ti',
  distToken: false,
  teacher: 'train',
  teacherModel: 'vit',
  teacherEpochs: 7,
  distillation: 'soft',
  tau: 0.7,
  alpha: 0.35,
  labelSmoothing: 0.1,
  lr: 2e-5,
  weightDecay: 0.3,
  warmupSteps: 123,
  minLrRatio: 0.05,
  clipNorm: 1.5,
  batchSize: 100,
  epochs: 11,
  trainSubset: 12345,
  evalSubset: 777,
  testSubset: 500,
  evalInterval: 9,
  augment: true,
  hflip: true,
  seed: 2 ** 31 - 1,
  backend: 'wasm',
  precomputeTeacher: false,
};

describe('parameter table', () => {
  it('covers every TrainConfig field exactly once with a unique key', () => {
    expect(SHARE_PARAMS.map((p) => p.field).sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    expect(new Set(SHARE_PARAMS.map((p) => p.key)).size).toBe(SHARE_PARAMS.length);
  });

  it('has the readable keys the issue asks for', () => {
    for (const key of ['student', 'distillation', 'tau', 'alpha', 'lr', 'batch', 'epochs', 'seed', 'dataset', 'teacher']) {
      expect(PARAM_BY_KEY.has(key), key).toBe(true);
    }
  });

  it('cannot be reached through prototype keys', () => {
    expect(PARAM_BY_KEY.get('__proto__')).toBeUndefined();
    expect(PARAM_BY_KEY.get('constructor')).toBeUndefined();
  });
});

describe('round trip', () => {
  it('restores the defaults exactly', () => {
    const r = parse(format({ config: DEFAULT_CONFIG }));
    expect(r.errors).toEqual([]);
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.runs).toEqual([]);
    expect(r.autostart).toBe(false);
  });

  it('restores every parameter changed at once', () => {
    const r = parse(`#${format({ config: EVERYTHING_CHANGED })}`);
    expect(r.errors).toEqual([]);
    expect(r.config).toEqual(EVERYTHING_CHANGED);
  });

  for (const spec of SHARE_PARAMS) {
    it(`restores ${spec.key} alone`, () => {
      const config = { ...DEFAULT_CONFIG, [spec.field]: EVERYTHING_CHANGED[spec.field] } as TrainConfig;
      const hash = format({ config });
      expect(hash).toContain(`${spec.key}=`);
      expect(parse(hash).config).toEqual(config);
    });
  }

  it('restores the range ends of every numeric parameter', () => {
    for (const [field, r] of Object.entries(NUMERIC_RANGES)) {
      for (const v of [r.min, r.max]) {
        const config = withDefaults({ [field]: v, ...(field === 'trainSubset' ? { batchSize: 64 } : {}) });
        if (field === 'batchSize') config.trainSubset = 60000;
        expect(parse(format({ config })).config, `${field}=${v}`).toEqual(config);
      }
    }
  });

  it('restores runs and autostart', () => {
    const base = withDefaults({ distillation: 'hard' });
    const runs = [
      withDefaults({ distillation: 'none' }),
      withDefaults({ distillation: 'soft', tau: 5, seed: 3 }),
      withDefaults({ distillation: 'hard', student: 'deit-nano', lr: 1e-3 }),
    ];
    const hash = format({ config: base, runs, autostart: true });
    expect(hash).toContain('runs=none,soft:tau=5:seed=3,hard:student=deit-nano:lr=0.001');
    expect(hash.endsWith('&autostart=1')).toBe(true);
    const r = parse(hash);
    expect(r.errors).toEqual([]);
    expect(r.runs).toEqual(runs);
    expect(r.autostart).toBe(true);
  });
});

describe('readability', () => {
  it('writes plain key=value pairs', () => {
    const hash = format({ config: DEFAULT_CONFIG });
    expect(hash.startsWith('student=deit-micro&distillation=hard&tau=3&alpha=0.5&lr=0.003&batch=64&epochs=2&seed=0')).toBe(true);
    expect(hash).not.toMatch(/%/);
  });

  it('reads a short hand-written link, the rest from defaults', () => {
    const r = parse('#distillation=soft&tau=10&runs=none,soft,hard');
    expect(r.errors).toEqual([]);
    expect(r.config).toEqual(withDefaults({ distillation: 'soft', tau: 10 }));
    expect(r.runs.map((c) => c.distillation)).toEqual(['none', 'soft', 'hard']);
    expect(r.runs.every((c) => c.tau === 10 && c.seed === 0)).toBe(true);
  });

  it('reads and writes distToken=true|false (1/0 accepted on reading), in the main config and in runs', () => {
    expect(parse('#distToken=false&distillation=hard').config).toEqual(withDefaults({ distToken: false, distillation: 'hard' }));
    expect(parse('#distToken=0').config.distToken).toBe(false);
    expect(parse('#distToken=1').config.distToken).toBe(true);
    expect(format({ config: withDefaults({ distToken: false }) })).toContain('&distToken=false&');
    const runs = [withDefaults({ distillation: 'none', distToken: false }), withDefaults({ distillation: 'soft', tau: 3, alpha: 0.1, distToken: false })];
    const r = parse(format({ config: DEFAULT_CONFIG, runs }));
    expect(r.errors).toEqual([]);
    expect(r.runs).toEqual(runs);
    expect(formatRun(runs[0]!, DEFAULT_CONFIG)).toBe('none:distToken=false');
    expect(parse('#distToken=maybe').errors[0]!.message).toBe('"maybe" must be true or false; using the default true');
  });

  it('reads and writes teacherModel=cnn|cnn-matched|vit, in the main config and in runs; hostile values are named and defaulted', () => {
    expect(parse('#teacherModel=vit&distillation=hard').config).toEqual(withDefaults({ teacherModel: 'vit', distillation: 'hard' }));
    expect(format({ config: withDefaults({ teacherModel: 'cnn-matched' }) })).toContain('teacherModel=cnn-matched');
    const runs = [withDefaults({ distillation: 'hard', teacherModel: 'vit' }), withDefaults({ distillation: 'hard', teacherModel: 'cnn-matched' })];
    const r = parse(format({ config: DEFAULT_CONFIG, runs }));
    expect(r.errors).toEqual([]);
    expect(r.runs).toEqual(runs);
    for (const hostile of ['rnn', '__proto__', 'constructor', 'VIT', '%3Cscript%3E']) {
      const p = parse(`#teacherModel=${hostile}`);
      expect(p.config.teacherModel, hostile).toBe('cnn');
      expect(p.errors.map((e) => e.key), hostile).toEqual(['teacherModel']);
    }
    // The matched CNN exists only as a checkpoint: a link that asks to train it is refused by name.
    const train = parse('#teacher=train&teacherModel=cnn-matched');
    expect(train.errors.length).toBeGreaterThan(0);
    expect(train.errors.map((e) => e.message).join(' ')).toMatch(/cnn-matched/);
  });

  it('reads and writes paper=1 and paperSeeds=1|3, rejecting anything else by name', () => {
    expect(parse('#paper=1&paperSeeds=3')).toMatchObject({ paper: true, paperSeeds: 3, errors: [] });
    expect(parse('#student=deit-nano')).toMatchObject({ paper: false, paperSeeds: 1 });
    const bad = parse('#paper=yes&paperSeeds=2');
    expect(bad).toMatchObject({ paper: false, paperSeeds: 1 });
    expect(bad.errors.map((e) => e.key)).toEqual(['paper', 'paperSeeds']);
    expect(parse('#paperSeeds=__proto__').errors[0]!.message).toBe('"__proto__" must be 1 or 3; using 1');
    const hash = format({ config: DEFAULT_CONFIG, paper: true, paperSeeds: 3 });
    expect(hash.endsWith('&paper=1&paperSeeds=3')).toBe(true);
    expect(parse(hash)).toMatchObject({ config: DEFAULT_CONFIG, paper: true, paperSeeds: 3, errors: [] });
    expect(format({ config: DEFAULT_CONFIG, paper: false, paperSeeds: 1 })).toBe(format({ config: DEFAULT_CONFIG }));
  });

  it('formats a run as differences from the main config', () => {
    expect(formatRun(withDefaults({ distillation: 'soft' }), DEFAULT_CONFIG)).toBe('soft');
    expect(formatRun(withDefaults({ distillation: 'soft', tau: 1, augment: true }), DEFAULT_CONFIG)).toBe('soft:tau=1:augment=true');
  });
});

describe('rejection', () => {
  const cases: [string, string, keyof TrainConfig][] = [
    ['tau=abc', 'tau', 'tau'],
    ['tau=NaN', 'tau', 'tau'],
    ['tau=Infinity', 'tau', 'tau'],
    ['tau=0x10', 'tau', 'tau'],
    ['tau=', 'tau', 'tau'],
    ['tau= 3', 'tau', 'tau'],
    ['tau=25', 'tau', 'tau'],
    ['alpha=-0.1', 'alpha', 'alpha'],
    ['lr=1e9', 'lr', 'lr'],
    ['batch=64.5', 'batch', 'batchSize'],
    ['epochs=0', 'epochs', 'epochs'],
    ['seed=-1', 'seed', 'seed'],
    ['student=deit-huge', 'student', 'student'],
    ['distillation=SOFT', 'distillation', 'distillation'],
    ['teacher=%3Cscript%3E', 'teacher', 'teacher'],
    ['augment=yes', 'augment', 'augment'],
    ['distToken=no', 'distToken', 'distToken'],
    ['distToken=TRUE', 'distToken', 'distToken'],
    ['distToken=', 'distToken', 'distToken'],
    ['distToken=%3Cimg%3E', 'distToken', 'distToken'],
    ['distToken=2', 'distToken', 'distToken'],
    ['backend=metal', 'backend', 'backend'],
    ['tau', 'tau', 'tau'],
    ['tau=%E0%A4%A', 'tau', 'tau'],
  ];
  for (const [hash, key, field] of cases) {
    it(`rejects ${hash} naming ${key} and using the default`, () => {
      const r = parse(hash);
      expect(r.config[field]).toEqual(DEFAULT_CONFIG[field]);
      expect(r.errors.map((e) => e.key)).toEqual([key]);
    });
  }

  it('reports unknown keys and keeps the rest', () => {
    const r = parse('foo=1&tau=5&__proto__=x&constructor=1');
    expect(r.config.tau).toBe(5);
    expect(r.errors).toHaveLength(3);
    expect(r.errors[0]!.key).toBe('"foo"');
    expect(r.errors.every((e) => /not a known setting/.test(e.message))).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps the first of duplicated keys', () => {
    const r = parse('tau=5&tau=7');
    expect(r.config.tau).toBe(5);
    expect(r.errors).toEqual([{ key: 'tau', message: expect.stringMatching(/more than once/) }]);
  });

  it('repairs a batch larger than the training subset', () => {
    const r = parse('batch=1000&trainSubset=500');
    expect(r.config.batchSize).toBe(DEFAULT_CONFIG.batchSize);
    expect(r.config.trainSubset).toBe(500);
    expect(r.errors.map((e) => e.key)).toEqual(['batch']);
  });

  it('refuses an overlong link whole', () => {
    const r = parse(`tau=5&${'x'.repeat(9000)}`);
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.errors).toHaveLength(1);
  });

  it('drops bad runs by number and keeps good ones', () => {
    const r = parse('runs=none,medium,soft:tau=99,soft:foo=1,soft:tau=2:tau=3,hard:batch');
    expect(r.runs.map((c) => c.distillation)).toEqual(['none']);
    expect(r.errors.map((e) => e.message.slice(0, 5))).toEqual(['run 2', 'run 3', 'run 4', 'run 5', 'run 6']);
    expect(r.errors.every((e) => e.key === 'runs')).toBe(true);
  });

  it('keeps at most MAX_RUNS runs', () => {
    const r = parse(`runs=${Array(MAX_RUNS + 3).fill('none').join(',')}`);
    expect(r.runs).toHaveLength(MAX_RUNS);
    expect(r.errors).toHaveLength(1);
  });

  it('does not let a run override distillation twice', () => {
    expect(parseRun('soft:distillation=hard', DEFAULT_CONFIG)).toHaveProperty('reason');
  });

  it('only accepts 1/0 for autostart', () => {
    expect(parse('autostart=1').autostart).toBe(true);
    expect(parse('autostart=0').autostart).toBe(false);
    const r = parse('autostart=please');
    expect(r.autostart).toBe(false);
    expect(r.errors.map((e) => e.key)).toEqual(['autostart']);
  });

  it('knows each enum it accepts', () => {
    for (const student of ENUM_VALUES.student) expect(parse(`student=${student}`).config.student).toBe(student);
  });
});
