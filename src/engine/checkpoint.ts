// Checkpoints: weights in tfjs's binary weights format (tf.io.encodeWeights) plus a small JSON manifest, for the
// teacher (shipped, trained in the page, or loaded from the user's files) and the trained student (a download).
import * as tf from '@tensorflow/tfjs-core';
import {
  CHECKPOINT_FORMAT, CheckpointError, STUDENT_CHECKPOINT_FORMAT, checkTeacherArch, manifestBytes, type StudentCheckpointMeta, type TeacherCheckpointMeta,
} from './checkpointManifest';
import type { DatasetInfo } from './config';
import type { FetchBytes } from './data/dataset';
import type { Params } from './nn';
import type { StudentModel } from './student';
import { createTeacherOf, specOf, type TeacherModel, type TeacherSpec } from './teacher';

export * from './checkpointManifest';

/** Parameters (in their creation order) as tfjs weight specs and one binary buffer. */
async function encodeParams(params: Params): Promise<{ specs: tf.io.WeightsManifestEntry[]; weights: Uint8Array; parameters: number }> {
  const named = Object.entries(params).map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const buffer = data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data);
  return { specs, weights: new Uint8Array(buffer), parameters: named.reduce((n, p) => n + p.tensor.size, 0) };
}

/** Serialises the teacher's parameters to tfjs weight specs and one binary buffer. */
export async function encodeTeacher(
  teacher: TeacherModel,
  meta: Omit<TeacherCheckpointMeta, 'format' | 'weightsManifest' | 'family' | 'arch' | 'numClasses' | 'parameters'>,
  weightsFile = 'teacher.weights.bin',
): Promise<{ json: TeacherCheckpointMeta; weights: Uint8Array }> {
  const { specs, weights, parameters } = await encodeParams(teacher.params);
  const json: TeacherCheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    ...meta,
    ...specOf(teacher),
    numClasses: teacher.numClasses,
    parameters,
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
  return { json, weights };
}

/** Serialises a student's parameters, with what it is (preset, token, dataset) so the file says what it holds. */
export async function encodeStudent(
  student: StudentModel,
  meta: Pick<StudentCheckpointMeta, 'dataset' | 'preset' | 'step' | 'trainedOn' | 'createdAt'>,
  weightsFile = 'student.weights.bin',
): Promise<{ json: StudentCheckpointMeta; weights: Uint8Array }> {
  const { specs, weights, parameters } = await encodeParams(student.params);
  const json: StudentCheckpointMeta = {
    format: STUDENT_CHECKPOINT_FORMAT,
    ...meta,
    arch: student.arch,
    distToken: student.distToken,
    numClasses: student.numClasses,
    parameters,
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
  return { json, weights };
}


/**
 * Builds a teacher (CNN or transformer, as the manifest's `family` says; 'cnn' when absent) from a checkpoint. The
 * architecture is checked against its bounds first, then every parameter must be present with the shape the
 * architecture expects, so a checkpoint of another architecture or a truncated weights file fails here, not as
 * garbage predictions.
 */
export function decodeTeacher(json: unknown, weights: Uint8Array, data: Pick<DatasetInfo, 'imageSize' | 'channels' | 'numClasses'>): TeacherModel {
  const meta = json as Partial<TeacherCheckpointMeta>;
  if (!meta || meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`not a teacher checkpoint (format ${String(meta?.format)})`);
  const group = meta.weightsManifest?.[0];
  if (!group) throw new CheckpointError('checkpoint has no weights manifest');
  const family = meta.family ?? 'cnn';
  if (family !== 'cnn' && family !== 'vit') throw new CheckpointError(`family must be "cnn" or "vit" (got ${JSON.stringify(family)})`);
  checkTeacherArch(family, meta.arch);
  const expectedBytes = manifestBytes(meta as TeacherCheckpointMeta);
  if (weights.byteLength !== expectedBytes) {
    throw new CheckpointError(`weights file has ${weights.byteLength} bytes, the manifest describes ${expectedBytes}`);
  }
  let teacher: TeacherModel;
  try {
    teacher = createTeacherOf({ family, arch: meta.arch } as TeacherSpec, data, 0);
  } catch (e) {
    throw new CheckpointError(`the checkpoint's architecture cannot be built for this dataset: ${(e as Error).message}`);
  }
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
