// The results part of a link: round trip (decimated to 100 points per line, 4 significant digits), the size budget
// for four long runs, named hostile payloads, and property tests: decoding never throws, and what it returns passes
// the run schema.
import fc from 'fast-check';
import { deflateSync, inflateSync } from 'fflate';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../engine/config';
import { createAppStore } from './store/appStore';
import { summarize } from './store/runModel';
import { runSchema } from './store/runSchema';
import { metricsPoint, evalPoint } from './testing/fakeWorker';
import { trainRun } from './testing/sampleRuns';
import { MAX_RESULTS_CHARS, decimate, decodeResults, encodeResults } from './resultsCodec';

const base = DEFAULT_CONFIG;
const pack = (json: string) => Buffer.from(deflateSync(new TextEncoder().encode(json))).toString('base64url');

/**
 * `n` runs of `steps` logged steps with noisy values (every digit kept is random: the hard case for compression),
 * evaluated every 25 steps (the default).
 */
function longRuns(n: number, steps: number) {
  const store = createAppStore({ now: () => 0 });
  let seed = 1;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let r = 0; r < n; r++) {
    const s = store.getState();
    const id = trainRun(store, 0, 'student', { distillation: (['none', 'soft', 'hard'] as const)[r % 3], tau: 2 + r });
    for (let i = 1; i <= steps; i++) {
      s.appendMetrics(id, [metricsPoint(i, { loss: { total: 2 * rnd(), base: 2 * rnd(), distill: rnd() }, imagesPerSec: 100 * rnd(), time: i * 97 + rnd() })]);
      if (i % 25 === 0) s.appendEval(id, evalPoint(i, { clsAcc: rnd(), distAcc: rnd(), fusedAcc: rnd(), teacherAcc: 0.9, agreement: { cls: rnd(), dist: rnd(), fused: rnd() } }));
    }
    s.appendEval(id, evalPoint(steps, { split: 'test', count: 10000, clsAcc: 0.8, distAcc: 0.79, fusedAcc: 0.81 }));
    s.setRunStatus(id, 'done', steps);
  }
  const st = store.getState();
  return st.runOrder.map((id) => st.runs[id]!);
}

describe('results codec', () => {
  it('decimates to at most 100 points, keeping the first and the last', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const d = decimate(xs);
    expect(d).toHaveLength(100);
    expect(d[0]).toBe(0);
    expect(d[99]).toBe(999);
    expect(decimate([1, 2, 3])).toEqual([1, 2, 3]);
  });

  it('round-trips runs: configs, curves, final metrics and markers', () => {
    const store = createAppStore({ now: () => 0 });
    trainRun(store, 12, 'done');
    const run = store.getState().runs['run-1']!;
    const enc = encodeResults([run], base);
    expect(enc.ok).toBe(true);
    if (!enc.ok) return;
    const dec = decodeResults(enc.value, base);
    expect(dec.ok).toBe(true);
    if (!dec.ok) return;
    const got = dec.runs[0]!;
    expect(got.origin).toBe('results-link');
    expect(got.status).toBe('done');
    expect(got.config).toEqual(run.config);
    expect(got.metrics.map((m) => [m.step, m.imagesSeen, m.loss.total])).toEqual(run.metrics.map((m) => [m.step, m.imagesSeen, Number(m.loss.total.toPrecision(3))]));
    expect(got.evals).toHaveLength(run.evals.length);
    expect(summarize(got).final).toEqual(summarize(run).final);
    expect(got.markers).toEqual(run.markers);
    expect(got.live).toEqual(run.live);
  });

  it(`fits four runs of 1,000 noisy steps each in the budget of ${MAX_RESULTS_CHARS} characters`, () => {
    const runs = longRuns(4, 1000);
    const enc = encodeResults(runs, base);
    expect(enc.ok).toBe(true);
    if (!enc.ok) return;
    
    const dec = decodeResults(enc.value, base);
    expect(dec.ok && dec.runs.map((r) => [r.metrics.length, r.evals.length])).toEqual([[100, 41], [100, 41], [100, 41], [100, 41]]);
    expect(enc.value.length).toBeLessThanOrEqual(MAX_RESULTS_CHARS);
  });

  it('refuses more than fits, with a message saying what to do', () => {
    const enc = encodeResults(longRuns(8, 1000), base);
    expect(enc.ok).toBe(false);
    if (!enc.ok) expect(enc.message).toMatch(/need \d+ characters; a link holds at most 12000. Untick some runs/);
  });

  const good = (() => {
    const store = createAppStore({ now: () => 0 });
    trainRun(store, 12, 'done');
    const enc = encodeResults([store.getState().runs['run-1']!], base);
    if (!enc.ok) throw new Error(enc.message);
    return enc.value;
  })();
  const goodJson = () => {
    type P = { c: string; m: Record<string, unknown[]>; e: Record<string, unknown[]>; k: unknown[] };
    return JSON.parse(Buffer.from(inflateSync(Buffer.from(good, 'base64url'))).toString()) as { v: number; runs: P[] };
  };
  const withJson = (fn: (p: ReturnType<typeof goodJson>) => void) => {
    const p = goodJson();
    fn(p);
    return pack(JSON.stringify(p));
  };

  const hostile: [string, string, RegExp][] = [
    ['one character changed', `${good.slice(0, 20)}${good[20] === 'A' ? 'B' : 'A'}${good.slice(21)}`, /corrupted|not shown/],
    ['truncated', good.slice(0, good.length - 10), /corrupted or truncated|not shown/],
    ['not base64url', 'abc$%^', /not base64url/],
    ['oversized', 'A'.repeat(MAX_RESULTS_CHARS + 1), /longer than 12000/],
    ['not JSON inside', pack('{nope'), /not JSON inside/],
    ['a future version', withJson((p) => { p.v = 2; }), /version 2 is not supported/],
    ['__proto__ key', pack(JSON.stringify(goodJson()).replace('{"v":1', '{"__proto__":{"x":1},"v":1')), /"__proto__"/],
    ['a string for a number', withJson((p) => { p.runs[0]!.m.step![0] = '1'; }), /runs\.0\.m\.step\.0/],
    ['accuracy above 1', withJson((p) => { p.runs[0]!.e.fused![0] = 3; }), /runs\.0\.e\.fused\.0/],
    ['columns of different lengths', withJson((p) => { p.runs[0]!.m.total!.pop(); }), /curve columns differ/],
    ['more than 100 points', withJson((p) => { p.runs[0]!.m.step = Array(101).fill(1); }), /runs\.0\.m\.step/],
    ['a bad run config', withJson((p) => { p.runs[0]!.c = 'soft:tau=999'; }), /run 1: tau=.*not shown/],
    ['an unknown key', withJson((p) => { (p.runs[0] as Record<string, unknown>).x = 1; }), /runs\.0\.x/],
    ['a marker outside the live keys', withJson((p) => { p.runs[0]!.k = [{ step: 1, img: 8, patch: { batchSize: 2 } }]; }), /runs\.0\.k\.0\.patch/],
    ['a marker value out of range', withJson((p) => { p.runs[0]!.k = [{ step: 1, img: 8, patch: { tau: 1e9 } }]; }), /markers\[0\]\.patch/],
  ];

  it.each(hostile)('refuses %s, naming the problem', (_name, value, message) => {
    const r = decodeResults(value, base);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('never throws on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      expect(decodeResults(s, base).ok).toBe(false);
    }), { numRuns: 300 });
  });

  it('a payload with one value replaced either decodes to runs within the schema or is refused', () => {
    const p0 = goodJson();
    const paths: string[][] = [];
    const walk = (x: unknown, path: string[]) => {
      if (typeof x === 'object' && x !== null) for (const [k, c] of Object.entries(x)) walk(c, [...path, k]);
      else paths.push(path);
    };
    walk(p0, []);
    const value = fc.oneof(fc.jsonValue(), fc.constantFrom(1e308, -1, 0.5, 2 ** 40, '', 'none', null));
    fc.assert(fc.property(fc.constantFrom(...paths), value, (path, x) => {
      const p = goodJson() as unknown as Record<string, unknown>;
      let o = p;
      for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
      o[path[path.length - 1]!] = x;
      const r = decodeResults(pack(JSON.stringify(p)), base);
      if (r.ok) for (const run of r.runs) expect(v.safeParse(runSchema, run).success).toBe(true);
      else expect(r.message).toMatch(/not shown/);
    }), { numRuns: 200 });
  });
});
