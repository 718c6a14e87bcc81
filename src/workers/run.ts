// One training run inside the worker: the phases (dataset, teacher, precompute, student), the pause/step gate, live
// updates, log points, evaluations with their insight data (samples, test images), and how a run ends.
import * as tf from '@tensorflow/tfjs-core';
import { DATASETS, liveOf, type LiveParams, type TrainConfig } from '../engine/config';
import { deriveSeed, mulberry32 } from '../engine/random';
import type { TeacherModel } from '../engine/teacher';
import { CommandError, DeviceLostError, Stopped, describeError } from './errors';
import { LogPacer, PointBuffer, ProgressThrottle, Serial, yieldToEventLoop } from './pacing';
import type { EvalPoint, Phase, RunStatus, Sample } from './protocol';
import { RunModels } from './runModels';
import { DEVICE_LOST_GRACE_MS, type LoopState, type RunEnv, type Trainable } from './runTypes';
import { classStrip, testImages } from './insight';

export class TrainingRun {
  status: RunStatus = 'idle';
  /** The status a resume returns to. */
  private phaseStatus: RunStatus = 'loading';
  private started = false;
  private stopRequested = false;
  private failed = false;
  private deviceGone = false;
  private onDeviceLost: (() => void) | null = null;
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
  /** The attention maps' test image: chosen by requestSample, else the strip's first; sampled at each evaluation. */
  private sampleIndex: number | null = null;
  private readonly models: RunModels;
  private current: LoopState | null = null;
  private loop: Promise<void> | null = null;
  private t0 = 0;
  /** Awaited between evaluation chunks: lets messages in, and abandons the evaluation after a stop. */
  private readonly between = async () => {
    await yieldToEventLoop();
    this.check();
  };

  constructor(readonly runId: string, readonly config: TrainConfig, private readonly env: RunEnv) {
    this.live = liveOf(config);
    this.sampleRng = mulberry32(deriveSeed(config.seed, 'sample-index'));
    this.points = new PointBuffer((points) => env.post({ type: 'metrics', runId, points }), env.now);
    this.ended = new Promise<never>((_, reject) => (this.end = () => reject(new Stopped())));
    this.ended.catch(() => undefined);
    this.models = new RunModels(config, { ...env, progress: (phase, done, total, detail) => this.progress(phase, done, total, detail) });
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
      const tr = this.models.trainer;
      if (tr && this.current?.tr === tr) await this.readPoint(); // the losses before the change get their own point
      tr?.update(patch);
      Object.assign(this.live, patch);
      this.points.flush();
      this.env.post({ type: 'event', runId: this.runId, step: tr?.step ?? 0, imagesSeen: tr?.imagesSeen ?? 0, patch });
    });
  }

  /** The student's or the teacher's weights, as a checkpoint (`weights`): works while training and after the end. */
  exportWeights(which: 'student' | 'teacher'): Promise<void> {
    return this.command(async () => {
      const out = await this.serial.run(() => this.models.checkpoint(which, this.runId, new Date().toISOString()));
      this.env.post({ type: 'weights', runId: this.runId, which, ...out });
    });
  }

  evalNow(): Promise<void> {
    this.refuseIfOver('evalNow');
    return this.command(async () => {
      await this.models.dataset();
      const teacher = await this.models.teacherIfAny();
      await this.serial.run(async () => {
        this.check();
        await this.readPoint();
        if (this.current?.phase === 'teacher') await this.evaluateInto('teacher', 'subset');
        else this.postStudentEval(await this.models.evaluateStudent(teacher, this.live, 'subset', this.between, this.sampleIndex));
      });
    });
  }

  /** Chooses the attention maps' image (a random one when omitted) and sends its sample now. */
  requestSample(index: number | undefined): Promise<void> {
    this.refuseIfOver('requestSample');
    return this.command(async () => {
      const data = await this.models.dataset();
      const teacher = await this.models.teacherIfAny();
      await this.serial.run(async () => {
        this.check();
        const i = index ?? Math.floor(this.sampleRng() * data.test.count);
        if (i >= data.test.count) throw new CommandError('bad-config', `sample index ${i} is outside the test split [0, ${data.test.count})`);
        this.sampleIndex = i;
        const sample = await this.models.sample(i, teacher);
        this.check();
        this.env.post({ type: 'sample', runId: this.runId, sample });
      });
    });
  }

  /** Sends test images by index (a confusion cell's examples). */
  requestImages(indices: number[]): Promise<void> {
    this.refuseIfOver('requestImages');
    return this.command(async () => {
      const data = await this.models.dataset();
      const images = testImages(data.test, DATASETS[this.config.dataset], indices);
      this.env.post({ type: 'images', runId: this.runId, purpose: 'request', images });
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
    await this.serial.run(() => this.models.dispose());
  }

  /** The WebGPU device is gone: report, end the run, and never wait on the device again. */
  deviceLost(reason: string): void {
    this.deviceGone = true;
    this.fail(new DeviceLostError(reason));
    this.onDeviceLost?.();
  }

  /** Resolves when deviceLost() is called, or after DEVICE_LOST_GRACE_MS. */
  private deviceLostGrace(): Promise<void> {
    if (this.deviceGone) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DEVICE_LOST_GRACE_MS);
      this.onDeviceLost = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  // ------------------------------------------------------------ phases

  private async main(): Promise<void> {
    const m = this.models;
    try {
      this.setStatus('loading');
      // A stop during a download ends the run at once; the download finishes in the background (and is cached).
      const data = await Promise.race([m.dataset(), this.ended]);
      this.check();
      const strip = classStrip(data.test, DATASETS[this.config.dataset]);
      this.sampleIndex ??= strip[0]?.index ?? 0;
      this.env.post({ type: 'images', runId: this.runId, purpose: 'strip', images: strip });
      let teacher: TeacherModel;
      if (this.config.teacher === 'pretrained') {
        teacher = await Promise.race([m.pretrainedTeacher(), this.ended]);
      } else {
        this.setStatus('teacher');
        await this.trainLoop('teacher', await this.serial.run(() => m.startTeacherTraining(data)));
        teacher = await this.serial.run(() => m.finishTeacherTraining());
      }
      this.check();
      this.setStatus('teacher');
      const info = await this.serial.run(() => m.teacherInfo(teacher, this.between));
      this.env.post({ type: 'teacher', runId: this.runId, info });
      const trainer = await this.serial.run(() => m.createTrainer(data, teacher, this.live));
      // In 'none' mode the logits would go unused; a later switch to soft/hard runs the teacher per batch instead.
      if (trainer.canPrecompute && this.live.distillation !== 'none') {
        await this.serial.run(() =>
          trainer.precomputeTeacher((done, total) => this.progress('precompute', done, total, 'teacher logits of the training subset')));
      }
      this.check();
      this.setStatus('student');
      await this.trainLoop('student', trainer);
      this.setStatus('done');
    } catch (e) {
      if (!(e instanceof Stopped)) {
        // A lost GPU device often shows first as a pending read that aborts ("mapAsync ... unmapped before mapping
        // was resolved"), a moment before device.lost resolves: give that signal a short while, so the run ends as
        // device-lost with its advice rather than as an internal error (found by e2e/deviceLoss.spec.ts).
        if (this.env.backend === 'webgpu' && describeError(e, null).code === 'internal') await this.deviceLostGrace();
        this.fail(e);
      }
    } finally {
      this.points.flush();
      // A failed run frees its memory now (a stopped one is freed by stop(); a lost device has nothing to free).
      if (this.failed && !this.deviceGone) await this.serial.run(() => m.dispose());
    }
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

  private async evaluateInto(phase: 'teacher' | 'student', split: EvalPoint['split']): Promise<void> {
    if (phase === 'student') {
      const sampleIndex = split === 'subset' ? this.sampleIndex : null;
      return this.postStudentEval(await this.models.evaluateStudent(this.models.teacher, this.live, split, this.between, sampleIndex));
    }
    const point = await this.models.evaluateTeacherTraining(split, this.between);
    if (point) this.postEval(point);
  }

  /** A student evaluation, then the refreshed sample of the attention maps' image. */
  private postStudentEval({ point, sample }: { point: EvalPoint; sample: Sample | null }): void {
    this.postEval(point);
    if (sample) this.env.post({ type: 'sample', runId: this.runId, sample });
  }

  /** Sends an evaluation after the metrics before it, unless the run ended while it was computed. */
  private postEval(point: EvalPoint): void {
    this.check();
    this.points.flush();
    this.env.post({ type: 'eval', runId: this.runId, point });
  }

  // ------------------------------------------------------------ plumbing

  private currentStep(): number {
    return this.models.trainer?.step ?? this.models.teacherTrainer?.step ?? 0;
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
      this.env.post({ type: 'error', runId: this.runId, ...describeError(e, this.currentStep()) });
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
}
