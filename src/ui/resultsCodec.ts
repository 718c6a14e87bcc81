// The results part of a link: `results=<base64url(deflate-raw(JSON))>` after the settings the share codec writes.
// It carries the selected runs' configs (as the share codec's run items), curves decimated to at most 100 points per
// line, evaluations (final metrics come from them) and live-change markers. Pure and bounded: the text, the inflated
// bytes and every array are capped, prototype keys are refused, every value is range-checked, and the rebuilt runs
// pass runSchema before anything reaches the store. Accuracies keep 4 significant digits, the rest 3 (what a chart
// shows).
import { deflateSync, inflateSync } from 'fflate';
import * as v from 'valibot';
import { liveOf, type LiveParams, type TrainConfig } from '../engine/config';
import type { EvalPoint, MetricsPoint } from '../workers/protocol';
import { formatRun, parseRun } from './shareCodec';
import { markerLabel, newRun, type Marker, type Run } from './store/runModel';
import { checkRun } from './store/runSchema';

export const RESULTS_KEY = 'results';
export const RESULTS_VERSION = 1;
/** Budget of the results part of a link, in characters: four runs of 100 points per line fit (README "Files"). */
export const MAX_RESULTS_CHARS = 12_000;
/** Inflated JSON larger than this is refused (a small link cannot hold more honestly). */
const MAX_INFLATED = 512 * 1024;
export const MAX_LINK_RUNS = 8;
export const MAX_LINE_POINTS = 100;

/** Keeps at most `max` points: the first, the last and evenly spaced ones between (all of them when few). */
export function decimate<T>(points: readonly T[], max = MAX_LINE_POINTS): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

const r4 = (x: number) => Number(x.toPrecision(4));
const r3 = (x: number) => Number(x.toPrecision(3));
const r4n = (x: number | null) => (x === null ? null : r4(x));

const num = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const col = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.maxLength(MAX_LINE_POINTS));
const acc = v.nullable(num(0, 1));
const STEP = int(0, 1e9);
const IMAGES = int(0, 1e12);
const LOSS = num(-1e6, 1e6);

const payloadRun = v.strictObject({
  c: v.pipe(v.string(), v.maxLength(400)),
  s: v.picklist(['done', 'stopped', 'error', 'interrupted']),
  n: STEP, t: STEP,
  m: v.strictObject({ step: col(STEP), img: col(IMAGES), total: col(LOSS), base: col(LOSS), distill: col(LOSS), lr: col(num(0, 10)), ips: col(num(0, 1e12)), time: col(num(0, 1e12)) }),
  e: v.strictObject({ step: col(STEP), img: col(IMAGES), test: col(v.picklist([0, 1])), count: col(int(0, 1e6)), cls: col(acc), dist: col(acc), fused: col(acc), teacher: col(acc), agreeCls: col(acc), agreeDist: col(acc), agreeFused: col(acc), loss: col(LOSS) }),
  k: v.pipe(v.array(v.strictObject({ step: STEP, img: IMAGES, patch: v.record(v.picklist(['distillation', 'tau', 'alpha', 'lr', 'evalInterval']), v.union([v.number(), v.string()])) })), v.maxLength(50)),
});
const payloadSchema = v.strictObject({ v: v.literal(RESULTS_VERSION), runs: v.pipe(v.array(payloadRun), v.minLength(1), v.maxLength(MAX_LINK_RUNS)) });
type PayloadRun = v.InferOutput<typeof payloadRun>;

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const bin = atob(s.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function encodeRun(run: Run, base: TrainConfig): PayloadRun {
  const m = decimate(run.metrics);
  const tests = run.evals.filter((e) => e.split === 'test');
  const e = tests.length >= MAX_LINE_POINTS ? decimate(tests) : [...decimate(run.evals.filter((x) => x.split === 'subset'), MAX_LINE_POINTS - tests.length), ...tests].sort((a, b) => a.step - b.step);
  return {
    c: formatRun(run.config, base),
    s: run.status === 'done' || run.status === 'stopped' || run.status === 'error' ? run.status : 'interrupted',
    n: run.step, t: run.totalSteps,
    m: {
      step: m.map((p) => p.step), img: m.map((p) => p.imagesSeen), total: m.map((p) => r3(p.loss.total)), base: m.map((p) => r3(p.loss.base)),
      distill: m.map((p) => r3(p.loss.distill)), lr: m.map((p) => r3(p.lr)), ips: m.map((p) => r3(p.imagesPerSec)), time: m.map((p) => r3(p.time)),
    },
    e: {
      step: e.map((p) => p.step), img: e.map((p) => p.imagesSeen), test: e.map((p) => (p.split === 'test' ? 1 : 0)), count: e.map((p) => p.count),
      cls: e.map((p) => r4n(p.clsAcc)), dist: e.map((p) => r4n(p.distAcc)), fused: e.map((p) => r4n(p.fusedAcc)), teacher: e.map((p) => r4n(p.teacherAcc)),
      agreeCls: e.map((p) => r4n(p.agreement?.cls ?? null)), agreeDist: e.map((p) => r4n(p.agreement?.dist ?? null)),
      agreeFused: e.map((p) => r4n(p.agreement?.fused ?? null)), loss: e.map((p) => r3(p.loss)),
    },
    k: run.markers.slice(0, 50).map((k) => ({ step: k.step, img: k.imagesSeen, patch: k.patch as Record<string, number | string> })),
  };
}

/** The `results` value for these runs, or a message when it would not fit MAX_RESULTS_CHARS. */
export function encodeResults(runs: readonly Run[], base: TrainConfig): { ok: true; value: string } | { ok: false; message: string } {
  if (runs.length === 0) return { ok: false, message: 'no finished or interrupted run is shown on the charts' };
  if (runs.length > MAX_LINK_RUNS) return { ok: false, message: `${runs.length} runs are shown; a results link holds at most ${MAX_LINK_RUNS}` };
  const json = JSON.stringify({ v: RESULTS_VERSION, runs: runs.map((r) => encodeRun(r, base)) });
  const value = toBase64Url(deflateSync(new TextEncoder().encode(json), { level: 9 }));
  if (value.length > MAX_RESULTS_CHARS) {
    return { ok: false, message: `the results of ${runs.length} runs need ${value.length} characters; a link holds at most ${MAX_RESULTS_CHARS}. Untick some runs in the table and copy again` };
  }
  return { ok: true, value };
}

function column<K extends string>(cols: Record<K, unknown[]>, what: string): number | string {
  const lengths = new Set(Object.values<unknown[]>(cols).map((c) => c.length));
  return lengths.size === 1 ? [...lengths][0]! : `${what} columns differ in length`;
}

function buildRun(p: PayloadRun, i: number, base: TrainConfig): Run | string {
  const parsed = parseRun(p.c, base);
  if ('reason' in parsed) return `run ${i + 1}: ${parsed.reason}`;
  const config = parsed.config;
  const nm = column(p.m, 'curve');
  const ne = column(p.e, 'evaluation');
  if (typeof nm === 'string' || typeof ne === 'string') return `run ${i + 1}: ${typeof nm === 'string' ? nm : ne}`;
  const spe = Math.max(1, Math.floor(config.trainSubset / config.batchSize));
  const metrics: MetricsPoint[] = p.m.step.map((step, j) => ({
    phase: 'student', step, totalSteps: p.t, epoch: Math.floor(step / spe), imagesSeen: p.m.img[j]!,
    loss: { total: p.m.total[j]!, base: p.m.base[j]!, distill: p.m.distill[j]! },
    // Not carried by a link: the gradient norm and the memory counters of the machine that trained.
    gradNorm: 0, lr: p.m.lr[j]!, imagesPerSec: p.m.ips[j]!, numTensors: 0, numBytes: 0, time: p.m.time[j]!,
  }));
  const evals: EvalPoint[] = p.e.step.map((step, j) => {
    const cls = p.e.agreeCls[j] ?? null;
    const fused = p.e.agreeFused[j] ?? null;
    return {
      phase: 'student', step, imagesSeen: p.e.img[j]!, split: p.e.test[j] === 1 ? 'test' : 'subset', count: p.e.count[j]!,
      clsAcc: p.e.cls[j]!, distAcc: p.e.dist[j]!, fusedAcc: p.e.fused[j]!, teacherAcc: p.e.teacher[j]!,
      agreement: cls === null || fused === null ? null : { cls, dist: p.e.agreeDist[j] ?? null, fused }, loss: p.e.loss[j]!,
      // Not carried by a link (size): the per-layer token similarity and the confusion matrices.
      tokenCosine: null, confusion: null,
    };
  });
  let live = liveOf(config);
  const markers: Marker[] = p.k.map((k) => {
    // Values are checked with the rest of the run by checkRun below; the label is built here, never read from the link.
    const patch = k.patch as Partial<LiveParams>;
    const label = markerLabel(live, patch);
    live = { ...live, ...patch };
    return { step: k.step, imagesSeen: k.img, patch, label };
  });
  const last = metrics[metrics.length - 1];
  const run: Run = {
    ...newRun(`run-${i + 1}`, i + 1, config, 'results-link', 0),
    live, status: p.s, step: p.n, totalSteps: p.t, epoch: last?.epoch ?? 0, imagesSeen: last?.imagesSeen ?? 0, metrics, evals, markers,
  };
  const checked = checkRun(run, `run ${i + 1}`);
  return 'run' in checked ? checked.run : checked.problems.join('; ');
}

/** Reads a `results` value: the runs it carries, or one message naming the problem. Never throws. */
export function decodeResults(value: string, base: TrainConfig): { ok: true; runs: Run[] } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  if (value.length > MAX_RESULTS_CHARS) return fail(`longer than ${MAX_RESULTS_CHARS} characters; results not shown`);
  const bytes = fromBase64Url(value);
  if (!bytes) return fail('is not base64url; results not shown');
  let text: string;
  try {
    const inflated = inflateSync(bytes);
    if (inflated.length > MAX_INFLATED) return fail(`inflates to more than ${MAX_INFLATED / 1024} KB; results not shown`);
    text = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch {
    return fail('is corrupted or truncated (it does not decompress); results not shown');
  }
  let data: unknown;
  let forbidden: string | null = null;
  try {
    data = JSON.parse(text, (key, x: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') forbidden ??= key;
      return x;
    });
  } catch {
    return fail('is corrupted (not JSON inside); results not shown');
  }
  if (forbidden !== null) return fail(`holds the key "${forbidden}"; results not shown`);
  if (typeof data === 'object' && data !== null && 'v' in data && data.v !== RESULTS_VERSION) {
    return fail(`version ${JSON.stringify(data.v).slice(0, 12)} is not supported (this app reads ${RESULTS_VERSION}); results not shown`);
  }
  const r = v.safeParse(payloadSchema, data);
  if (!r.success) {
    const issue = r.issues[0]!;
    const path = (issue.path ?? []).map((p) => String((p as { key?: unknown }).key)).join('.');
    return fail(`${path || 'payload'}: ${issue.message.replace(/ but received .*$/, '')}; results not shown`);
  }
  const runs: Run[] = [];
  for (const [i, p] of r.output.runs.entries()) {
    const built = buildRun(p, i, base);
    if (typeof built === 'string') return fail(`${built}; results not shown`);
    runs.push(built);
  }
  return { ok: true, runs };
}
