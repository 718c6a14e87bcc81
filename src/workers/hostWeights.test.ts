// Weights in and out of the worker: "Student weights" / "Teacher weights" (exportWeights) of a run it holds, and a
// teacher from the user's files (RunOptions.teacherFile): the shipped checkpoint, given as files, teaches a run and is
// named in its teacher info; an untrained one is refused as not above chance; a damaged one is refused by name.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTeacherJson, STUDENT_CHECKPOINT_FORMAT, manifestBytes, type StudentCheckpointMeta } from '../engine/checkpoint';
import { hostSuite, numTensors, PUBLIC_DIR, TEACHER_DIR, tinyConfig, type Harness } from './testHost';
import type { TeacherFile } from './protocol';

const hosts = hostSuite();
const ab = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const harness = (): Harness => hosts.connect();

/** The shipped checkpoint's two files, as a user would pick them. */
async function shippedAsFile(): Promise<TeacherFile> {
  const dir = join(PUBLIC_DIR, 'models', 'fashion-mnist-teacher');
  return { name: 'teacher.json', json: await readFile(join(dir, 'teacher.json'), 'utf8'), weights: ab(await readFile(join(dir, 'teacher.weights.bin'))) };
}

/** The untrained test teacher's two files. */
function untrainedAsFile(): TeacherFile {
  return {
    name: 'untrained.json',
    json: new TextDecoder().decode(hosts.files().get(`${TEACHER_DIR}/teacher.json`)!),
    weights: ab(hosts.files().get(`${TEACHER_DIR}/teacher.weights.bin`)!),
  };
}

describe('weights in and out of the worker', () => {
  it('exports the student as trained and the teacher; the teacher export loads back as a teacher file and teaches the next run', async () => {
    const baseline = numTensors();
    const h = harness();
    h.send({ type: 'exportWeights', which: 'student' });
    expect((await h.next('error')).message).toMatch(/no run/);

    h.init(tinyConfig({ backend: 'wasm', evalSubset: 100 }), 'run-1', { teacherFile: await shippedAsFile() });
    await h.next('ready');
    const from = h.messages.length;
    h.send({ type: 'exportWeights', which: 'student' });
    expect((await h.next('error', () => true, 10_000, from)).message).toMatch(/student has not started training/);
    h.send({ type: 'start' });
    await h.next('status', (m) => m.status === 'done' || m.status === 'error', 60_000);
    expect(h.of('error').filter((e) => !e.message.startsWith('exportWeights'))).toEqual([]);
    // The shipped teacher, given as files: named in the run's teacher info, and as accurate as shipped.
    const info = h.of('teacher')[0]!.info;
    expect(info).toMatchObject({ source: 'file', fileName: 'teacher.json', parameters: 426_122 });
    expect(info.evalAccuracy).toBeGreaterThan(0.8);
    expect(info.checkpointAccuracy).toBeCloseTo(0.9077, 3);

    h.send({ type: 'exportWeights', which: 'student' });
    const student = await h.next('weights', (m) => m.which === 'student');
    const sMeta = JSON.parse(student.json) as StudentCheckpointMeta;
    expect(sMeta).toMatchObject({ format: STUDENT_CHECKPOINT_FORMAT, preset: 'deit-nano', distToken: true, step: 4, dataset: 'fashion-mnist' });
    expect(student.fileBase).toBe('deit-playground-run-1-student-step4');
    expect(sMeta.weightsManifest[0]!.paths).toEqual([`${student.fileBase}.weights.bin`]);
    expect(student.weights.byteLength).toBe(manifestBytes(sMeta));

    h.send({ type: 'exportWeights', which: 'teacher' });
    const teacher = await h.next('weights', (m) => m.which === 'teacher');
    const tMeta = parseTeacherJson(new TextEncoder().encode(teacher.json));
    expect(tMeta.testAccuracy).toBeCloseTo(0.9077, 3); // a loaded checkpoint keeps its recorded accuracy
    expect(teacher.weights.byteLength).toBe(manifestBytes(tMeta));

    // The exported teacher, loaded back from its files, teaches the next run.
    h.init(tinyConfig({ backend: 'wasm', evalSubset: 100 }), 'run-2', { teacherFile: { name: `${teacher.fileBase}.json`, json: teacher.json, weights: teacher.weights } });
    await h.next('ready', (m) => m.runId === 'run-2');
    h.send({ type: 'start' });
    await h.next('status', (m) => m.runId === 'run-2' && (m.status === 'done' || m.status === 'error'), 60_000);
    expect(h.of('error', 'run-2')).toEqual([]);
    const again = h.of('teacher', 'run-2')[0]!.info;
    expect(again).toMatchObject({ source: 'file', fileName: 'deit-playground-run-1-teacher.json' });
    expect(again.evalAccuracy).toBe(info.evalAccuracy);
    const beforeStop = h.messages.length;
    h.send({ type: 'stop' });
    await h.next('status', (m) => m.runId === 'run-2' && m.status === 'idle', 10_000, beforeStop);
    expect(numTensors()).toBe(baseline);
  });

  it('refuses an untrained teacher file as not above chance, and a damaged one by name; the run ends and frees everything', async () => {
    const baseline = numTensors();
    const h = harness();
    h.init(tinyConfig({ backend: 'wasm', evalSubset: 100 }), 'chance', { teacherFile: untrainedAsFile() });
    await h.next('ready');
    h.send({ type: 'start' });
    const err = await h.next('error', () => true, 60_000);
    expect(err.code).toBe('teacher-file');
    expect(err.message).toMatch(/untrained.json scores [\d.]+% on the 100 evaluation images, not above chance \(10%; it needs more than 16\.0% on 100 images\)/);
    await h.next('status', (m) => m.status === 'error');
    expect(h.of('metrics').flatMap((m) => m.points).filter((p) => p.phase === 'student')).toEqual([]);

    const damaged = untrainedAsFile();
    h.init(tinyConfig({ backend: 'wasm' }), 'damaged', { teacherFile: { ...damaged, weights: damaged.weights.slice(0, 100) } });
    await h.next('ready', (m) => m.runId === 'damaged');
    h.send({ type: 'start' });
    const err2 = await h.next('error', (m) => m.runId === 'damaged', 60_000);
    expect(err2).toMatchObject({ code: 'teacher-file' });
    expect(err2.message).toMatch(/^teacher file untrained.json: weights file has 100 bytes, the manifest describes \d+/);
    await h.next('status', (m) => m.runId === 'damaged' && m.status === 'error');
    const beforeStop = h.messages.length;
    h.send({ type: 'stop' });
    await h.next('status', (m) => m.status === 'idle', 10_000, beforeStop);
    expect(numTensors()).toBe(baseline);
  });
});
