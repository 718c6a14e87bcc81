// Checkpoint manifests (the JSON half of a checkpoint): their types, and the checks of one read from a user's file.
// No tfjs here: the page reads a teacher file with these before it goes to the worker.
import type { io } from '@tensorflow/tfjs-core';
import type { StudentArch, StudentPreset, TeacherArch } from './config';

export const CHECKPOINT_FORMAT = 'deit-playground-teacher/1';

interface TeacherCheckpointCommon {
  format: typeof CHECKPOINT_FORMAT;
  dataset: string;
  numClasses: number;
  parameters: number;
  /** Accuracy on the full test split when the checkpoint was written, or on `accuracyImages` test images when given. */
  testAccuracy: number;
  /** How many test images testAccuracy was measured on, when not the full test split (a teacher trained in the page). */
  accuracyImages?: number;
  trainedOn: string;
  command: string;
  createdAt: string;
  /** tfjs weights manifest: one group, one binary file. */
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
}

/**
 * A teacher checkpoint's manifest. `family` says which architecture `arch` describes: 'cnn' (TeacherArch) or 'vit' (a
 * DeiT without the distillation token, StudentArch). Files written before the transformer teacher have no `family`:
 * parseTeacherJson and decodeTeacher read them as 'cnn'.
 */
export type TeacherCheckpointMeta = TeacherCheckpointCommon & ({ family: 'cnn'; arch: TeacherArch } | { family: 'vit'; arch: StudentArch });

export const STUDENT_CHECKPOINT_FORMAT = 'deit-playground-student/1';

/** A trained student, as "Download student weights" writes it (same weights format as the teacher's). */
export interface StudentCheckpointMeta {
  format: typeof STUDENT_CHECKPOINT_FORMAT;
  dataset: string;
  preset: StudentPreset;
  arch: StudentArch;
  distToken: boolean;
  numClasses: number;
  parameters: number;
  /** Student steps taken when the weights were written. */
  step: number;
  trainedOn: string;
  createdAt: string;
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The JSON half of a teacher checkpoint from a user's file: parsed, with a message naming what is wrong. */
export function parseTeacherJson(bytes: Uint8Array): TeacherCheckpointMeta {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CheckpointError(`the teacher's .json file is not valid JSON (${(e as Error).message})`);
  }
  const meta = json as Partial<TeacherCheckpointMeta> | null;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) throw new CheckpointError("the teacher's .json file is not a checkpoint manifest");
  if ((meta.format as string | undefined) === STUDENT_CHECKPOINT_FORMAT) throw new CheckpointError('this is a student checkpoint; a teacher checkpoint is needed');
  if (meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`not a teacher checkpoint (format ${JSON.stringify(meta.format ?? null)}, expected "${CHECKPOINT_FORMAT}")`);
  if (!Array.isArray(meta.weightsManifest) || !meta.weightsManifest[0] || !Array.isArray(meta.weightsManifest[0].weights)) {
    throw new CheckpointError('the checkpoint has no weights manifest');
  }
  for (const [i, w] of meta.weightsManifest[0].weights.entries()) {
    const ok = w && typeof w.name === 'string' && w.dtype === 'float32' && Array.isArray(w.shape) && w.shape.length <= 4
      && w.shape.every((d) => Number.isInteger(d) && d >= 1 && d <= 1 << 20);
    if (!ok) throw new CheckpointError(`weights manifest entry ${i} must be { name, shape (1-4 positive sizes), dtype "float32" }`);
  }
  const family = (meta as { family?: unknown }).family ?? 'cnn';
  if (family !== 'cnn' && family !== 'vit') throw new CheckpointError(`family must be "cnn" or "vit" (got ${JSON.stringify(family)})`);
  checkTeacherArch(family, meta.arch);
  return { ...meta, family } as TeacherCheckpointMeta;
}

/** Bytes the manifest's weights take (float32), to check a weights file against before reading it. */
export function manifestBytes(meta: Pick<TeacherCheckpointMeta, 'weightsManifest'>): number {
  return meta.weightsManifest[0]!.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
}

/** Bounds on a teacher read from a file: its model is built before a single weight is read. */
export const TEACHER_ARCH_LIMITS = { layers: 6, channels: 256, hidden: 1024 } as const;
export const VIT_TEACHER_LIMITS = { embedDim: 384, depth: 12, numHeads: 12, mlpRatio: 4, patchSize: 28 } as const;

/** Refuses an architecture that is not a teacher this app can build, or one too large to build in a tab. */
export function checkTeacherArch(family: 'cnn' | 'vit', arch: unknown): void {
  if (!arch || typeof arch !== 'object' || Array.isArray(arch)) throw new CheckpointError('the checkpoint does not describe its architecture (arch)');
  if (family === 'vit') checkVitArch(arch as Partial<StudentArch>);
  else checkCnnArch(arch as Partial<TeacherArch>);
}

function checkVitArch(a: Partial<StudentArch>): void {
  for (const key of Object.keys(VIT_TEACHER_LIMITS) as (keyof typeof VIT_TEACHER_LIMITS)[]) {
    const v = a[key];
    if (!Number.isInteger(v) || v! < 1 || v! > VIT_TEACHER_LIMITS[key]) {
      throw new CheckpointError(`arch.${key} of a transformer teacher must be an integer in [1, ${VIT_TEACHER_LIMITS[key]}] (got ${JSON.stringify(v ?? null)})`);
    }
  }
  if (a.embedDim! % a.numHeads! !== 0) throw new CheckpointError(`arch.embedDim ${a.embedDim} is not divisible by arch.numHeads ${a.numHeads}`);
}

function checkCnnArch(a: Partial<TeacherArch>): void {
  const ints = (v: unknown, max: number) => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 1 && x <= max);
  const { layers, channels, hidden } = TEACHER_ARCH_LIMITS;
  if (!ints(a.channels, channels) || a.channels!.length < 1 || a.channels!.length > layers) {
    throw new CheckpointError(`arch.channels must be 1-${layers} conv widths of 1-${channels} (got ${JSON.stringify(a.channels ?? null)})`);
  }
  if (!Array.isArray(a.poolAfter) || a.poolAfter.length !== a.channels!.length || !a.poolAfter.every((b) => typeof b === 'boolean')) {
    throw new CheckpointError('arch.poolAfter must say, for each conv, whether a max-pool follows it');
  }
  if (!Number.isInteger(a.hidden) || a.hidden! < 1 || a.hidden! > hidden) throw new CheckpointError(`arch.hidden must be 1-${hidden} (got ${JSON.stringify(a.hidden ?? null)})`);
}

/**
 * The accuracy a teacher must beat on `n` evaluation images to count as above chance: chance (1 / classes) plus two
 * standard errors of a guesser's accuracy on n images (a random teacher passes by luck about 2% of the time).
 */
export function aboveChanceThreshold(numClasses: number, n: number): number {
  const p = 1 / numClasses;
  return p + 2 * Math.sqrt((p * (1 - p)) / Math.max(1, n));
}
