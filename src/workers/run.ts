// One training run inside the worker: the phases (dataset, teacher, precompute, student), the pause/step gate, live
// updates, evaluations and samples, and the disposal of every tensor the run made.
import * as tf from '@tensorflow/tfjs-core';
import { loadTeacherCheckpoint, type TeacherCheckpointMeta } from '../engine/checkpoint';
import { DATASETS, STUDENT_PRESETS, type TrainConfig } from '../engine/config';
import { fixedEvalIndices } from '../engine/data/batcher';
import type { Dataset, FetchBytes } from '../engine/data/dataset';
import { countParams, disposeParams } from '../engine/nn';
import { deriveSeed, mulberry32 } from '../engine/random';
import { createStudent, type StudentModel } from '../engine/student';
import { convImplFor, type TeacherModel } from '../engine/teacher';
import { StudentTrainer, TeacherTrainer, type LiveParams, type LossReading } from '../engine/trainer';
import type { DatasetCache } from './datasetCache';
import { CommandError, DeviceLostError, Stopped, describeError } from './errors';
import { evaluateStudent, evaluateTeacherChunked, studentEvalPoint, teacherEvalPoint, type EvalTarget } from './evaluation';
import { LogPacer, PointBuffer, ProgressThrottle, yieldToEventLoop } from './pacing';
import type { EvalPoint, FromWorker, Phase, RunStatus } from './protocol';
import { buildSample } from './sample';

export interface RunEnv {
  post(msg: FromWorker): void;
  fetchBytes: FetchBytes;
  datasets: DatasetCache;
  /** The tfjs backend in use (decides the conv implementation for teacher training and the eval batch size). */
  backend: string;
  now(): number;
  /** Images of the test split in a 'test' evaluation (the first N); null: all of them. */
  testLimit: number | null;
}

/** What the training loop needs of StudentTrainer and TeacherTrainer. */
interface Trainable {
  readonly step: number;
  readonly epoch: number;
  readonly imagesSeen: number;
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  readonly done: boolean;
  readonly learningRate: number;
  trainStep(): void;
  readLosses(): Promise<LossReading | null>;
}

interface LoopState {
  phase: 'teacher' | 'student';
  tr: Trainable;
  pacer: LogPacer;
  /** Learning rate of the last step taken (trainer.learningRate already points at the next one). */
  lastLr: number;
}

/** Runs async tasks one at a time, in order: steps, evaluations, samples and disposal never interleave. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(f: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(f);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * Teacher inference (precomputed logits, evaluation, samples) uses tf.conv2d on every backend: its forward pass
 * exists everywhere and is ~4x faster than im2col on tfjs-cpu. im2col is only needed for conv gradients, i.e. for
 * training the teacher on wasm/cpu (convImplFor).
 */
const INFERENCE_CONV = 'native' as const;

export class TrainingRun {
  status: RunStatus = 'idle';
  /** The status a resume returns to. */
  private phaseStatus: RunStatus = 'loading';
  private started = false;
  private stopRequested = false;
  private failed = false;
  private deviceGone = false;
  private disposed = false;
  private paused = false;
  private stepTokens = 0;
  private steppedSincePause = false;
  private wake: (() => void) | null = null;
  /** Rejects with Stopped on stop or a fatal error: downloads are raced against it, not awaited to the end. */
  private readonly ended: Promise<never>;
  private end: () => void = () => {};
  private readonly serial = new Serial();
  private readonly points: PointBuffer;
  private readonly progressThrottles = new Map<Phase, ProgressThrottle>();
  private readonly live: LiveParams;
  private readonly sampleRng: () => number;
  private dataPromise: Promise<Dataset> | null = null;
  private teacherPromise: Promise<TeacherModel> | null = null;
  private data: Dataset | null = null;
  private evalIndices: Int32Array | null = null;
  private teacher: TeacherModel | null = null;
  private teacherMeta: TeacherCheckpointMeta | null = null;
  private teacherTrainer: TeacherTrainer | null = null;
  private trainer: StudentTrainer | null = null;
  private preview: StudentModel | null = null;
  private current: LoopState | null = null;
  private loop: Promise<void> | null = null;
  private t0 = 0;

  constructor(readonly runId: string, readonly config: TrainConfig, private readonly env: RunEnv) {
    this.live = { distillation: config.distillation, tau: config.tau, alpha: config.alpha, lr: config.lr, evalInterval: config.evalInterval };
    this.sampleRng = mulberry32(deriveSeed(config.seed, 'sample-index'));
    this.points = new PointBuffer((points) => env.post({ type: 'metrics', runId, points }), env.now);
    this.ended = new Promise<never>((_, reject) => (this.end = () => reject(new Stopped())));
    this.ended.catch(() => undefined);
  }

  // ------------------------------------------------------------ commands

  start(): void {
    if (this.started) throw new CommandError('protocol', 'the run has already started');
    this.started = true;
    this.t0 = this.env.now();
    this.loop = this.main();
  }

  /** Takes effect at the next step boundary (status 'paused' is sent when it does). */
  pause(): void {
    this.refuseIfOver('pause');
    this.paused = true;
  }

  resume(): void {
    this.refuseIfOver('resume');
    this.paused = false;
    this.stepTokens = 0;
    if (this.status === 'paused') this.setStatus(this.phaseStatus);
    this.wake?.();
  }

  /** n steps of the phase in progress while paused; before start, starts the run paused and steps the student. */
  step(n: number): void {
    this.refuseIfOver('step');
    if (!this.started) {
      this.paused = true;
      this.stepTokens += n;
      this.start();
      return;
    }
    if (!this.paused) throw new CommandError('protocol', 'step works while the run is paused: pause first');
    this.stepTokens += n;
    this.wake?.();
  }

  /** Applies a validated live patch between two steps and echoes it as an `event`. */
  update(patch: Partial<LiveParams>): Promise<void> {
    this.refuseIfOver('update');
    return this.command(async () => {
      const tr = this.trainer;
      if (tr && this.current?.tr === tr) await this.readPoint(); // the losses before the change get their own point
      tr?.update(patch);
      Object.assign(this.live, patch);
      this.points.flush();
      this.env.post({ type: 'event', runId: this.runId, step: tr?.step ?? 0, imagesSeen: tr?.imagesSeen ?? 0, patch });
    });
  }

  evalNow(): Promise<void> {
    this.refuseIfOver('evalNow');
    return this.command(async () => {
      await this.dataset();
      const teacher = await this.teacherIfAny();
      await this.serial.run(async () => {
        this.check();
        await this.readPoint();
        this.points.flush();
        if (this.current?.phase === 'teacher') await this.evaluateInto('teacher', 'subset');
        else await this.postStudentEval(teacher, 'subset');
      });
    });
  }

  requestSample(index: number | undefined, tau: number | undefined): Promise<void> {
    this.refuseIfOver('requestSample');
    return this.command(async () => {
      const data = await this.dataset();
      const teacher = await this.teacherIfAny();
      await this.serial.run(async () => {
        this.check();
        const i = index ?? Math.floor(this.sampleRng() * data.test.count);
        if (i >= data.test.count) throw new CommandError('bad-config', `sample index ${i} is outside the test split [0, ${data.test.count})`);
        const sample = await buildSample({
          student: this.trainer?.student ?? this.previewStudent(),
          teacher,
          split: data.test,
          info: DATASETS[this.config.dataset],
          index: i,
          tau: tau ?? this.live.tau,
          step: this.trainer?.step ?? 0,
          convImpl: INFERENCE_CONV,
        });
        this.check();
        this.env.post({ type: 'sample', runId: this.runId, sample });
      });
    });
  }

  /** Ends the run and frees its tensors once whatever is in flight has finished. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.end();
    this.wake?.();
    this.points.flush();
    // On a lost device a pending read may never settle, and its tensors cannot be freed: drop them with the backend.
    if (this.deviceGone) return;
    await this.loop;
    await this.serial.run(() => this.disposeAll());
  }

  /** The WebGPU device is gone: report, end the run, and never wait on the device again. */
  deviceLost(reason: string): void {
    this.deviceGone = true;
    this.fail(new DeviceLostError(reason));
  }

  // ------------------------------------------------------------ phases

  private async main(): Promise<void> {
    try {
      this.setStatus('loading');
      // A stop during a download ends the run at once; the download finishes in the background (and is cached).
      const data = await Promise.race([this.dataset(), this.ended]);
      this.check();
      const teacher = this.config.teacher === 'pretrained' ? await Promise.race([this.pretrainedTeacher(), this.ended]) : await this.trainTeacher(data);
      this.check();
      this.setStatus('teacher');
      await this.serial.run(() => this.reportTeacher(teacher));
      const trainer = await this.serial.run(() => this.createTrainer(data, teacher));
      // In 'none' mode the logits would go unused; a later switch to soft/hard runs the teacher per batch instead.
      if (trainer.canPrecompute && this.live.distillation !== 'none') {
        await this.serial.run(async () => {
          this.check();
          await trainer.precomputeTeacher((done, total) => this.progress('precompute', done, total, 'teacher logits of the training subset'));
        });
      }
      this.setStatus('student');
      await this.trainLoop('student', trainer);
      this.setStatus('done');
    } catch (e) {
      if (!(e instanceof Stopped)) this.fail(e);
    } finally {
      this.points.flush();
      // A failed run frees its memory now (a stopped one is freed by stop(); a lost device has nothing to free).
      if (this.failed && !this.deviceGone) await this.serial.run(() => this.disposeAll());
    }
  }

  private dataset(): Promise<Dataset> {
    this.dataPromise ??= this.env.datasets
      .load(this.config.dataset, this.env.fetchBytes, (done, total, detail) => this.progress('dataset', done, total, detail))
      .then(
        (d) => {
          this.data = d;
          this.evalIndices = fixedEvalIndices(d.test.count, this.config.evalSubset, this.config.seed);
          return d;
        },
        (e: unknown) => {
          this.dataPromise = null;
          throw e;
        },
      );
    return this.dataPromise;
  }

  private pretrainedTeacher(): Promise<TeacherModel> {
    this.teacherPromise ??= (async () => {
      const dir = `models/${this.config.dataset}-teacher`;
      this.progress('teacher', 0, 1, `loading ${dir}`);
      try {
        const { teacher, meta } = await loadTeacherCheckpoint(this.env.fetchBytes, dir, DATASETS[this.config.dataset]);
        if (this.disposed) {
          disposeParams(teacher.params);
          throw new Stopped();
        }
        this.teacher = teacher;
        this.teacherMeta = meta;
        this.progress('teacher', 1, 1, `loaded ${dir}`);
        return teacher;
      } catch (e) {
        this.teacherPromise = null;
        throw e;
      }
    })();
    return this.teacherPromise;
  }

  /** The teacher as far as it exists: the pre-trained one (loaded on demand), the one being trained, or null. */
  private async teacherIfAny(): Promise<TeacherModel | null> {
    if (this.teacher) return this.teacher;
    if (this.config.teacher === 'pretrained') return this.pretrainedTeacher();
    return this.teacherTrainer?.teacher ?? null;
  }

  private async trainTeacher(data: Dataset): Promise<TeacherModel> {
    this.setStatus('teacher');
    const tt = await this.serial.run(() => {
      this.check();
      // Training needs conv gradients: tf.conv2d on webgpu/webgl, im2col on wasm/cpu.
      return (this.teacherTrainer = new TeacherTrainer(this.config, data, convImplFor(this.env.backend)));
    });
    await this.trainLoop('teacher', tt);
    await this.serial.run(() => {
      tt.disposeOptimizer();
      this.teacher = tt.teacher;
      this.teacherTrainer = null;
    });
    return tt.teacher;
  }

  private async reportTeacher(teacher: TeacherModel): Promise<void> {
    this.check();
    const r = await evaluateTeacherChunked(teacher, this.target('subset'));
    this.check();
    this.env.post({
      type: 'teacher',
      runId: this.runId,
      info: {
        source: this.config.teacher,
        parameters: countParams(teacher.params),
        evalAccuracy: r.acc,
        checkpointAccuracy: this.teacherMeta?.testAccuracy ?? null,
      },
    });
  }

  private createTrainer(data: Dataset, teacher: TeacherModel): StudentTrainer {
    this.check();
    if (this.preview) disposeParams(this.preview.params);
    this.preview = null;
    const trainer = new StudentTrainer(this.config, data, teacher, INFERENCE_CONV);
    trainer.update({ ...this.live }); // updates received before the student phase
    this.trainer = trainer;
    return trainer;
  }

  /** The student before training, with the trainer's seeded init, so samples and evaluations work from `init` on. */
  private previewStudent(): StudentModel {
    this.preview ??= createStudent(STUDENT_PRESETS[this.config.student], DATASETS[this.config.dataset], deriveSeed(this.config.seed, 'student-init'));
    return this.preview;
  }

  // ------------------------------------------------------------ the loop

  private async trainLoop(phase: 'teacher' | 'student', tr: Trainable): Promise<void> {
    const cur: LoopState = { phase, tr, pacer: new LogPacer(this.env.now, tr.imagesSeen), lastLr: tr.learningRate };
    this.current = cur;
    while (!tr.done) {
      await this.gate();
      await this.serial.run(async () => {
        this.check();
        cur.lastLr = tr.learningRate;
        tr.trainStep();
        const logDue = cur.pacer.tick();
        const epochEnd = tr.step % tr.stepsPerEpoch === 0;
        const subsetDue = tr.step % this.live.evalInterval === 0 || tr.done || (phase === 'teacher' && epochEnd);
        const testDue = phase === 'student' && epochEnd;
        if (logDue || subsetDue || testDue) await this.readPoint();
        if (subsetDue) await this.evaluateInto(phase, 'subset');
        if (testDue) await this.evaluateInto(phase, 'test');
        if (subsetDue || testDue) cur.pacer.restart(tr.imagesSeen);
        this.progress(phase, tr.step, tr.totalSteps, `${phase} step ${tr.step} of ${tr.totalSteps}`);
      });
      // Lets pause/stop/update messages in between two steps even when no read-back was awaited.
      await yieldToEventLoop();
    }
    await this.serial.run(() => this.readPoint());
    this.points.flush();
  }

  /** Blocks while paused; a `step` token lets one step through. Throws Stopped after a stop or a fatal error. */
  private async gate(): Promise<void> {
    for (;;) {
      this.check();
      if (!this.paused) return;
      if (this.stepTokens > 0) {
        this.stepTokens--;
        this.steppedSincePause = true;
        return;
      }
      await this.serial.run(() => this.readPoint()); // the steps before the pause (or of a `step` burst) get a point
      this.points.flush();
      if (this.status !== 'paused' || this.steppedSincePause) this.setStatus('paused');
      this.steppedSincePause = false;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
      if (this.current) this.current.pacer.restart(this.current.tr.imagesSeen);
    }
  }

  /** A log point: the one read-back of the losses since the previous point (throws NonFiniteLossError). */
  private async readPoint(): Promise<void> {
    const cur = this.current;
    if (!cur || cur.pacer.pending === 0) return;
    const r = await cur.tr.readLosses();
    this.check(); // a reading that arrives after a stop or a device loss is not reported
    if (!r) return;
    const imagesPerSec = cur.pacer.mark(cur.tr.imagesSeen);
    const mem = tf.memory();
    this.points.push({
      phase: cur.phase,
      step: cur.tr.step,
      totalSteps: cur.tr.totalSteps,
      epoch: cur.tr.epoch,
      imagesSeen: cur.tr.imagesSeen,
      loss: { total: r.total, base: r.base, distill: r.distill },
      gradNorm: r.gradNorm,
      lr: cur.lastLr,
      imagesPerSec,
      numTensors: mem.numTensors,
      numBytes: mem.numBytes,
      time: this.env.now() - this.t0,
    });
  }

  // ------------------------------------------------------------ evaluation

  private target(split: EvalPoint['split']): EvalTarget {
    const data = this.data;
    const subset = this.evalIndices;
    if (!data || !subset) throw new Error('evaluation before the dataset was loaded');
    const testCount = Math.min(data.test.count, this.env.testLimit ?? data.test.count);
    const gpu = this.env.backend === 'webgpu' || this.env.backend === 'webgl';
    return {
      split: data.test,
      info: DATASETS[this.config.dataset],
      indices: split === 'subset' ? subset : Int32Array.from({ length: testCount }, (_, i) => i),
      batchSize: gpu ? 256 : 64,
      convImpl: INFERENCE_CONV,
      between: async () => {
        await yieldToEventLoop();
        this.check();
      },
    };
  }

  private async evaluateInto(phase: 'teacher' | 'student', split: EvalPoint['split']): Promise<void> {
    this.points.flush();
    if (phase === 'teacher') {
      const tt = this.teacherTrainer;
      if (!tt) return;
      const r = await evaluateTeacherChunked(tt.teacher, this.target(split));
      this.check();
      this.env.post({ type: 'eval', runId: this.runId, point: teacherEvalPoint(r, { step: tt.step, imagesSeen: tt.imagesSeen, split }) });
      return;
    }
    if (this.data) await this.postStudentEval(this.teacher, split);
  }

  private async postStudentEval(teacher: TeacherModel | null, split: EvalPoint['split']): Promise<void> {
    const student = this.trainer?.student ?? this.previewStudent();
    const type = teacher ? this.live.distillation : 'none';
    const m = await evaluateStudent(student, teacher, this.target(split), {
      type,
      alpha: this.live.alpha,
      tau: this.live.tau,
      labelSmoothing: this.config.labelSmoothing,
    });
    this.check();
    const at = { step: this.trainer?.step ?? 0, imagesSeen: this.trainer?.imagesSeen ?? 0, split };
    this.env.post({ type: 'eval', runId: this.runId, point: studentEvalPoint(m, at) });
  }

  // ------------------------------------------------------------ plumbing

  private currentStep(): number {
    return this.trainer?.step ?? this.teacherTrainer?.step ?? 0;
  }

  private setStatus(status: RunStatus): void {
    if (status !== 'paused') this.phaseStatus = status;
    this.status = status;
    this.env.post({ type: 'status', runId: this.runId, status, step: this.currentStep() });
  }

  private progress(phase: Phase, done: number, total: number, detail: string): void {
    let throttle = this.progressThrottles.get(phase);
    if (!throttle) this.progressThrottles.set(phase, (throttle = new ProgressThrottle(this.env.now)));
    if (throttle.due(done, total)) this.env.post({ type: 'progress', runId: this.runId, phase, done, total, detail });
  }

  private check(): void {
    if (this.stopRequested || this.failed) throw new Stopped();
  }

  private refuseIfOver(what: string): void {
    if (this.failed) throw new CommandError('protocol', `${what}: the run ended with an error; send init for a new run`);
    if (this.stopRequested) throw new CommandError('protocol', `${what}: the run was stopped; send init for a new run`);
    if (this.status === 'done' && (what === 'pause' || what === 'resume' || what === 'step')) {
      throw new CommandError('protocol', `${what}: the run is done`);
    }
  }

  /**
   * Runs a command's work: a failure of the training itself (non-finite loss) ends the run; anything else is
   * reported as an error of this command and the run goes on.
   */
  private async command(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      if (e instanceof Stopped) return;
      if (describeError(e, null).code === 'non-finite-loss') return this.fail(e);
      const d = describeError(e, this.currentStep());
      this.env.post({ type: 'error', runId: this.runId, ...d });
    }
  }

  /** Reports a fatal error once, ends the run (status 'error') and wakes the loop so it unwinds. */
  private fail(e: unknown): void {
    if (this.failed || this.stopRequested) return;
    this.failed = true;
    this.end();
    this.points.flush();
    this.env.post({ type: 'error', runId: this.runId, ...describeError(e, this.currentStep()) });
    this.setStatus('error');
    this.wake?.();
  }

  private disposeAll(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.points.dispose();
    this.trainer?.dispose();
    this.trainer = null;
    if (this.teacherTrainer) {
      this.teacherTrainer.disposeOptimizer();
      disposeParams(this.teacherTrainer.teacher.params);
      this.teacherTrainer = null;
    }
    if (this.teacher) disposeParams(this.teacher.params);
    this.teacher = null;
    if (this.preview) disposeParams(this.preview.params);
    this.preview = null;
    this.current = null;
  }
}
