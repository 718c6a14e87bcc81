// The typed message protocol between the UI (main thread) and the training worker: discriminated unions on `type`,
// imported by both sides; each side ends its switch with assertNever so a new message cannot go unhandled.
import type { BackendChoice, LiveParams, TrainConfig } from '../engine/config';

export type { LiveParams } from '../engine/config';

/** Bumped whenever a message shape changes; the worker refuses an `init` of another version. */
export const PROTOCOL_VERSION = 3;

export type RunStatus = 'idle' | 'loading' | 'teacher' | 'student' | 'paused' | 'done' | 'error';
export type Phase = 'dataset' | 'teacher' | 'precompute' | 'student';
export type ErrorCode = 'bad-config' | 'dataset' | 'teacher-file' | 'non-finite-loss' | 'device-lost' | 'backend-init' | 'internal' | 'protocol';

// ---------------------------------------------------------------- to the worker

/** Options of a run that are not part of its (shareable) config. */
export interface RunOptions {
  /**
   * A teacher checkpoint the user loaded from files ("Load teacher from file"): used instead of the shipped one when
   * config.teacher is 'pretrained'. The worker checks its architecture and that it scores above chance on the
   * evaluation subset before the student trains; otherwise the run ends with a 'teacher-file' error.
   */
  teacherFile?: TeacherFile;
}

/** The two files of a teacher checkpoint, as the user picked them. */
export interface TeacherFile {
  /** The .json file's name (shown in the run's teacher info). */
  name: string;
  /** The .json manifest, as text. */
  json: string;
  /** The .bin weights. */
  weights: ArrayBuffer;
}

export type ToWorker =
  /**
   * Prepares a run (selects the backend on first use, or again when config.backend changes or the GPU device was
   * lost) and answers `ready` then `status: idle`; nothing trains until `start`. An `init` while a run is live stops
   * that run first. A bad config answers `error` 'bad-config' and no `ready`.
   */
  | { type: 'init'; version: number; runId: string; config: TrainConfig; baseUrl: string; options?: RunOptions }
  | { type: 'start' }
  /** Takes effect at the next step boundary: `status: paused` is sent when it has. */
  | { type: 'pause' }
  | { type: 'resume' }
  /** Ends the run and frees its tensors, then answers `status: idle`; the worker stays usable for a new `init`. */
  | { type: 'stop' }
  /**
   * Runs n steps of the phase in progress (student, or teacher while the teacher trains) while paused, sends
   * their metrics and `status: paused` with the new step, and stays paused. Sent before `start`, it starts the
   * run paused and takes the n steps as soon as training begins.
   */
  | { type: 'step'; n: number }
  /**
   * Live hyperparameters (validated against NUMERIC_RANGES / ENUM_VALUES; a bad patch answers 'bad-config' and the
   * run goes on), applied from the next step and echoed as an `event`.
   */
  | { type: 'update'; patch: Partial<LiveParams> }
  /** Evaluates on the fixed evaluation subset now and answers `eval` (the teacher while the teacher trains). */
  | { type: 'evalNow' }
  /**
   * Chooses the test image of the attention maps (by index; the worker picks one when omitted) and answers its
   * `sample` now; later samples of it follow each evaluation. Works from `init` on: before training it uses the seeded
   * initial student (the maps at step 0).
   */
  | { type: 'requestSample'; index?: number }
  /** Asks for test images by index (at most MAX_IMAGE_REQUEST), answered by `images` with purpose 'request'. */
  | { type: 'requestImages'; indices: number[] }
  /**
   * The weights of the run the worker holds (live or done): the trained student (as trained so far) or its teacher,
   * answered by `weights` (the tfjs weights format of the shipped teacher), or by an error 'protocol' when it has none.
   */
  | { type: 'exportWeights'; which: 'student' | 'teacher' }
  /** Selects (or re-selects) the backend without a run, so the page can show it before Start; answered by `backend`. */
  | { type: 'probe'; version: number; backend: BackendChoice };

// ---------------------------------------------------------------- from the worker

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean | null;
}

export interface BackendAttempt {
  backend: string;
  ok: boolean;
  reason: string | null;
}

/** What is really in use: tf.setBackend() returns false instead of throwing, so every attempt is recorded. */
export interface BackendReport {
  requested: BackendChoice;
  backend: string;
  adapter: AdapterInfo | null;
  tfjsVersion: string;
  /** Why the backend in use is not WebGPU (null when it is). */
  fallbackReason: string | null;
  attempts: BackendAttempt[];
  /**
   * How teacher training runs its convolutions: tf.conv2d (webgpu/webgl) or im2col + matMul (wasm/cpu, where conv
   * gradients are missing or slow). Teacher inference uses tf.conv2d on every backend.
   */
  convImpl: 'native' | 'im2col';
}

export interface MetricsPoint {
  phase: 'teacher' | 'student';
  step: number;
  totalSteps: number;
  epoch: number;
  imagesSeen: number;
  /** Mean loss parts over the steps since the previous point. */
  loss: { total: number; base: number; distill: number };
  gradNorm: number;
  lr: number;
  imagesPerSec: number;
  numTensors: number;
  numBytes: number;
  /** Milliseconds since the run started. */
  time: number;
}

export interface EvalPoint {
  phase: 'teacher' | 'student';
  step: number;
  imagesSeen: number;
  /** 'subset': the fixed seeded evaluation subset; 'test': the full test split (end of each epoch). */
  split: 'subset' | 'test';
  count: number;
  clsAcc: number | null;
  /** Null for the teacher and for a student without the distillation token. */
  distAcc: number | null;
  fusedAcc: number | null;
  teacherAcc: number | null;
  /** Fraction of images where each head's top class is the teacher's (DeiT Table 4); null without a teacher. */
  agreement: HeadAgreement | null;
  loss: number;
  /** Subset evaluations of a student with a distillation token: the tokens' similarity per layer. */
  tokenCosine: TokenCosine | null;
  /** 'test' evaluations of the student: the confusion matrix of each head and the teacher. */
  confusion: Confusion | null;
}

export interface HeadAgreement {
  cls: number;
  /** Null without the distillation token. */
  dist: number | null;
  fused: number;
}

export interface TokenCosine {
  /** Mean over the probe images of cos(class token, distillation token) after each block, then after the final norm. */
  layers: number[];
  /** Cosine of the two learned token parameters (DeiT: 0.06). */
  params: number;
  /** Probe images averaged over (the first ones of the evaluation subset). */
  count: number;
}

export type ConfusionSource = 'fused' | 'cls' | 'dist' | 'teacher';
export const CONFUSION_SOURCES: readonly ConfusionSource[] = ['fused', 'cls', 'dist', 'teacher'];

/** Test images of a cell the worker keeps in `examples`. */
export const EXAMPLES_PER_CELL = 6;

export interface Confusion {
  numClasses: number;
  /** Rows: true class, columns: predicted; counts[true * numClasses + predicted]. A source without a head is absent. */
  counts: Partial<Record<ConfusionSource, number[]>>;
  /** The first EXAMPLES_PER_CELL test-image indices of each cell, same layout. */
  examples: Partial<Record<ConfusionSource, number[][]>>;
}

export interface TestImage {
  index: number;
  label: number;
  /** Raw 8-bit pixels, row-major [H*W*C]. */
  pixels: number[];
  imageSize: number;
}

/** The most images one requestImages may ask for. */
export const MAX_IMAGE_REQUEST = 64;

export interface TeacherInfo {
  /** 'file': a checkpoint the user loaded (RunOptions.teacherFile), named by `fileName`. */
  source: 'pretrained' | 'train' | 'file';
  fileName?: string;
  /** The teacher's architecture: the CNN or the transformer (a DeiT without the distillation token). Absent in runs saved before it existed. */
  family?: 'cnn' | 'vit';
  parameters: number;
  /** Accuracy on the evaluation subset of this run. */
  evalAccuracy: number;
  /** Accuracy recorded in the checkpoint (shipped or a file): on the full test split unless checkpointImages says. */
  checkpointAccuracy: number | null;
  /** The test images checkpointAccuracy was measured on, when not the full split (a teacher trained in the page). */
  checkpointImages?: number;
}

/** The attention maps' test image: where each prefix token attends in every layer and head, and each head's answer. */
export interface Sample {
  index: number;
  label: number;
  /** Raw 8-bit pixels, row-major [H*W*C]. */
  image: number[];
  imageSize: number;
  /** Teacher logits of the image (the temperature explainer); null before there is a teacher. */
  teacherLogits: number[] | null;
  clsProbs: number[];
  /** Null for a student without a distillation token. */
  distProbs: number[] | null;
  fusedProbs: number[];
  /**
   * Softmax attention rows [layer][token: 0 class, 1 distillation][head][T], T = the prefix tokens then gridSize^2
   * patches in row-major order; each row sums to 1.
   */
  attention: number[][][][];
  gridSize: number;
  step: number;
}

export type FromWorker =
  | { type: 'ready'; version: number; runId: string; backend: BackendReport }
  /**
   * Throttled to ~10/s, the last of a phase always sent. done/total count: 'dataset' compressed bytes, 'teacher'
   * the checkpoint (0/1, 1/1) or teacher steps, 'precompute' images, 'student' steps.
   */
  | { type: 'progress'; runId: string; phase: Phase; done: number; total: number; detail: string }
  | { type: 'metrics'; runId: string; points: MetricsPoint[] }
  | { type: 'eval'; runId: string; point: EvalPoint }
  | { type: 'teacher'; runId: string; info: TeacherInfo }
  /** A live change took effect after `step` steps (the first step it affects is step + 1): the charts mark `step`. */
  | { type: 'event'; runId: string; step: number; imagesSeen: number; patch: Partial<LiveParams> }
  | { type: 'status'; runId: string; status: RunStatus; step: number }
  | { type: 'sample'; runId: string; sample: Sample }
  /** Test images: one per class once the dataset is loaded ('strip'), or the ones requestImages asked for. */
  | { type: 'images'; runId: string; purpose: 'strip' | 'request'; images: TestImage[] }
  /**
   * A fatal error (non-finite-loss, device-lost, dataset, backend-init, internal during training) is followed by
   * `status: error` and ends the run; the metrics sent before it stay valid. Without that status the error only
   * refuses one command (bad-config, protocol) and the run goes on.
   */
  | { type: 'error'; runId: string; code: ErrorCode; message: string; step: number | null }
  /** Answers exportWeights: a checkpoint manifest (JSON text, its weights path is `<fileBase>.weights.bin`) and its weights. */
  | { type: 'weights'; runId: string; which: 'student' | 'teacher'; fileBase: string; json: string; weights: ArrayBuffer }
  | { type: 'backend'; report: BackendReport };

export type ToWorkerType = ToWorker['type'];
export type FromWorkerType = FromWorker['type'];

/** For exhaustive switches: a compile error when a case is missing, a runtime error on an unknown message. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}

const TO_WORKER_TYPES: readonly ToWorkerType[] = ['init', 'start', 'pause', 'resume', 'stop', 'step', 'update', 'evalNow', 'requestSample', 'requestImages', 'exportWeights', 'probe'];

/** Structural check of an incoming message (the worker never trusts `event.data`). */
export function isToWorker(x: unknown): x is ToWorker {
  return typeof x === 'object' && x !== null && TO_WORKER_TYPES.includes((x as { type: ToWorkerType }).type);
}

/** The minimal endpoint both a Worker, a DedicatedWorkerGlobalScope and a MessagePort satisfy (comlink's idea). */
export interface Endpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
}
