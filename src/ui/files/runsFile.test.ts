// The runs file: a round trip keeps every run as it was; named hostile files are each refused with a message naming
// the problem; and property tests over random and mutated files: the reader never throws and never returns a run
// outside the schema's ranges.
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../store/appStore';
import { runSchema } from '../store/runSchema';
import { trainRun } from '../testing/sampleRuns';
import { MAX_FILE_CHARS, RUNS_FILE_FORMAT, exportRunsFile, readRunsFile } from './runsFile';

function sessionRuns() {
  const store = createAppStore({ now: () => 1_700_000_000_000 });
  trainRun(store, 12, 'done');
  trainRun(store, 6, 'student', { distillation: 'hard' });
  const s = store.getState();
  return s.runOrder.map((id) => s.runs[id]!);
}
const runs = sessionRuns();
const goodText = exportRunsFile(runs, 1_700_000_000_000);
/** A fresh, mutable copy of the good file. */
const good = () => JSON.parse(goodText) as { runs: Record<string, unknown>[] } & Record<string, unknown>;

describe('runs file', () => {
  it('round-trips every run (all but the transient progress bars)', () => {
    const r = readRunsFile(goodText);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.runs).toEqual(runs.map((run) => ({ ...run, progress: {} })));
  });

  const mutate = (fn: (f: ReturnType<typeof good>) => void) => {
    const f = good();
    fn(f);
    return JSON.stringify(f);
  };
  const run0 = (fn: (r: Record<string, unknown> & { config: Record<string, unknown>; metrics: Record<string, unknown>[] }) => void) =>
    mutate((f) => fn(f.runs[0] as never));

  const hostile: [string, string, RegExp][] = [
    ['empty file', '', /not valid JSON/],
    ['truncated in the middle', goodText.slice(0, Math.floor(goodText.length / 2)), /not valid JSON \(truncated/],
    ['truncated by one character', goodText.slice(0, -1), /not valid JSON/],
    ['oversized', ' '.repeat(MAX_FILE_CHARS + 1), /limited to 16 MB/],
    ['a JSON array', '[]', /expected a JSON object/],
    ['a JSON string', '"runs"', /expected a JSON object/],
    ['null', 'null', /expected a JSON object/],
    ['another format', mutate((f) => { f.format = 'tfjs-weights'; }), /not a DeiT Playground runs file/],
    ['a future version', mutate((f) => { f.version = 2; }), /version 2 is not supported: this app reads version 1/],
    ['version as a string', mutate((f) => { f.version = '1'; }), /version "1" is not supported/],
    ['no runs', mutate((f) => { f.runs = []; }), /runs: holds no runs/],
    ['too many runs', mutate((f) => { f.runs = Array(65).fill(f.runs[0]); }), /holds more than 64 runs/],
    ['unknown top-level key', mutate((f) => { f.comment = 'hi'; }), /comment/],
    ['unknown key in a run', run0((r) => { r.extra = 1; }), /runs\[0\]\.extra/],
    ['__proto__ key', goodText.replace('"format":', '"__proto__":{"polluted":true},"format":'), /"__proto__"/],
    ['constructor key in a config', run0((r) => { r.config.constructor = { prototype: {} } as never; }), /"(constructor|prototype)"/],
    ['a string for a number', run0((r) => { r.metrics[0]!.step = '3'; }), /runs\[0\]\.metrics\[0\]\.step:.*number/],
    ['Infinity (1e999) as a loss', run0((r) => { (r.metrics[0]!.loss as Record<string, unknown>).total = 1; }).replace('"total":1', '"total":1e999'), /metrics\[0\]\.loss\.total/],
    ['accuracy above 1', run0((r) => { (r.evals as Record<string, unknown>[])[0]!.fusedAcc = 1.5; }), /evals\[0\]\.fusedAcc/],
    ['negative step', run0((r) => { r.step = -1; }), /runs\[0\]\.step/],
    ['fractional step', run0((r) => { r.step = 2.5; }), /runs\[0\]\.step/],
    ['out-of-range tau in the config', run0((r) => { r.config.tau = 500; }), /runs\[0\]\.config: tau: tau=500 is outside/],
    ['unknown config field', run0((r) => { r.config.learningRate = 0.1; }), /unknown field "learningRate"/],
    ['unknown status', run0((r) => { r.status = 'hacked'; }), /runs\[0\]\.status/],
    ['marker changing a non-live key', run0((r) => { (r.markers as Record<string, unknown>[])[0]!.patch = { batchSize: 8 }; }), /may only change/],
    ['marker with an out-of-range value', run0((r) => { (r.markers as Record<string, unknown>[])[0]!.patch = { alpha: 7 }; }), /markers\[0\]\.patch: alpha=7 is outside/],
    ['metrics not an array', run0((r) => { r.metrics = {} as never; }), /runs\[0\]\.metrics/],
    ['huge label string', run0((r) => { (r.markers as Record<string, unknown>[])[0]!.label = 'x'.repeat(5000); }), /label/],
    ['HTML in the run id', run0((r) => { r.id = '<img src=x onerror=alert(1)>'; }), /runs\[0\]\.id/],
    ['pixel value above 255', run0((r) => { ((r.sample as Record<string, unknown>).image as number[])[0] = 256; }), /sample\.image\[0\]/],
  ];

  it.each(hostile)('refuses %s, naming the problem', (_name, text, message) => {
    const r = readRunsFile(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('has at least 20 named hostile files', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(20);
  });

  it('never throws on random JSON, and refuses it', () => {
    fc.assert(fc.property(fc.json(), (text) => {
      const r = readRunsFile(text);
      expect(r.ok).toBe(false);
    }), { numRuns: 300 });
  });

  it('never throws on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      expect(() => readRunsFile(text)).not.toThrow();
    }), { numRuns: 300 });
  });

  /** Every path to a leaf of the good file ("runs.0.metrics.3.loss.total"). */
  const leaves: string[][] = [];
  const walk = (x: unknown, path: string[]) => {
    if (typeof x === 'object' && x !== null) for (const [k, c] of Object.entries(x)) walk(c, [...path, k]);
    else leaves.push(path);
  };
  walk(good(), []);

  it('a file with one value replaced by anything either reads as valid runs or is refused; never throws', () => {
    const value = fc.oneof(fc.jsonValue(), fc.constantFrom(1e308, -1e308, 2 ** 53, -0, 0.5, -1, '0', '', 'NaN', null));
    fc.assert(fc.property(fc.constantFrom(...leaves), value, (path, replacement) => {
      const f = good() as Record<string, unknown>;
      let o = f;
      for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
      o[path[path.length - 1]!] = replacement;
      const r = readRunsFile(JSON.stringify(f));
      if (r.ok) {
        for (const run of r.runs) expect(v.safeParse(runSchema, run).success).toBe(true);
        expect(r.runs.every((run) => run.metrics.every((m) => Number.isFinite(m.loss.total) && m.step >= 0))).toBe(true);
      } else {
        expect(r.message.length).toBeGreaterThan(0);
      }
    }), { numRuns: 150 });
  });

  it('a run exported before a config field existed reads with that field at its default; a bad value is still refused', () => {
    const older = run0((r) => {
      delete r.config.distToken;
    });
    const r = readRunsFile(older);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.runs[0]!.config.distToken).toBe(true);
    const bad = readRunsFile(run0((r) => void (r.config.distToken = 'yes')));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/distToken/);
  });

  it('keeps a run whose teacher came from a file, and its teacher-file error', () => {
    const text = run0((r) => {
      r.teacher = { source: 'file', fileName: 'mine.json', parameters: 10, evalAccuracy: 0.5, checkpointAccuracy: 0.6, checkpointImages: 32 };
      r.error = { code: 'teacher-file', message: 'teacher file mine.json scores 9%', step: null };
    });
    const r = readRunsFile(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.runs[0]!.teacher).toMatchObject({ source: 'file', fileName: 'mine.json', checkpointImages: 32 });
  });

  it('states its format and version in the file', () => {
    expect(good()).toMatchObject({ format: RUNS_FILE_FORMAT, version: 1, exportedAt: '2023-11-14T22:13:20.000Z' });
  });
});
