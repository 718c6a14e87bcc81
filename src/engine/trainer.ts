// Stateful training runs for the student and the teacher: data order, live hyperparameters, loss accumulation on the
// device, and the non-finite-loss check. Used by the worker host, the Node scripts and the tests alike.
import * as tf from '@tensorflow/tfjs-core';
import { DATASETS, STUDENT_PRESETS, TEACHER_ARCH, TEACHER_MODELS, VIT_TEACHER_ARCH, liveOf, stepsPerEpoch, type LiveParams, type TrainConfig } from './config';
import { batchesOf, epochOrder, makeBatch, type Augment } from './data/batcher';
import type { Dataset } from './data/dataset';
import { disposeParams } from './nn';
import { AdamW } from './optimizer';
import { deriveSeed, mulberry32 } from './random';
import { learningRateAt } from './schedule';
import { createStudent, type StudentModel } from './student';
import { convImplFor, createTeacherOf, teacherForward, type ConvImpl, type TeacherModel } from './teacher';
import { studentStep, teacherStep, type StepLosses } from './train';

/** Mean loss parts over the steps since the last read. */
export interface LossReading {
  steps: number;
  total: number;
  base: number;
  distill: number;
  gradNorm: number;
}

export class NonFiniteLossError extends Error {
  constructor(readonly step: number, readonly reading: LossReading) {
    super(`non-finite loss at step ${step} (total=${reading.total}, base=${reading.base}, distill=${reading.distill}); ` +
      'lower the learning rate or enable gradient clipping');
    this.name = 'NonFiniteLossError';
  }
}

/** Sums step losses on the device so the training loop never waits for a read-back between log points. */
class LossMeter {
  private sums: tf.Tensor1D | null = null; // [total, base, distill, gradNorm]
  private steps = 0;

  add(l: StepLosses): void {
    const next = tf.tidy(() => {
      const row = tf.stack([l.total, l.base, l.distill, l.gradNorm]) as tf.Tensor1D;
      return this.sums ? (tf.add(this.sums, row) as tf.Tensor1D) : row;
    });
    this.sums?.dispose();
    this.sums = next;
    this.steps++;
  }

  /** The one sync point of the loop: awaits the sums, resets, and throws on NaN/Inf. */
  async read(step: number): Promise<LossReading | null> {
    if (!this.sums) return null;
    const sums = this.sums;
    const steps = this.steps;
    this.sums = null;
    this.steps = 0;
    const v = await sums.data();
    sums.dispose();
    const r = { steps, total: v[0]! / steps, base: v[1]! / steps, distill: v[2]! / steps, gradNorm: v[3]! / steps };
    if (![r.total, r.base, r.distill].every(Number.isFinite)) throw new NonFiniteLossError(step, r);
    return r;
  }

  dispose(): void {
    this.sums?.dispose();
    this.sums = null;
  }
}

/** What both trainers share: a seeded epoch order over the training subset, batch by batch. */
abstract class Run {
  step = 0;
  epoch = 0;
  imagesSeen = 0;
  protected batchInEpoch = 0;
  protected order: Int32Array[] = [];
  protected readonly meter = new LossMeter();
  protected readonly augRng;

  protected constructor(readonly cfg: TrainConfig, readonly data: Dataset, readonly totalSteps: number, seedLabel: string) {
    this.augRng = mulberry32(deriveSeed(cfg.seed, seedLabel));
    this.startEpoch();
  }

  get stepsPerEpoch(): number {
    return stepsPerEpoch(this.cfg);
  }

  get done(): boolean {
    return this.step >= this.totalSteps;
  }

  protected startEpoch(): void {
    const idx = epochOrder(this.data.train.count, this.cfg.trainSubset, this.cfg.seed, this.epoch);
    this.order = [...batchesOf(idx, this.cfg.batchSize, true)];
    this.batchInEpoch = 0;
  }

  /** Indices of the next batch, advancing step/epoch counters. */
  protected nextBatch(): Int32Array {
    if (this.batchInEpoch >= this.order.length) {
      this.epoch++;
      this.startEpoch();
    }
    const b = this.order[this.batchInEpoch++]!;
    this.step++;
    this.imagesSeen += b.length;
    return b;
  }

  protected augment(): Augment | undefined {
    return this.cfg.augment || this.cfg.hflip ? { shift: this.cfg.augment ? 2 : 0, hflip: this.cfg.hflip, rng: this.augRng } : undefined;
  }

  readLosses(): Promise<LossReading | null> {
    return this.meter.read(this.step);
  }
}

/** Trains the DeiT student against a frozen teacher. */
export class StudentTrainer extends Run {
  readonly student: StudentModel;
  readonly optimizer: AdamW;
  readonly live: LiveParams;
  private teacherCache: tf.Tensor2D | null = null; // [subset, C] teacher logits of the training subset
  private cacheRows: Int32Array | null = null; // train index -> row of teacherCache (-1 outside the subset)

  /** `convImpl` is for the frozen teacher's forward only (no conv gradients needed): 'native' is right everywhere. */
  constructor(cfg: TrainConfig, data: Dataset, readonly teacher: TeacherModel | null, readonly convImpl: ConvImpl = 'native') {
    super(cfg, data, stepsPerEpoch(cfg) * cfg.epochs, 'student-augment');
    this.student = createStudent(STUDENT_PRESETS[cfg.student], DATASETS[cfg.dataset], deriveSeed(cfg.seed, 'student-init'), cfg.distToken);
    this.optimizer = new AdamW(this.student.params, { weightDecay: cfg.weightDecay });
    this.live = liveOf(cfg);
  }

  /** Whether teacher logits can be computed once per image: the teacher is frozen and without augmentation an image never changes. */
  get canPrecompute(): boolean {
    return this.teacher !== null && this.cfg.precomputeTeacher && !this.cfg.augment && !this.cfg.hflip;
  }

  /**
   * Computes the teacher's logits for every image of the training subset once, keeping them on the device.
   * Calls `onProgress(done, total)` after each batch and yields between batches.
   */
  async precomputeTeacher(onProgress?: (done: number, total: number) => void): Promise<void> {
    if (!this.canPrecompute || this.teacherCache || !this.teacher) return;
    const teacher = this.teacher;
    const info = DATASETS[this.cfg.dataset];
    const subset = epochOrder(this.data.train.count, this.cfg.trainSubset, this.cfg.seed, 0).slice().sort();
    const rows = new Int32Array(this.data.train.count).fill(-1);
    const parts: tf.Tensor2D[] = [];
    let done = 0;
    for (const batch of batchesOf(subset, 256, false)) {
      parts.push(tf.tidy(() => teacherForward(teacher, makeBatch(this.data.train, info, batch).x, this.convImpl)));
      batch.forEach((img, j) => (rows[img] = done + j));
      done += batch.length;
      onProgress?.(done, subset.length);
      await parts[parts.length - 1]!.data(); // paces the GPU queue and lets the worker handle messages
    }
    const packed = tf.concat(parts); // [subset, C]
    tf.dispose(parts);
    this.cacheRows = rows;
    this.teacherCache = packed;
  }

  private teacherLogitsFor(batch: Int32Array, x: tf.Tensor4D): tf.Tensor2D | null {
    if (this.live.distillation === 'none' || !this.teacher) return null;
    if (this.teacherCache && this.cacheRows) {
      const rows = this.cacheRows;
      return tf.tidy(() => tf.gather(this.teacherCache!, tf.tensor1d(Array.from(batch, (i) => rows[i]!), 'int32')));
    }
    const teacher = this.teacher;
    return tf.tidy(() => teacherForward(teacher, x, this.convImpl));
  }

  /** The learning rate of the current step: warm-up + cosine around the (live) peak lr. */
  get learningRate(): number {
    return learningRateAt(this.step, { lr: this.live.lr, warmupSteps: this.cfg.warmupSteps, totalSteps: this.totalSteps, minLrRatio: this.cfg.minLrRatio });
  }

  /** Applies live hyperparameters; returns the step from which they take effect. */
  update(patch: Partial<LiveParams>): number {
    if (patch.distillation && patch.distillation !== 'none' && !this.teacher) throw new Error(`cannot switch to '${patch.distillation}' distillation without a teacher`);
    Object.assign(this.live, patch);
    return this.step;
  }

  /** One training step; losses accumulate on the device until readLosses(). */
  trainStep(): void {
    const lr = this.learningRate;
    const batch = this.nextBatch();
    const { x, y } = makeBatch(this.data.train, DATASETS[this.cfg.dataset], batch, this.augment());
    const teacherLogits = this.teacherLogitsFor(batch, x);
    try {
      const losses = studentStep(this.student, this.optimizer, x, y, teacherLogits, {
        distillation: this.live.distillation,
        alpha: this.live.alpha,
        tau: this.live.tau,
        labelSmoothing: this.cfg.labelSmoothing,
        lr,
        clipNorm: this.cfg.clipNorm,
      });
      this.meter.add(losses);
      tf.dispose(Object.values(losses));
    } finally {
      tf.dispose([x, y]);
      teacherLogits?.dispose();
    }
  }

  dispose(): void {
    this.meter.dispose();
    this.optimizer.dispose();
    disposeParams(this.student.params);
    this.teacherCache?.dispose();
    this.teacherCache = null;
  }
}

/**
 * How each teacher family is trained on labels: the CNN with a light weight decay; the transformer with DeiT's
 * weight decay (0.05) and a longer warm-up, as the student. Both: AdamW, cosine decay to 5% of the peak.
 */
export const TEACHER_RECIPES = {
  cnn: { lr: 2e-3, weightDecay: 1e-4, warmupSteps: 50 },
  vit: { lr: 2e-3, weightDecay: 0.05, warmupSteps: 200 },
} as const satisfies Record<'cnn' | 'vit', { lr: number; weightDecay: number; warmupSteps: number }>;

/** Trains a teacher (config.teacherModel: the CNN or the transformer) with cross-entropy on the labels. */
export class TeacherTrainer extends Run {
  readonly teacher: TeacherModel;
  readonly optimizer: AdamW;
  private readonly recipe: (typeof TEACHER_RECIPES)['cnn' | 'vit'];

  constructor(cfg: TrainConfig, data: Dataset, readonly convImpl: ConvImpl = convImplFor(tf.getBackend())) {
    super(cfg, data, stepsPerEpoch(cfg) * cfg.teacherEpochs, 'teacher-augment');
    const { family, trainable } = TEACHER_MODELS[cfg.teacherModel];
    if (!trainable) throw new Error(`teacherModel ${cfg.teacherModel} cannot be trained (a shipped checkpoint only)`);
    const spec = family === 'cnn' ? { family, arch: TEACHER_ARCH } as const : { family, arch: VIT_TEACHER_ARCH } as const;
    this.teacher = createTeacherOf(spec, DATASETS[cfg.dataset], deriveSeed(cfg.seed, 'teacher-init'));
    this.recipe = TEACHER_RECIPES[family];
    this.optimizer = new AdamW(this.teacher.params, { weightDecay: this.recipe.weightDecay });
  }

  get learningRate(): number {
    const { lr, warmupSteps } = this.recipe;
    return learningRateAt(this.step, { lr, warmupSteps: Math.min(warmupSteps, this.totalSteps), totalSteps: this.totalSteps, minLrRatio: 0.05 });
  }

  trainStep(): void {
    const lr = this.learningRate;
    const batch = this.nextBatch();
    const { x, y } = makeBatch(this.data.train, DATASETS[this.cfg.dataset], batch, this.augment());
    try {
      const losses = teacherStep(this.teacher, this.optimizer, x, y, { lr, clipNorm: 0, convImpl: this.convImpl });
      this.meter.add(losses);
      tf.dispose(Object.values(losses));
    } finally {
      tf.dispose([x, y]);
    }
  }

  /** Frees the optimizer state; the teacher's parameters stay (they are the result). */
  disposeOptimizer(): void {
    this.meter.dispose();
    this.optimizer.dispose();
  }
}
