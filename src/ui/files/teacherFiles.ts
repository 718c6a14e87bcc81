// "Load teacher from file": the two files of a teacher checkpoint (the .json manifest and its .bin weights, as the
// download buttons and `npm run train-teacher` write them), checked on the page before any run uses them: the
// format, the architecture (a CNN or transformer teacher this app builds, within size bounds), the dataset, and that the weights
// file has exactly the bytes the manifest describes. The worker checks the shapes again and that the teacher scores
// above chance on the evaluation subset.
import { CheckpointError, manifestBytes, parseTeacherJson } from '../../engine/checkpointManifest';
import type { LoadedTeacher } from '../store/workerSlice';

export const MAX_TEACHER_JSON_BYTES = 1 << 20;
export const MAX_TEACHER_WEIGHTS_BYTES = 64 << 20;

export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

export type TeacherFilesResult = { ok: true; teacher: LoadedTeacher } | { ok: false; message: string };

/** Checks a picked .json and .bin pair for a run on `dataset`. */
export function checkTeacherFiles(files: readonly PickedFile[], dataset: string): TeacherFilesResult {
  const jsons = files.filter((f) => /\.json$/i.test(f.name));
  const bins = files.filter((f) => /\.bin$/i.test(f.name));
  if (files.length !== 2 || jsons.length !== 1 || bins.length !== 1) {
    return { ok: false, message: `pick two files together: the checkpoint's .json and its .weights.bin (got ${files.map((f) => f.name).join(', ') || 'none'})` };
  }
  const json = jsons[0]!;
  const bin = bins[0]!;
  if (json.bytes.byteLength > MAX_TEACHER_JSON_BYTES) return { ok: false, message: `${json.name} is larger than ${MAX_TEACHER_JSON_BYTES >> 20} MB: not a checkpoint manifest` };
  if (bin.bytes.byteLength > MAX_TEACHER_WEIGHTS_BYTES) return { ok: false, message: `${bin.name} is larger than ${MAX_TEACHER_WEIGHTS_BYTES >> 20} MB: too large for a teacher here` };
  try {
    const meta = parseTeacherJson(json.bytes);
    if (meta.dataset !== dataset) throw new CheckpointError(`it was trained on ${JSON.stringify(meta.dataset)}; the controls' dataset is ${dataset}`);
    const expected = manifestBytes(meta);
    if (bin.bytes.byteLength !== expected) {
      throw new CheckpointError(`${bin.name} has ${bin.bytes.byteLength} bytes; the manifest describes ${expected} (is it this checkpoint's weights file?)`);
    }
    const parameters = expected / 4;
    const accuracy = Number.isFinite(meta.testAccuracy) && meta.testAccuracy >= 0 && meta.testAccuracy <= 1 ? meta.testAccuracy : 0;
    const images = Number.isInteger(meta.accuracyImages) && meta.accuracyImages! > 0 ? meta.accuracyImages! : null;
    const weights = bin.bytes.buffer.slice(bin.bytes.byteOffset, bin.bytes.byteOffset + bin.bytes.byteLength) as ArrayBuffer;
    return {
      ok: true,
      teacher: {
        name: json.name, weightsName: bin.name, json: new TextDecoder().decode(json.bytes), weights,
        dataset: meta.dataset, parameters, recordedAccuracy: accuracy, accuracyImages: images,
      },
    };
  } catch (e) {
    if (e instanceof CheckpointError) return { ok: false, message: `${json.name}: ${e.message}` };
    throw e;
  }
}

/** Reads the picked files (refusing oversized ones before reading them) and checks them. */
export async function readTeacherFiles(files: readonly File[], dataset: string): Promise<TeacherFilesResult> {
  for (const f of files) {
    const cap = /\.json$/i.test(f.name) ? MAX_TEACHER_JSON_BYTES : MAX_TEACHER_WEIGHTS_BYTES;
    if (f.size > cap) return { ok: false, message: `${f.name} is larger than ${cap >> 20} MB` };
  }
  const picked = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  return checkTeacherFiles(picked, dataset);
}
