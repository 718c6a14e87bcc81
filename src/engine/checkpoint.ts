// Teacher checkpoints: weights in tfjs's binary weights format (tf.io.encodeWeights) plus a small JSON manifest.
import * as tf from '@tensorflow/tfjs-core';
import { TEACHER_ARCH, type DatasetInfo, type TeacherArch } from './config';
import type { FetchBytes } from './data/dataset';
import { createTeacher, type TeacherModel } from './teacher';

export const CHECKPOINT_FORMAT = 'deit-playground-teacher/1';

export interface TeacherCheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  dataset: string;
  arch: TeacherArch;
  numClasses: number;
  parameters: number;
  /** Accuracy on the full test split, measured when the checkpoint was written. */
  testAccuracy: number;
  trainedOn: string;
  command: string;
  createdAt: string;
  /** tfjs weights manifest: one group, one binary file. */
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Serialises the teacher's parameters (in their creation order) to tfjs weight specs and one binary buffer. */
export async function encodeTeacher(
  teacher: TeacherModel,
  meta: Omit<TeacherCheckpointMeta, 'format' | 'weightsManifest' | 'arch' | 'numClasses' | 'parameters'>,
  weightsFile = 'teacher.weights.bin',
): Promise<{ json: TeacherCheckpointMeta; weights: Uint8Array }> {
  const named = Object.entries(teacher.params).map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const buffer = data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data);
  const json: TeacherCheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    ...meta,
    arch: teacher.arch,
    numClasses: teacher.numClasses,
    parameters: named.reduce((n, p) => n + p.tensor.size, 0),
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
  return { json, weights: new Uint8Array(buffer) };
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/**
 * Builds a teacher from a checkpoint. Every parameter must be present with the shape the architecture expects,
 * so a checkpoint of another architecture or a truncated weights file fails here, not as garbage predictions.
 */
export function decodeTeacher(json: unknown, weights: Uint8Array, data: Pick<DatasetInfo, 'imageSize' | 'channels' | 'numClasses'>): TeacherModel {
  const meta = json as Partial<TeacherCheckpointMeta>;
  if (!meta || meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`not a teacher checkpoint (format ${String(meta?.format)})`);
  const group = meta.weightsManifest?.[0];
  if (!group) throw new CheckpointError('checkpoint has no weights manifest');
  const expectedBytes = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weights.byteLength !== expectedBytes) {
    throw new CheckpointError(`weights file has ${weights.byteLength} bytes, the manifest describes ${expectedBytes}`);
  }
  const arch = meta.arch ?? TEACHER_ARCH;
  const teacher = createTeacher(arch, data, 0);
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, group.weights);
  try {
    for (const [name, v] of Object.entries(teacher.params)) {
      const t = decoded[name];
      if (!t) throw new CheckpointError(`checkpoint lacks parameter ${name}`);
      if (t.shape.join() !== v.shape.join()) throw new CheckpointError(`${name}: checkpoint shape [${t.shape}] != model [${v.shape}]`);
      v.assign(t);
    }
  } catch (e) {
    for (const v of Object.values(teacher.params)) v.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(decoded));
  }
  return teacher;
}

/** Loads `<dir>/teacher.json` and its weights through a FetchBytes (HTTP in the worker, the file system in Node). */
export async function loadTeacherCheckpoint(
  fetchBytes: FetchBytes,
  dir: string,
  data: Pick<DatasetInfo, 'imageSize' | 'channels' | 'numClasses'>,
): Promise<{ teacher: TeacherModel; meta: TeacherCheckpointMeta }> {
  let json: TeacherCheckpointMeta;
  try {
    json = JSON.parse(new TextDecoder().decode(await fetchBytes(`${dir}/teacher.json`))) as TeacherCheckpointMeta;
  } catch (e) {
    throw new CheckpointError(`${dir}/teacher.json: ${(e as Error).message}`);
  }
  const file = json.weightsManifest?.[0]?.paths[0];
  if (!file) throw new CheckpointError(`${dir}/teacher.json has no weights path`);
  const weights = await fetchBytes(`${dir}/${file}`);
  return { teacher: decodeTeacher(json, weights, data), meta: json };
}
