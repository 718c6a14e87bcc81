// What a TrainingRun is given (RunEnv) and the shapes its training loop works with.
import type { FetchBytes } from '../engine/data/dataset';
import type { LossReading } from '../engine/trainer';
import type { DatasetCache } from './datasetCache';
import type { LogPacer } from './pacing';
import type { FromWorker, TeacherFile } from './protocol';

/** How long a WebGPU run that failed with an internal error waits for device.lost before reporting the error as is. */
export const DEVICE_LOST_GRACE_MS = 2000;

export interface RunEnv {
  post(msg: FromWorker): void;
  fetchBytes: FetchBytes;
  datasets: DatasetCache;
  /** The tfjs backend in use (decides the conv implementation for teacher training and the eval batch size). */
  backend: string;
  now(): number;
  /** The user's teacher checkpoint (RunOptions.teacherFile). */
  teacherFile?: TeacherFile | null;
}

/** What the training loop needs of StudentTrainer and TeacherTrainer. */
export interface Trainable {
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

export interface LoopState {
  phase: 'teacher' | 'student';
  tr: Trainable;
  pacer: LogPacer;
  /** Learning rate of the last step taken (trainer.learningRate already points at the next one). */
  lastLr: number;
}
