// Main-thread health during a real UI training run: opens index.html with a small config in the share hash
// (autostart), records main-thread long tasks (PerformanceObserver 'longtask', installed before the page's own
// scripts) and the worker's messages (a Worker subclass installed the same way), and attributes long tasks to the
// phases of the run by time. Target: no long task over 50 ms while the student trains.
import { writeFile } from 'node:fs/promises';
import { BASE_INTERVAL_MS } from '../src/ui/hooks/viewPace';
import type { GpuMode } from './benchBrowser';
import { GPU_ERROR, launch, within } from './benchBrowser';

/** 16 steps of deit-nano at batch 8, evaluations every 4 steps on 32 images, 32 test images at the epoch's end. */
export const HEALTH_HASH = 'student=deit-nano&batch=8&epochs=1&trainSubset=128&evalSubset=32&testSubset=32&evalInterval=4&autostart=1';

interface LongTask {
  start: number;
  duration: number;
}

/** What the init script records of each worker message (the payloads stay in the page). */
interface WorkerNote {
  t: number;
  type: string;
  status?: string;
  phase?: string;
  step?: number;
  totalSteps?: number;
  imagesPerSec?: number;
  split?: string;
  backend?: string;
  message?: string;
}

/** A long animation frame (> 50 ms): its scripts, and the style/layout/paint time after them. */
interface SlowFrame {
  start: number;
  duration: number;
  blockingMs: number;
  renderMs: number;
  scripts: { invoker: string; source: string; ms: number }[];
}

/** The page's redraw interval (viewPace, the view-pace element's data-interval) from time `t` on. */
export interface PaceChange {
  t: number;
  ms: number;
}

interface PageRecord {
  longTasks: LongTask[];
  frames: SlowFrame[];
  notes: WorkerNote[];
  paces: PaceChange[];
}

export interface TaskStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface HealthResult {
  hash: string;
  /** What the window had in view while the student trained. */
  view: HealthView;
  /** Runs the link trained one after another (the charts compare them as they go). */
  runs: number;
  backend: string | null;
  /** Student steps seen, and the wall time from the 'student' status to the last step's metrics. */
  steps: number;
  trainingMs: number;
  /** Median images/s of the run's own metrics points (the UI's throughput chart). */
  medianImagesPerSec: number | null;
  /** Subset evaluations during training, and the median gap each one left in the metrics stream. */
  evals: number;
  medianEvalGapMs: number | null;
  /** Long tasks are main-thread tasks of 50 ms or more: every one counts against the target while training. */
  longTasks: { all: TaskStats; beforeTraining: TaskStats; duringTraining: TaskStats; duringTrainingEntries: (LongTask & { after: string })[] };
  /** The slowest long animation frames while training, with the scripts in them (what the long tasks were). */
  slowFramesDuringTraining: SlowFrame[];
  /** How the page's redraw interval spent the training time (it widens while the main thread waits for a core). */
  viewIntervals: IntervalShare[];
  /** WebGPU validation errors logged during the run (see GPU_ERROR): work was dropped. */
  gpuErrors: string[];
  /**
   * The renderer main thread's tasks of 50 ms or more while the student trained, from a Chrome trace ('toplevel'):
   * wall time and the thread's own CPU time in it. A task whose CPU time is far below its wall time spent the rest
   * waiting for a core (on this machine the software GPU shares the CPU), not working.
   */
  tracedLongTasks: TracedTask[] | null;
  /** All of the main thread's tasks in the same trace, by thread CPU time. */
  mainThreadWork: MainThreadWork | null;
  error: string | null;
}

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** A traced long task: wall and thread CPU time, and the longest pieces inside it (event name, wall ms). */
export interface TracedTask {
  wallMs: number;
  cpuMs: number | null;
  parts: { name: string; ms: number }[];
}

/** The renderer main thread's work over a trace, in its own CPU time: what the page costs, whatever the machine's load. */
export interface MainThreadWork {
  tasks: number;
  cpuMs: number;
  /** Tasks with 5 ms of thread CPU or more: the ones a loaded machine can stretch past 50 ms. */
  tasksOver5Ms: number;
  maxCpuMs: number;
}

/** The complete events ('X', with a start) of the renderer's main thread. */
function mainThreadEvents(events: TraceEvent[]): TraceEvent[] {
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  return events.filter((e) => e.ph === 'X' && e.ts !== undefined && mains.some((m) => m.pid === e.pid && m.tid === e.tid));
}

export function mainThreadWork(events: TraceEvent[]): MainThreadWork {
  const cpu = mainThreadEvents(events).filter((e) => e.name === 'ThreadControllerImpl::RunTask').map((e) => (e.tdur ?? 0) / 1000);
  return { tasks: cpu.length, cpuMs: cpu.reduce((a, b) => a + b, 0), tasksOver5Ms: cpu.filter((c) => c >= 5).length, maxCpuMs: Math.max(0, ...cpu) };
}

/**
 * Long top-level tasks (>= 50 ms) of the renderer's main thread in a trace ('toplevel' and 'devtools.timeline'),
 * with their thread CPU time and the three longest direct pieces in them (a script run, a style recalculation, a
 * layout, a paint...): what a task with no script in its slow frame was made of.
 */
export function mainThreadLongTasks(events: TraceEvent[]): TracedTask[] {
  const onMain = mainThreadEvents(events);
  return onMain
    .filter((e) => e.name === 'ThreadControllerImpl::RunTask' && (e.dur ?? 0) >= 50_000)
    .map((task) => {
      const end = task.ts! + task.dur!;
      const inside = onMain.filter((e) => e !== task && e.ts! >= task.ts! && e.ts! + (e.dur ?? 0) <= end && e.name !== 'ThreadControllerImpl::RunTask');
      // Direct pieces: those not inside another piece of the same task.
      const direct = inside.filter((e) => !inside.some((o) => o !== e && o.ts! <= e.ts! && o.ts! + (o.dur ?? 0) >= e.ts! + (e.dur ?? 0) && (o.dur ?? 0) > (e.dur ?? 0)));
      const parts = direct.sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0)).slice(0, 3).map((e) => ({ name: e.name, ms: (e.dur ?? 0) / 1000 }));
      return { wallMs: task.dur! / 1000, cpuMs: task.tdur === undefined ? null : task.tdur / 1000, parts };
    });
}

function stats(tasks: LongTask[]): TaskStats {
  return {
    count: tasks.length,
    totalMs: tasks.reduce((s, t) => s + t.duration, 0),
    maxMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[s.length >> 1]!;
};

/**
 * Installed with page.addInitScript: runs in the page before any of its scripts. Plain JavaScript in a string, so no
 * helper of the TypeScript loader (e.g. esbuild's __name) ends up in a page that lacks it.
 */
const INSTRUMENT = `(() => {
  const rec = { longTasks: [], notes: [] };
  window.__bench = rec;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) rec.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  // Long animation frames name the scripts behind a slow frame (Chromium 123+): what the long tasks were.
  rec.frames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        rec.frames.push({ start: e.startTime, duration: e.duration, blockingMs: e.blockingDuration, renderMs: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          scripts: (e.scripts || []).map((x) => ({ invoker: x.invoker, source: (x.sourceURL || '').split('/').pop() + ':' + x.sourceFunctionName + '@' + x.sourceCharPosition, ms: Math.round(x.duration) })) });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch (e) {}
  // The views' redraw interval, as the page shows it (data-interval of the view-pace element).
  rec.paces = [];
  new MutationObserver((muts) => {
    for (const m of muts) {
      const el = m.target;
      if (el.dataset && el.dataset.testid === 'view-pace') rec.paces.push({ t: performance.now(), ms: Number(el.dataset.interval) });
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-interval'] });
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url, opts) {
      super(url, opts);
      this.addEventListener('message', (ev) => {
        const m = ev.data;
        const t = performance.now();
        if (m.type === 'metrics') {
          for (const p of m.points) rec.notes.push({ t, type: 'metrics', phase: p.phase, step: p.step, totalSteps: p.totalSteps, imagesPerSec: p.imagesPerSec });
          return;
        }
        const report = m.backend ?? m.report;
        rec.notes.push({ t, type: m.type, status: m.status, phase: m.phase, step: m.step ?? m.point?.step, split: m.point?.split, backend: report?.backend, message: m.message });
      });
    }
  };
})();`;

/**
 * `base` with the key=value segments of `extra`: a key in both takes extra's value in base's place, new keys go at the
 * end (the share codec keeps the first of a repeated key, so plain concatenation would ignore the override).
 */
export function mergeHash(base: string, extra: string): string {
  const entries = new Map<string, string>();
  for (const seg of [...base.split('&'), ...extra.split('&')]) {
    if (seg === '') continue;
    const eq = seg.indexOf('=');
    entries.set(eq < 0 ? seg : seg.slice(0, eq), seg);
  }
  return [...entries.values()].join('&');
}

/** Runs a link trains one after another: its `runs=` list (the link's controls are only the base of those), or one. */
export function runsInHash(hash: string): number {
  const runs = hash.split('&').find((s) => s.startsWith('runs='));
  return runs ? runs.slice('runs='.length).split(',').filter(Boolean).length || 1 : 1;
}

/**
 * Where the health run's window looks while the student trains (1280x720): the training curves (what a user watching
 * a run has in view), the insight views, or the top of the page (run bar, progress, metric cards). The browser lays
 * out and paints what is in view; the rest of the page still renders from React and lays out when it changes.
 */
export const HEALTH_VIEWS = { charts: '[data-testid="chart-accuracy"]', insight: '[data-testid="chart-token-cosine"]', top: null } as const;
export type HealthView = keyof typeof HEALTH_VIEWS;

/**
 * Opens the app with HEALTH_HASH (with `extraHash` merged over it: more steps, a backend, several runs to compare),
 * scrolls to `view`, waits until every run of the link has finished its student steps, and attributes long tasks.
 * With `traceFile`, the raw trace of the main thread from the student's start is written there (Chrome DevTools or
 * Perfetto open it).
 */
export async function measureHealth(gpu: GpuMode, baseUrl: string, extraHash: string, timeoutMs: number, view: HealthView = 'charts', traceFile?: string): Promise<HealthResult> {
  const hash = mergeHash(HEALTH_HASH, extraHash);
  const expectedRuns = runsInHash(hash);
  const browser = await launch(gpu);
  try {
    const page = await browser.newPage();
    const gpuErrors: string[] = [];
    page.on('console', (m) => {
      if ((m.type() === 'warning' || m.type() === 'error') && GPU_ERROR.test(m.text()) && gpuErrors.length < 20) gpuErrors.push(m.text().slice(0, 300));
    });
    await page.addInitScript(INSTRUMENT);
    // A trace of the renderer's top-level tasks while the student trains: each long task's thread CPU time.
    const cdp = await page.context().newCDPSession(page);
    const traced: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (d) => void traced.push(...(d.value as unknown as TraceEvent[])));
    const traceDone = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    let tracing = false;
    await page.goto(`${baseUrl}index.html#${hash}`, { timeout: 30_000 });
    const target = HEALTH_VIEWS[view];
    if (target) await page.locator(target).evaluate((el) => el.scrollIntoView({ block: 'start' }), undefined, { timeout: 30_000 });
    const read = () => page.evaluate(() => (window as unknown as { __bench: PageRecord }).__bench);
    const finished = (r: PageRecord) => r.notes.some((n) => n.status === 'error' || n.type === 'error')
      || r.notes.filter((n) => n.type === 'metrics' && n.phase === 'student' && n.step === n.totalSteps).length >= expectedRuns
      || r.notes.filter((n) => n.status === 'done').length >= expectedRuns;
    const deadline = Date.now() + timeoutMs;
    let rec = await read();
    while (!finished(rec) && Date.now() < deadline) {
      if (!tracing && rec.notes.some((n) => n.status === 'student')) {
        tracing = true;
        await cdp.send('Tracing.start', { categories: process.env.BENCH_TRACE_CATEGORIES ?? 'toplevel,devtools.timeline', transferMode: 'ReportEvents' } as never);
      }
      await new Promise((r) => setTimeout(r, tracing ? 500 : 100));
      rec = await within(read(), 30_000, 'reading the page record');
    }
    await new Promise((r) => setTimeout(r, 1000)); // the UI renders the last point
    rec = await read();
    if (tracing) {
      await cdp.send('Tracing.end');
      await within(traceDone, 30_000, 'collecting the trace');
      if (traceFile) await writeFile(traceFile, JSON.stringify({ traceEvents: traced }));
    }
    const timeout = finished(rec) ? null : `the ${expectedRuns > 1 ? `${expectedRuns} runs` : 'run'} did not finish their student steps within ${timeoutMs / 1000} s`;
    return { ...summarise(hash, rec, timeout), view, runs: expectedRuns, gpuErrors, tracedLongTasks: tracing ? mainThreadLongTasks(traced) : null,
      mainThreadWork: tracing ? mainThreadWork(traced) : null };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

export interface IntervalShare {
  ms: number;
  /** Fraction of the time from `start` to `end` spent at this interval. */
  share: number;
}

/**
 * The share of [start, end] the page spent at each redraw interval, from its changes (the interval is the base one until
 * the first change: the page starts there), widest interval last.
 */
export function intervalShares(changes: PaceChange[], start: number, end: number, initialMs = BASE_INTERVAL_MS): IntervalShare[] {
  if (end <= start) return [];
  const time = new Map<number, number>();
  let ms = initialMs;
  let at = start;
  for (const c of [...changes].sort((a, b) => a.t - b.t)) {
    if (c.t <= start) { ms = c.ms; continue; }
    if (c.t >= end) break;
    time.set(ms, (time.get(ms) ?? 0) + c.t - at);
    ms = c.ms;
    at = c.t;
  }
  time.set(ms, (time.get(ms) ?? 0) + end - at);
  return [...time].filter(([, t]) => t > 0).sort(([a], [b]) => a - b).map(([m, t]) => ({ ms: m, share: t / (end - start) }));
}

function lastNoteBefore(notes: WorkerNote[], t: number): string {
  const n = notes.filter((m) => m.t <= t).at(-1);
  if (!n) return '';
  const what = [n.type, n.status, n.phase, n.step === undefined ? undefined : `step ${n.step}`].filter(Boolean).join(' ');
  return `${what}, ${Math.round(t - n.t)} ms before`;
}

/** Student steps over all runs: a run's points count up, and the next run starts again from a low step. */
function totalStudentSteps(points: WorkerNote[]): number {
  let total = 0;
  let prev = 0;
  for (const p of points) {
    const step = p.step ?? 0;
    if (step < prev) total += prev;
    prev = step;
  }
  return total + prev;
}

function summarise(hash: string, rec: PageRecord, timeout: string | null): Omit<HealthResult, 'gpuErrors' | 'runs' | 'tracedLongTasks' | 'mainThreadWork' | 'view'> {
  const notes = rec.notes;
  const studentAt = notes.find((n) => n.status === 'student')?.t ?? null;
  const points = notes.filter((n) => n.type === 'metrics' && n.phase === 'student');
  const last = points.at(-1);
  const endAt = last?.t ?? null;
  const inTraining = (t: LongTask) => studentAt !== null && endAt !== null && t.start >= studentAt && t.start <= endAt;
  // Each subset evaluation sits between the metrics point before it and the next one: that gap is the stall it adds.
  const gaps: number[] = [];
  notes.forEach((n, i) => {
    if (n.type !== 'eval' || n.split !== 'subset' || studentAt === null || n.t < studentAt) return;
    const before = notes.slice(0, i).reverse().find((m) => m.type === 'metrics');
    if (before) gaps.push(n.t - before.t);
  });
  const failure = notes.find((n) => n.type === 'error');
  return {
    hash,
    backend: notes.find((n) => n.type === 'ready' || n.type === 'backend')?.backend ?? null,
    steps: totalStudentSteps(points),
    trainingMs: studentAt !== null && endAt !== null ? endAt - studentAt : 0,
    medianImagesPerSec: median(points.map((p) => p.imagesPerSec!).filter(Number.isFinite)),
    evals: gaps.length,
    medianEvalGapMs: median(gaps),
    longTasks: {
      all: stats(rec.longTasks),
      beforeTraining: stats(rec.longTasks.filter((t) => studentAt === null || t.start < studentAt)),
      duringTraining: stats(rec.longTasks.filter(inTraining)),
      // Each with the worker message that came last before it (what the page was reacting to).
      duringTrainingEntries: rec.longTasks.filter(inTraining).map((t) => ({ ...t, after: lastNoteBefore(notes, t.start) })),
    },
    slowFramesDuringTraining: rec.frames.filter(inTraining).sort((a, b) => b.duration - a.duration).slice(0, 8),
    viewIntervals: studentAt !== null && endAt !== null ? intervalShares(rec.paces, studentAt, endAt) : [],
    error: failure ? `worker error: ${failure.message}` : timeout,
  };
}
