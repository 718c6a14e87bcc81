// The training host: receives protocol messages on an Endpoint (the worker scope, or a MessagePort in tests),
// selects the backend, owns the current TrainingRun, and reports every failure as an `error` message.
import { validateConfig, type BackendChoice } from '../engine/config';
import { httpFetchBytes, type FetchBytes } from '../engine/data/dataset';
import { BackendInitError, resetBackend, selectBackend as defaultSelectBackend, type BackendEnv, type BackendSelection } from './backend';
import { DatasetCache } from './datasetCache';
import { CommandError, describeError } from './errors';
import { assertNever, isToWorker, PROTOCOL_VERSION, type Endpoint, type FromWorker, type ToWorker } from './protocol';
import { TrainingRun } from './run';
import { malformed, validatePatch } from './validate';

export interface HostOptions {
  /** navigator.gpu and the wasm binaries' URLs; Node tests pass { gpu: undefined, wasmPaths: null }. */
  backendEnv: BackendEnv;
  /** Builds the fetcher for an `init`'s baseUrl (default: HTTP). Tests read public/ from disk. */
  fetchBytes?: (baseUrl: string) => FetchBytes;
  /** The backend selection (a seam for tests: e.g. a fake GPUDevice whose loss they trigger). */
  selectBackend?: (choice: BackendChoice, env: BackendEnv) => Promise<BackendSelection>;
  now?: () => number;
}

export class TrainingHost {
  private run: TrainingRun | null = null;
  private backend: { choice: BackendChoice; selection: BackendSelection } | null = null;
  private backendLost = false;
  private readonly datasets = new DatasetCache();
  /** init and stop are handled one after the other (a stop frees tensors before the next init builds new ones). */
  private inbox: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly listener = (ev: MessageEvent) => this.receive(ev.data);

  constructor(protected readonly endpoint: Endpoint, private readonly opts: HostOptions) {
    this.now = opts.now ?? (() => performance.now());
    endpoint.addEventListener('message', this.listener);
    (endpoint as Partial<MessagePort>).start?.(); // a MessagePort delivers only once started
  }

  /** Stops listening and ends the current run (tests; a worker simply terminates). */
  async dispose(): Promise<void> {
    this.endpoint.removeEventListener('message', this.listener);
    await this.inbox;
    await this.run?.stop();
    this.run = null;
  }

  protected post(msg: FromWorker): void {
    this.endpoint.postMessage(msg);
  }

  /** Anything that escapes a handler ends up here: the UI gets an error message, never silence. */
  reportUnexpected(e: unknown): void {
    this.post({ type: 'error', runId: this.run?.runId ?? '', ...describeError(e, null) });
  }

  /**
   * A message outside the app's protocol, before it is refused as malformed: the bench worker's host (BenchHost)
   * answers its `benchmark` request here. Returns whether the message was taken.
   */
  protected receiveOther(_data: unknown): boolean {
    return false;
  }

  /** Queues work after the messages already received (init and stop run one after the other). */
  protected enqueue(work: () => Promise<void>, onError: (e: unknown) => void): void {
    this.inbox = this.inbox.then(work).catch(onError);
  }

  /** A run is live or held (the worker owns its tensors). */
  protected get hasRun(): boolean {
    return this.run !== null;
  }

  private receive(data: unknown): void {
    if (this.receiveOther(data)) return;
    if (!isToWorker(data)) {
      const type = typeof data === 'object' && data !== null ? String((data as { type?: unknown }).type) : typeof data;
      this.post({ type: 'error', runId: this.run?.runId ?? '', code: 'protocol', message: `malformed message (type ${type})`, step: null });
      return;
    }
    const problem = malformed(data);
    if (problem) {
      const runId = data.type === 'init' && typeof data.runId === 'string' ? data.runId : (this.run?.runId ?? '');
      this.post({ type: 'error', runId, code: 'protocol', message: problem, step: null });
      return;
    }
    this.enqueue(() => this.handle(data), (e) => this.reportError(e, data));
  }

  private reportError(e: unknown, msg: ToWorker): void {
    const d = describeError(e, null);
    const runId = msg.type === 'init' ? msg.runId : (this.run?.runId ?? '');
    this.post({ type: 'error', runId, ...d });
  }

  /** Commands other than init/stop return at once; their async work runs inside the run, in order. */
  private async handle(msg: ToWorker): Promise<void> {
    if (msg.type === 'init') return this.init(msg);
    if (msg.type === 'stop') return this.stop();
    if (msg.type === 'probe') return this.probe(msg);
    const run = this.run;
    if (!run) throw new CommandError('protocol', `${msg.type}: no run; send init first`);
    const detach = (p: Promise<void>) => void p.catch((e: unknown) => this.reportError(e, msg));
    switch (msg.type) {
      case 'start':
        return run.start();
      case 'pause':
        return run.pause();
      case 'resume':
        return run.resume();
      case 'step':
        return run.step(msg.n);
      case 'update': {
        const errors = validatePatch(msg.patch as Record<string, unknown>);
        if (errors.length > 0) throw new CommandError('bad-config', `update refused: ${errors.join('; ')}`);
        return detach(run.update(msg.patch));
      }
      case 'evalNow':
        return detach(run.evalNow());
      case 'exportWeights':
        return detach(run.exportWeights(msg.which));
      case 'requestSample':
        return detach(run.requestSample(msg.index));
      case 'requestImages':
        return detach(run.requestImages(msg.indices));
      default:
        return assertNever(msg);
    }
  }

  private async init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
    if (msg.version !== PROTOCOL_VERSION) {
      throw new CommandError('protocol', `the page speaks protocol ${msg.version}, this worker ${PROTOCOL_VERSION}: reload the page`);
    }
    const problems = validateConfig(msg.config);
    if (problems.length > 0) throw new CommandError('bad-config', problems.map((p) => p.message).join('; '));
    await this.stop(); // an init while a run is live replaces it
    const selection = await this.ensureBackend(msg.config.backend, msg.runId);
    if (!selection) return;
    this.run = new TrainingRun(msg.runId, { ...msg.config }, {
      post: (m) => this.post(m),
      fetchBytes: (this.opts.fetchBytes ?? httpFetchBytes)(msg.baseUrl),
      datasets: this.datasets,
      backend: selection.report.backend,
      now: this.now,
      teacherFile: msg.options?.teacherFile ?? null,
    });
    this.post({ type: 'ready', version: PROTOCOL_VERSION, runId: msg.runId, backend: selection.report });
    this.post({ type: 'status', runId: msg.runId, status: 'idle', step: 0 });
  }

  private async probe(msg: Extract<ToWorker, { type: 'probe' }>): Promise<void> {
    if (msg.version !== PROTOCOL_VERSION) {
      throw new CommandError('protocol', `the page speaks protocol ${msg.version}, this worker ${PROTOCOL_VERSION}: reload the page`);
    }
    if (this.run && this.backend?.choice !== msg.backend) return; // never swap the backend under a live run
    const selection = await this.ensureBackend(msg.backend, this.run?.runId ?? '');
    if (selection) this.post({ type: 'backend', report: selection.report });
  }

  private async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = null;
    await run.stop();
    this.post({ type: 'status', runId: run.runId, status: 'idle', step: 0 });
  }

  /** Selects the backend on first use, when the config asks for another one, or after the device was lost. */
  protected async ensureBackend(choice: BackendChoice, runId: string, onFailure?: (report: BackendInitError['report']) => void): Promise<BackendSelection | null> {
    if (this.backend && this.backend.choice === choice && !this.backendLost) return this.backend.selection;
    if (this.backendLost && this.backend) resetBackend(this.backend.selection.report.backend);
    this.backend = null;
    this.backendLost = false;
    let selection: BackendSelection;
    try {
      selection = await (this.opts.selectBackend ?? defaultSelectBackend)(choice, this.opts.backendEnv);
    } catch (e) {
      if (e instanceof BackendInitError) onFailure?.(e.report);
      // No backend, no run: reported like a fatal run error so the UI ends the run it was starting.
      this.post({ type: 'error', runId, code: 'backend-init', message: describeError(e, null).message, step: null });
      this.post({ type: 'status', runId, status: 'error', step: 0 });
      return null;
    }
    this.backend = { choice, selection };
    this.watchDevice(selection);
    return selection;
  }

  private watchDevice(selection: BackendSelection): void {
    const device = selection.device;
    if (!device) return;
    void device.lost.then((info) => {
      if (this.backend?.selection !== selection) return; // an old device we let go of
      this.backendLost = true;
      const reason = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
      if (this.run) this.run.deviceLost(reason);
      else this.post({ type: 'error', runId: '', code: 'device-lost', message: `the WebGPU device was lost (${reason})`, step: null });
    });
  }
}
