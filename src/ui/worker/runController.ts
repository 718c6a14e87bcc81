// The run controller: everything the UI sends to the worker. It turns Start/Pause/Stop/sweeps into protocol
// messages, completes the init -> ready -> start handshake, advances the queue when a run finishes, turns
// changes of live controls (mode, tau, alpha, lr, eval interval) during a run into debounced `update`s, and
// probes the backend (at page load, and when the backend control changes with no run live) so the badge shows
// what is really in use before Start.
import { LIVE_KEYS, type BackendChoice, type Distillation, type LiveParams, type TrainConfig } from '../../engine/config';
import { MAX_IMAGE_REQUEST, PROTOCOL_VERSION, type FromWorker } from '../../workers/protocol';
import type { AppStore } from '../store/appStore';
import { isLive, isRunning } from '../store/runModel';
import { selectActiveRun, selectFirstQueuedId, selectIsTraining } from '../store/selectors';
import type { WorkerClient } from './workerClient';

export const SWEEP_MODES: readonly Distillation[] = ['none', 'soft', 'hard'];
export const SWEEP_TAUS: readonly number[] = [1, 3, 10];

export interface RunController {
  /** Resumes a paused run, else starts the first queued run, else a new run with the controls' config. */
  start(): void;
  pause(): void;
  resume(): void;
  /** n student steps while paused. */
  step(n?: number): void;
  /** Stops the live run; queued runs stay queued until the next Start. */
  stop(): void;
  evalNow(): void;
  /** Chooses the attention maps' test image of the active run (a random one when omitted). */
  requestSample(index?: number): void;
  /** Asks for test images of a run, if the worker still holds it (a confusion cell's examples). */
  requestImages(runId: string, indices: readonly number[]): void;
  /** Queues none / soft / hard with the controls' config (same seed) and starts unless a run is training. */
  sweepModes(): void;
  /** Queues soft runs at each temperature (same seed) and starts unless a run is training. */
  sweepTau(taus?: readonly number[]): void;
  /** Queues these runs' configs again (interrupted, imported or from a results link) and starts unless a run trains. */
  retrain(ids: readonly string[]): void;
  /**
   * Paper mode: queues DeiT Table 3's runs (engine/paperRuns.ts) with the controls' student, budget and seed, as many
   * seeds as paperSeeds says, and starts unless a run is training.
   */
  paperMode(): void;
  /** Queues DeiT⚗ hard with each shipped teacher (CNN, CNN matched accuracy, transformer) and starts unless a run trains. */
  compareTeachers(): void;
  /**
   * Asks the worker which backend the controls' choice gets (answered by `backend`), unless that choice was already
   * probed or initialised. Called once at page load; the controller probes again by itself when the backend control
   * changes with no run live, when a run ends with the control changed meanwhile, and after a worker restart.
   */
  probeBackend(): void;
  /**
   * The weights of the run the worker holds (live or done): resolves with the checkpoint (manifest text and weights);
   * rejects when the worker no longer holds the run or refuses (e.g. no student trained yet).
   */
  exportWeights(runId: string, which: 'student' | 'teacher'): Promise<WeightsFiles>;
  /** Recreates the worker after a crash; every run's data stays. */
  restartWorker(): void;
  dispose(): void;
}

export type WeightsFiles = Omit<Extract<FromWorker, { type: 'weights' }>, 'type'>;

export interface ControllerOptions {
  /** Where the worker fetches datasets and checkpoints: new URL(import.meta.env.BASE_URL, location.href).href. */
  baseUrl: string;
  /** Trailing debounce of live updates, so dragging a slider sends one `update`, not fifty. */
  liveDebounceMs?: number;
}

export function createRunController(client: WorkerClient, store: AppStore, opts: ControllerOptions): RunController {
  const debounceMs = opts.liveDebounceMs ?? 250;
  let pendingStart: string | null = null;
  let pendingPatch: Partial<LiveParams> = {};
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The backend choice the worker last selected (by a probe or an init); null: none yet, or a fresh worker. */
  let selected: BackendChoice | null = null;
  /** A finished run the worker was told to let go of (for a probe): it can no longer answer requestSample. */
  let released: string | null = null;
  const get = store.getState;

  const probe = (choice: BackendChoice) => {
    if (choice === selected) return;
    // The host never swaps the backend under a run it holds, and it holds a finished run (done, failed) until the
    // next init or stop: let it go first. Its data stays in the store; only its tensors in the worker are freed.
    const active = selectActiveRun(get());
    if (active && (active.status === 'done' || active.status === 'error') && released !== active.id) {
      client.send({ type: 'stop' });
      released = active.id;
    }
    selected = choice;
    get().backendProbeSent(choice);
    client.send({ type: 'probe', version: PROTOCOL_VERSION, backend: choice });
  };

  /** Probes the controls' backend once nothing trains (deferred past a queued run that is about to start). */
  const probeWhenIdle = () => {
    queueMicrotask(() => {
      if (!selectIsTraining(get()) && pendingStart === null) probe(get().config.backend);
    });
  };

  const launch = (id: string) => {
    const run = get().runs[id];
    if (!run) return;
    const active = selectActiveRun(get());
    if (active && isLive(active.status)) {
      client.send({ type: 'stop' });
      get().stopRun(active.id);
    }
    flushCancel();
    get().activateRun(id);
    pendingStart = id;
    selected = run.config.backend;
    // A teacher loaded from files replaces the shipped one in the runs launched while it is loaded.
    const file = run.config.teacher === 'pretrained' ? get().teacherFile : null;
    const options = file ? { teacherFile: { name: file.name, json: file.json, weights: file.weights } } : undefined;
    client.send({ type: 'init', version: PROTOCOL_VERSION, runId: id, config: run.config, baseUrl: opts.baseUrl, ...(options ? { options } : {}) });
  };

  const startNextQueued = (): boolean => {
    const next = selectFirstQueuedId(get());
    if (!next) return false;
    get().setAutoAdvance(true);
    launch(next);
    return true;
  };

  /** Starts the queue unless a run is training (after runs were queued). */
  const go = () => {
    get().setAutoAdvance(true);
    if (!selectIsTraining(get())) startNextQueued();
  };

  const queueAndGo = (configs: TrainConfig[], origin: 'sweep' | 'manual' = 'sweep') => {
    get().queueRuns(configs, origin);
    go();
  };

  const flushCancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pendingPatch = {};
  };

  const flushLive = () => {
    timer = null;
    const patch = pendingPatch;
    pendingPatch = {};
    if (Object.keys(patch).length > 0 && selectIsTraining(get())) client.send({ type: 'update', patch });
  };

  const offReady = client.on('ready', (msg) => {
    if (msg.runId !== pendingStart) return;
    pendingStart = null;
    if (msg.version !== PROTOCOL_VERSION) {
      get().pushError({ runId: msg.runId, runNumber: get().runs[msg.runId]?.number ?? null, code: 'protocol', message: `worker speaks protocol ${msg.version}, the page ${PROTOCOL_VERSION}: reload the page`, step: null });
      get().failRun(msg.runId, { code: 'protocol', message: 'protocol version mismatch', step: null });
      return;
    }
    client.send({ type: 'start' });
  });

  const offStore = store.subscribe((s, prev) => {
    // A finished run hands over to the next queued one (deferred: never start a run from inside a store update).
    const active = s.activeRunId ? s.runs[s.activeRunId] : undefined;
    const before = prev.activeRunId ? prev.runs[prev.activeRunId] : undefined;
    if (active && active.status === 'done' && before?.id === active.id && before.status !== 'done' && s.autoAdvance) {
      queueMicrotask(() => {
        if (get().autoAdvance && !selectIsTraining(get())) startNextQueued();
      });
    }
    // The backend control changed with no run live, or a run ended after it changed: show what the choice gets.
    // (The microtask runs after the queue's, so a queued run that starts now keeps the worker's backend.)
    const wasTraining = selectIsTraining(prev);
    const training = selectIsTraining(s);
    if (!training && (s.config.backend !== prev.config.backend || wasTraining) && s.config.backend !== selected) probeWhenIdle();
    // Live controls changed during a run: collect the changed keys and send them once the slider rests.
    if (s.config !== prev.config && selectIsTraining(s)) {
      let changed = false;
      for (const key of LIVE_KEYS) {
        if (s.config[key] !== prev.config[key]) {
          (pendingPatch as Record<string, unknown>)[key] = s.config[key];
          changed = true;
        }
      }
      if (changed) {
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(flushLive, debounceMs);
      }
    }
  });

  const activeStatus = () => selectActiveRun(get())?.status;
  /** The active run, while the worker holds it and can answer for it. */
  const held = () => {
    const active = selectActiveRun(get());
    return active && (isLive(active.status) || active.status === 'done') && active.id !== released ? active : null;
  };

  const resume = () => {
    if (activeStatus() === 'paused') client.send({ type: 'resume' });
  };

  // Plain closures (no `this`), so components can pass controller.start as an event handler.
  return {
    start() {
      const status = activeStatus();
      if (status === 'paused') return resume();
      if (selectIsTraining(get())) return;
      if (startNextQueued()) return;
      const id = get().addRun(get().config, 'manual');
      get().setAutoAdvance(true);
      launch(id);
    },
    pause() {
      if (isRunning(activeStatus())) client.send({ type: 'pause' });
    },
    resume,
    step(n = 1) {
      if (activeStatus() === 'paused') client.send({ type: 'step', n: Math.max(1, Math.floor(n)) });
    },
    stop() {
      const active = selectActiveRun(get());
      if (!active || !isLive(active.status)) return;
      pendingStart = null;
      flushCancel();
      client.send({ type: 'stop' });
      get().stopRun(active.id);
    },
    evalNow() {
      const status = activeStatus();
      if (status === 'student' || status === 'paused') client.send({ type: 'evalNow' });
    },
    requestSample(index) {
      if (!held()) return;
      client.send({ type: 'requestSample', ...(index === undefined ? {} : { index }) });
    },
    requestImages(runId, indices) {
      if (held()?.id !== runId || indices.length === 0) return;
      client.send({ type: 'requestImages', indices: indices.slice(0, MAX_IMAGE_REQUEST) });
    },
    exportWeights(runId, which) {
      if (held()?.id !== runId) return Promise.reject(new Error('the worker no longer holds this run (a later run, a reload or a restart replaced it)'));
      return new Promise<WeightsFiles>((resolve, reject) => {
        const offs = [
          client.on('weights', ({ type: _t, ...m }) => {
            if (m.runId !== runId || m.which !== which) return;
            offs.forEach((off) => off());
            resolve(m);
          }),
          client.on('error', (m) => {
            if (m.runId !== runId || !m.message.startsWith('exportWeights')) return;
            offs.forEach((off) => off());
            reject(new Error(m.message));
          }),
        ];
        client.send({ type: 'exportWeights', which });
      });
    },
    sweepModes() {
      const base = get().config;
      queueAndGo(SWEEP_MODES.map((distillation) => ({ ...base, distillation })));
    },
    sweepTau(taus = SWEEP_TAUS) {
      const base = get().config;
      queueAndGo(taus.map((tau) => ({ ...base, distillation: 'soft' as const, tau })));
    },
    retrain(ids) {
      const configs = ids.map((id) => get().runs[id]?.config).filter((c): c is TrainConfig => c !== undefined);
      if (configs.length > 0) queueAndGo(configs, 'manual');
    },
    paperMode() {
      get().queuePaper(get().config, 'sweep');
      go();
    },
    compareTeachers() {
      get().queueTeacherComparison(get().config, 'sweep');
      go();
    },
    probeBackend() {
      probe(get().config.backend);
    },
    restartWorker() {
      pendingStart = null;
      flushCancel();
      client.restart();
      get().workerRestarted();
      selected = null;
      probe(get().config.backend);
    },
    dispose() {
      flushCancel();
      offReady();
      offStore();
    },
  };
}
