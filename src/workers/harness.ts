// The e2e harness page's script: drives the real training worker through TrainingClient, with no UI, and exposes
// window.__harness for Playwright (e2e/worker.spec.ts) and for npm run bench. Main-thread code: types only from the
// worker side.
import type { BenchResult } from '../engine/benchmark';
import type { TrainConfig } from '../engine/config';
import type { BenchmarkReply, BenchmarkRequest } from './benchProtocol';
import { TrainingClient } from './client';
import { PROTOCOL_VERSION, type BackendReport, type FromWorker, type RunOptions, type ToWorker } from './protocol';

export interface HarnessRunOptions {
  /**
   * Gives up (and stops the run) when no message of the run arrived for this long: progress, not a budget, decides
   * (a busy machine runs the same steps slower). Default 180 s.
   */
  stallMs?: number;
  /** Gives up after this long whatever the progress: a ceiling far above the normal time. Default 20 min. */
  ceilingMs?: number;
  /** Asks for an insight sample once the run is done. */
  sample?: boolean;
  /** Sent with init (e.g. a teacher from files). */
  options?: RunOptions;
}

export interface Harness {
  /** init only: resolves with the `ready` (or `error`) answer. */
  init(config: TrainConfig): Promise<FromWorker>;
  /** init + start; resolves with every message of the run once it is done or failed (or timed out). */
  run(config: TrainConfig, opts?: HarnessRunOptions): Promise<HarnessRunResult>;
  /** Sends a `benchmark` message and resolves with its backend report and results, or the error that ended it. */
  benchmark(request: HarnessBenchmarkRequest, timeoutMs?: number): Promise<HarnessBenchmarkResult>;
}

export type HarnessBenchmarkRequest = Omit<BenchmarkRequest, 'type'>;

/** The app's protocol, and with ?worker=bench the bench worker's request and reply. */
type Client = TrainingClient<ToWorker | BenchmarkRequest, FromWorker | BenchmarkReply>;

export interface HarnessBenchmarkResult {
  /** The backend report (backend 'none' with every attempt's reason when the requested one is unavailable). */
  report: BackendReport | null;
  results: BenchResult[] | null;
  /** The worker's error message, a crash, or a timeout. */
  error: string | null;
  ms: number;
}

export interface HarnessRunResult {
  messages: FromWorker[];
  /** performance.now() when each message arrived on the main thread. */
  receivedAt: number[];
  /** Why the harness gave up ('no message for N s', 'ceiling of N s'), or null when the run ended on its own. */
  timedOut: string | null;
  crashed: string | null;
}

declare global {
  interface Window {
    __harness: Harness;
  }
}

const baseUrl = new URL(import.meta.env.BASE_URL, location.href).href;
const logEl = document.getElementById('log');
const log = (line: string) => {
  if (logEl) logEl.textContent += `${line}\n`;
};

let client: Client | null = null;
let crashed: string | null = null;
let runs = 0;

function getClient(): Client {
  if (!client) {
    // ?worker=bench: the bench worker, which answers `benchmark` (npm run bench); otherwise the app's own worker.
    client = new URLSearchParams(location.search).get('worker') === 'bench'
      ? new TrainingClient(() => new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' }))
      : new TrainingClient();
    client.onCrash(({ message }) => {
      crashed = message;
      log(`crash: ${message}`);
    });
    client.onAny((m) => {
      if (m.type !== 'metrics') log(`${Math.round(performance.now())} ${m.type} ${JSON.stringify(m).slice(0, 300)}`);
      else log(`${Math.round(performance.now())} metrics ${m.points.map((p) => `${p.phase}:${p.step}`).join(' ')}`);
    });
  }
  return client;
}

/**
 * Collects the run's messages until `until` matches. Resolves with null then, or with why it gave up: no message of
 * the run for `stallMs` (each message restarts that clock), or `ceilingMs` in all.
 */
function collect(runId: string, until: (m: FromWorker) => boolean, stallMs: number, ceilingMs = stallMs): { done: Promise<string | null>; messages: FromWorker[]; receivedAt: number[] } {
  const messages: FromWorker[] = [];
  const receivedAt: number[] = [];
  const c = getClient();
  const done = new Promise<string | null>((resolve) => {
    const finish = (why: string | null) => {
      clearTimeout(stall);
      clearTimeout(ceiling);
      off();
      resolve(why);
    };
    const ceiling = setTimeout(() => finish(`ceiling of ${ceilingMs / 1000} s`), ceilingMs);
    let stall = setTimeout(() => finish(`no message for ${stallMs / 1000} s`), stallMs);
    const off = c.onAny((m) => {
      if (!('runId' in m) || (m.runId !== runId && !(m.type === 'error' && m.runId === ''))) return;
      messages.push(m);
      receivedAt.push(performance.now());
      if (until(m)) return finish(null);
      clearTimeout(stall);
      stall = setTimeout(() => finish(`no message for ${stallMs / 1000} s`), stallMs);
    });
  });
  return { done, messages, receivedAt };
}

window.__harness = {
  async init(config) {
    const runId = `harness-${++runs}`;
    const { done, messages } = collect(runId, (m) => m.type === 'ready' || m.type === 'error', 120_000);
    getClient().send({ type: 'init', version: PROTOCOL_VERSION, runId, config, baseUrl });
    await done;
    return messages.at(-1)!;
  },

  async run(config, opts = {}) {
    const runId = `harness-${++runs}`;
    const c = getClient();
    const ended = (m: FromWorker) => m.type === 'status' && (m.status === 'done' || m.status === 'error');
    const { done, messages, receivedAt } = collect(runId, (m) => ended(m) || (m.type === 'error' && m.code === 'backend-init'), opts.stallMs ?? 180_000, opts.ceilingMs ?? 20 * 60_000);
    const offReady = c.on('ready', (m) => {
      if (m.runId === runId) c.send({ type: 'start' });
    });
    c.send({ type: 'init', version: PROTOCOL_VERSION, runId, config, baseUrl, ...(opts.options ? { options: opts.options } : {}) });
    const timedOut = await done;
    offReady();
    if (timedOut) c.send({ type: 'stop' });
    else if (opts.sample && messages.some((m) => m.type === 'status' && m.status === 'done')) {
      const s = collect(runId, (m) => m.type === 'sample' || m.type === 'error', opts.stallMs ?? 180_000);
      c.send({ type: 'requestSample', index: 0 });
      await s.done;
      messages.push(...s.messages);
      receivedAt.push(...s.receivedAt);
    }
    return { messages, receivedAt, timedOut, crashed };
  },

  async benchmark(request, timeoutMs = 600_000) {
    const c = getClient();
    const t0 = performance.now();
    let report: BackendReport | null = null;
    const ended = new Promise<{ results: BenchResult[] | null; error: string | null }>((resolve) => {
      const timer = setTimeout(() => finish({ results: null, error: `no benchmark answer within ${timeoutMs} ms` }), timeoutMs);
      const offAny = c.onAny((m) => {
        if (m.type === 'backend') report = m.report;
        else if (m.type === 'benchmark') finish({ results: m.results, error: null });
        else if (m.type === 'error' && m.runId === '') finish({ results: null, error: `${m.code}: ${m.message}` });
      });
      const offCrash = c.onCrash(({ message }) => finish({ results: null, error: `worker crashed: ${message}` }));
      function finish(r: { results: BenchResult[] | null; error: string | null }) {
        clearTimeout(timer);
        offAny();
        offCrash();
        resolve(r);
      }
    });
    c.send({ type: 'benchmark', ...request });
    const { results, error } = await ended;
    return { report, results, error, ms: performance.now() - t0 };
  },
};
log(`harness ready (base ${baseUrl})`);
