// What a run owns: its dataset, its teacher (loaded or trained in the page), its student trainer or the untrained
// preview student (the attention maps before training), and the evaluations and insight readouts over them; and the
// disposal of every one of their tensors.
import { CheckpointError, aboveChanceThreshold, decodeTeacher, encodeStudent, encodeTeacher, loadTeacherCheckpoint, parseTeacherJson, type TeacherCheckpointMeta } from '../engine/checkpoint';
import { DATASETS, STUDENT_PRESETS, teacherDir, type LiveParams, type TrainConfig } from '../engine/config';
import { fixedEvalIndices } from '../engine/data/batcher';
import type { Dataset, FetchBytes } from '../engine/data/dataset';
import { TeacherLogitsCache } from '../engine/evaluate';
import { countParams, disposeParams } from '../engine/nn';
import { deriveSeed } from '../engine/random';
import { createStudent, type StudentModel } from '../engine/student';
import { convImplFor, type TeacherModel } from '../engine/teacher';
import { StudentTrainer, TeacherTrainer } from '../engine/trainer';
import type { DatasetCache } from './datasetCache';
import { CommandError, Stopped } from './errors';
import { evaluateStudent, evaluateTeacherChunked, studentEvalPoint, teacherEvalPoint, type EvalTarget } from './evaluation';
import { buildInsight, confusionOf, PROBE_IMAGES } from './insight';
import type { EvalPoint, Phase, Sample, TeacherFile, TeacherInfo } from './protocol';

/**
 * Teacher inference (precomputed logits, evaluation, samples) uses tf.conv2d on every backend: its forward pass
 * exists everywhere and is ~4x faster than im2col on tfjs-cpu. im2col is only needed for conv gradients, i.e. for
 * training the teacher on wasm/cpu (convImplFor).
 */
export const INFERENCE_CONV = 'native' as const;

export interface ModelsEnv {
  fetchBytes: FetchBytes;
  datasets: DatasetCache;
  /** The tfjs backend in use. */
  backend: string;
  /** The user's teacher checkpoint, used instead of the shipped one (config.teacher 'pretrained'). */
  teacherFile?: TeacherFile | null;
  progress(phase: Phase, done: number, total: number, detail: string): void;
}

type Split = EvalPoint['split'];

export class RunModels {
  data: Dataset | null = null;
  teacher: TeacherModel | null = null;
  teacherTrainer: TeacherTrainer | null = null;
  trainer: StudentTrainer | null = null;
  private teacherMeta: TeacherCheckpointMeta | null = null;
  /** The teacher's accuracy on the evaluation subset (teacherInfo), written into an exported teacher checkpoint. */
  private teacherEval: { acc: number; count: number } | null = null;
  private preview: StudentModel | null = null;
  private evalIndices: Int32Array | null = null;
  /**
   * The frozen teacher's logits of the evaluation subset: filled by teacherInfo() before the student trains (that pass
   * computes them anyway), then every subset evaluation runs the student alone and tensors stay flat while training.
   * The test split is scored once per epoch and is not cached.
   */
  private subsetLogits: TeacherLogitsCache | null = null;
  private dataPromise: Promise<Dataset> | null = null;
  private teacherPromise: Promise<TeacherModel> | null = null;
  private disposed = false;

  constructor(private readonly config: TrainConfig, private readonly env: ModelsEnv) {}

  /** The dataset (from the worker's cache when another run loaded it), and the fixed evaluation subset. */
  dataset(): Promise<Dataset> {
    this.dataPromise ??= this.env.datasets
      .load(this.config.dataset, this.env.fetchBytes, (done, total, detail) => this.env.progress('dataset', done, total, detail))
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

  /**
   * The shipped checkpoint, or the user's teacher file when one was given, loaded once (a teacher that arrives after
   * dispose() is freed at once).
   */
  pretrainedTeacher(): Promise<TeacherModel> {
    this.teacherPromise ??= (async () => {
      const file = this.env.teacherFile ?? null;
      const dir = file ? `teacher file ${file.name}` : teacherDir(this.config.dataset, this.config.teacherModel);
      this.env.progress('teacher', 0, 1, `loading ${dir}`);
      try {
        const { teacher, meta } = file
          ? this.teacherFromFile(file)
          : await loadTeacherCheckpoint(this.env.fetchBytes, dir, DATASETS[this.config.dataset]);
        if (this.disposed) {
          disposeParams(teacher.params);
          throw new Stopped();
        }
        this.teacher = teacher;
        this.teacherMeta = meta;
        this.env.progress('teacher', 1, 1, `loaded ${dir}`);
        return teacher;
      } catch (e) {
        this.teacherPromise = null;
        throw e;
      }
    })();
    return this.teacherPromise;
  }

  /** Builds the user's teacher: a checkpoint of a teacher (CNN or transformer) this app can build, for this run's dataset. */
  private teacherFromFile(file: TeacherFile): { teacher: TeacherModel; meta: TeacherCheckpointMeta } {
    try {
      const meta = parseTeacherJson(new TextEncoder().encode(file.json));
      if (meta.dataset !== this.config.dataset) {
        throw new CheckpointError(`it was trained on ${JSON.stringify(meta.dataset)}, this run uses ${this.config.dataset}`);
      }
      return { teacher: decodeTeacher(meta, new Uint8Array(file.weights), DATASETS[this.config.dataset]), meta };
    } catch (e) {
      if (e instanceof CheckpointError) throw new CommandError('teacher-file', `teacher file ${file.name}: ${e.message}`);
      throw e;
    }
  }

  /** The teacher as far as it exists: the pre-trained one (loaded on demand), the one being trained, or null. */
  async teacherIfAny(): Promise<TeacherModel | null> {
    if (this.teacher) return this.teacher;
    if (this.config.teacher === 'pretrained') return this.pretrainedTeacher();
    return this.teacherTrainer?.teacher ?? null;
  }

  startTeacherTraining(data: Dataset): TeacherTrainer {
    // Training needs conv gradients: tf.conv2d on webgpu/webgl, im2col on wasm/cpu.
    return (this.teacherTrainer = new TeacherTrainer(this.config, data, convImplFor(this.env.backend)));
  }

  /** Keeps the trained teacher and frees its optimizer. */
  finishTeacherTraining(): TeacherModel {
    const tt = this.teacherTrainer;
    if (!tt) throw new Error('no teacher is being trained');
    tt.disposeOptimizer();
    this.teacherTrainer = null;
    return (this.teacher = tt.teacher);
  }

  /** The student trainer (replacing the preview student), with the live parameters received so far. */
  createTrainer(data: Dataset, teacher: TeacherModel, live: LiveParams): StudentTrainer {
    if (this.preview) disposeParams(this.preview.params);
    this.preview = null;
    const trainer = new StudentTrainer(this.config, data, teacher, INFERENCE_CONV);
    trainer.update({ ...live });
    return (this.trainer = trainer);
  }

  /** The trained student, or before training the one the trainer will start from (same seeded init). */
  student(): StudentModel {
    if (this.trainer) return this.trainer.student;
    this.preview ??= createStudent(STUDENT_PRESETS[this.config.student], DATASETS[this.config.dataset], deriveSeed(this.config.seed, 'student-init'), this.config.distToken);
    return this.preview;
  }

  target(split: Split, between: () => Promise<void>): EvalTarget {
    const data = this.data;
    const subset = this.evalIndices;
    if (!data || !subset) throw new Error('evaluation before the dataset was loaded');
    const testCount = Math.min(data.test.count, this.config.testSubset);
    const gpu = this.env.backend === 'webgpu' || this.env.backend === 'webgl';
    return {
      split: data.test,
      info: DATASETS[this.config.dataset],
      indices: split === 'subset' ? subset : Int32Array.from({ length: testCount }, (_, i) => i),
      batchSize: gpu ? 256 : 64,
      convImpl: INFERENCE_CONV,
      between,
      teacherCache: split === 'subset' ? this.subsetLogitsCache() : undefined,
    };
  }

  private subsetLogitsCache(): TeacherLogitsCache | undefined {
    if (!this.teacher) return undefined; // no teacher yet, or one still being trained
    if (this.subsetLogits?.teacher !== this.teacher) {
      this.subsetLogits?.dispose();
      this.subsetLogits = new TeacherLogitsCache(this.teacher);
    }
    return this.subsetLogits;
  }

  async teacherInfo(teacher: TeacherModel, between: () => Promise<void>): Promise<TeacherInfo> {
    const r = await evaluateTeacherChunked(teacher, this.target('subset', between));
    this.teacherEval = { acc: r.acc, count: r.count };
    const file = this.config.teacher === 'pretrained' ? this.env.teacherFile ?? null : null;
    if (file) {
      // A user's teacher must know the task: above chance by two standard errors on this run's evaluation subset.
      const numClasses = DATASETS[this.config.dataset].numClasses;
      const need = aboveChanceThreshold(numClasses, r.count);
      if (!(r.acc > need)) {
        throw new CommandError('teacher-file', `teacher file ${file.name} scores ${(100 * r.acc).toFixed(1)}% on the ${r.count} evaluation images, `
          + `not above chance (${(100 / numClasses).toFixed(0)}%; it needs more than ${(100 * need).toFixed(1)}% on ${r.count} images): is it trained?`);
      }
    }
    return {
      source: file ? 'file' : this.config.teacher,
      ...(file ? { fileName: file.name } : {}),
      family: teacher.family,
      parameters: countParams(teacher.params),
      evalAccuracy: r.acc,
      checkpointAccuracy: this.teacherMeta?.testAccuracy ?? null,
      ...(this.teacherMeta?.accuracyImages !== undefined ? { checkpointImages: this.teacherMeta.accuracyImages } : {}),
    };
  }

  /** A checkpoint of the student as trained so far, or of the teacher (loaded, trained here, or in training). */
  async checkpoint(which: 'student' | 'teacher', runId: string, createdAt: string): Promise<{ fileBase: string; json: string; weights: ArrayBuffer }> {
    const base = `deit-playground-${runId}-${which}`;
    const buffer = (w: Uint8Array) => w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer;
    if (which === 'student') {
      const tr = this.trainer;
      if (!tr) throw new CommandError('protocol', 'exportWeights: the student has not started training yet');
      const fileBase = `${base}-step${tr.step}`;
      const { json, weights } = await encodeStudent(tr.student, {
        dataset: this.config.dataset, preset: this.config.student, step: tr.step, createdAt,
        trainedOn: `DeiT Playground ${runId}: ${this.config.distillation} distillation, ${tr.step} of ${tr.totalSteps} steps on ${this.config.trainSubset} images`,
      }, `${fileBase}.weights.bin`);
      return { fileBase, json: JSON.stringify(json), weights: buffer(weights) };
    }
    const teacher = this.teacher ?? this.teacherTrainer?.teacher ?? null;
    if (!teacher) throw new CommandError('protocol', 'exportWeights: the run has no teacher yet');
    const trained = this.teacherTrainer !== null || this.config.teacher === 'train';
    const measured = this.teacherMeta && !trained ? null : this.teacherEval;
    const { json, weights } = await encodeTeacher(teacher, {
      dataset: this.config.dataset,
      testAccuracy: measured ? measured.acc : this.teacherMeta?.testAccuracy ?? 0,
      ...(measured ? { accuracyImages: measured.count } : {}),
      trainedOn: trained ? `DeiT Playground ${runId}: trained in the page on ${this.config.trainSubset} images, ${this.config.teacherEpochs} epochs`
        : this.teacherMeta?.trainedOn ?? 'unknown',
      command: trained ? 'the page (Teacher: train now)' : this.teacherMeta?.command ?? 'unknown',
      createdAt,
    }, `${base}.weights.bin`);
    return { fileBase: base, json: JSON.stringify(json), weights: buffer(weights) };
  }

  /**
   * The student (with the teacher's accuracy and each head's agreement when there is a teacher) under the live loss
   * settings. A subset evaluation adds the token similarity over the probe images and the sample of `sampleIndex`
   * (one more read-back); a test evaluation adds the confusion matrices (in its own read-back).
   */
  async evaluateStudent(
    teacher: TeacherModel | null, live: LiveParams, split: Split, between: () => Promise<void>, sampleIndex: number | null = null,
  ): Promise<{ point: EvalPoint; sample: Sample | null }> {
    const student = this.student();
    const target = { ...this.target(split, between), predictions: split === 'test' };
    const m = await evaluateStudent(student, teacher, target, {
      distillation: live.distillation,
      alpha: live.alpha,
      tau: live.tau,
      labelSmoothing: this.config.labelSmoothing,
    });
    const step = this.trainer?.step ?? 0;
    const numClasses = target.info.numClasses;
    const confusion = m.predictions ? confusionOf(m.predictions, target.split, target.indices, numClasses) : null;
    let insight: Awaited<ReturnType<typeof buildInsight>> = { tokenCosine: null, sample: null };
    if (split === 'subset') {
      await between();
      insight = await this.insight(target.indices.subarray(0, PROBE_IMAGES), sampleIndex, teacher);
    }
    return {
      point: studentEvalPoint(m, { step, imagesSeen: this.trainer?.imagesSeen ?? 0, split }, { tokenCosine: insight.tokenCosine, confusion }),
      sample: insight.sample,
    };
  }

  /** The attention maps' sample of one test image, now (before training: of the preview student). */
  async sample(index: number, teacher: TeacherModel | null): Promise<Sample> {
    const { sample } = await this.insight(null, index, teacher);
    if (!sample) throw new Error('no sample was built');
    return sample;
  }

  private insight(probe: Int32Array | null, sampleIndex: number | null, teacher: TeacherModel | null) {
    const data = this.data;
    if (!data) throw new Error('insight before the dataset was loaded');
    return buildInsight({
      student: this.student(), teacher, split: data.test, info: DATASETS[this.config.dataset], probe, sampleIndex,
      step: this.trainer?.step ?? 0, convImpl: INFERENCE_CONV,
    });
  }

  /** The teacher being trained; null when none is. */
  async evaluateTeacherTraining(split: Split, between: () => Promise<void>): Promise<EvalPoint | null> {
    const tt = this.teacherTrainer;
    if (!tt) return null;
    const r = await evaluateTeacherChunked(tt.teacher, this.target(split, between));
    return teacherEvalPoint(r, { step: tt.step, imagesSeen: tt.imagesSeen, split });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.trainer?.dispose();
    this.trainer = null;
    if (this.teacherTrainer) {
      this.teacherTrainer.disposeOptimizer();
      disposeParams(this.teacherTrainer.teacher.params);
      this.teacherTrainer = null;
    }
    if (this.teacher) disposeParams(this.teacher.params);
    this.teacher = null;
    this.subsetLogits?.dispose();
    this.subsetLogits = null;
    if (this.preview) disposeParams(this.preview.params);
    this.preview = null;
  }
}
