// Evaluation as the worker runs it: the engine's evaluate() over chunks of images, with a check between chunks so
// a 10k-image test pass can be stopped, and the conversion to protocol EvalPoints.
import type { DatasetInfo } from '../engine/config';
import type { Split } from '../engine/data/dataset';
import { evaluate, evaluateTeacher, type EvalMetrics, type HeadPredictions, type TeacherLogitsCache } from '../engine/evaluate';
import type { DistillationOptions } from '../engine/losses';
import type { StudentModel } from '../engine/student';
import type { ConvImpl, TeacherModel } from '../engine/teacher';
import type { Confusion, EvalPoint, TokenCosine } from './protocol';

/** Images per evaluate() call: between chunks the run may be stopped (each chunk is one read-back). */
export const EVAL_CHUNK = 1000;

export interface EvalTarget {
  split: Split;
  info: DatasetInfo;
  indices: Int32Array;
  batchSize: number;
  convImpl: ConvImpl;
  /** Awaited between chunks; throws to abandon the evaluation (a stop). */
  between: () => Promise<void>;
  /** The frozen teacher's logits of these images, kept across evaluations (used only with that teacher). */
  teacherCache?: TeacherLogitsCache;
  /** Read back every image's top class per head too (a test evaluation's confusion matrices). */
  predictions?: boolean;
}

/**
 * The student's metrics over all `indices`, as evaluate() would give them in one call: every field of EvalMetrics
 * is a mean over images, so chunk results combine exactly by a count-weighted mean; predictions are concatenated.
 */
export async function evaluateStudent(
  student: StudentModel,
  teacher: TeacherModel | null,
  t: EvalTarget,
  lossOpts: DistillationOptions,
): Promise<EvalMetrics> {
  const parts: EvalMetrics[] = [];
  for (let at = 0; at < t.indices.length; at += EVAL_CHUNK) {
    if (at > 0) await t.between();
    const chunk = t.indices.subarray(at, at + EVAL_CHUNK);
    parts.push(await evaluate(student, teacher, t.split, t.info, chunk, t.batchSize, lossOpts, t.convImpl, t.teacherCache, t.predictions));
  }
  const n = parts.reduce((s, p) => s + p.count, 0);
  const mean = (f: (p: EvalMetrics) => number) => (n > 0 ? parts.reduce((s, p) => s + f(p) * p.count, 0) / n : 0);
  const joined = (f: (p: HeadPredictions) => Int32Array) => {
    const out = new Int32Array(n);
    let at = 0;
    for (const p of parts) at += (out.set(f(p.predictions!), at), p.count);
    return out;
  };
  const dist = student.distToken;
  return {
    count: n,
    clsAcc: mean((p) => p.clsAcc),
    distAcc: student.distToken ? mean((p) => p.distAcc ?? 0) : null,
    fusedAcc: mean((p) => p.fusedAcc),
    teacherAcc: teacher ? mean((p) => p.teacherAcc ?? 0) : null,
    agreement: teacher
      ? { cls: mean((p) => p.agreement?.cls ?? 0), dist: dist ? mean((p) => p.agreement?.dist ?? 0) : null, fused: mean((p) => p.agreement?.fused ?? 0) }
      : null,
    loss: { total: mean((p) => p.loss.total), base: mean((p) => p.loss.base), distill: mean((p) => p.loss.distill) },
    ...(t.predictions
      ? { predictions: { cls: joined((p) => p.cls), dist: dist ? joined((p) => p.dist!) : null, fused: joined((p) => p.fused), teacher: teacher ? joined((p) => p.teacher!) : null } }
      : {}),
  };
}

/** Teacher accuracy and cross-entropy over `indices`, chunked like evaluateStudent. */
export async function evaluateTeacherChunked(teacher: TeacherModel, t: EvalTarget): Promise<{ count: number; acc: number; loss: number }> {
  let count = 0;
  let acc = 0;
  let loss = 0;
  for (let at = 0; at < t.indices.length; at += EVAL_CHUNK) {
    if (at > 0) await t.between();
    const r = await evaluateTeacher(teacher, t.split, t.info, t.indices.subarray(at, at + EVAL_CHUNK), t.batchSize, t.convImpl, t.teacherCache);
    acc += r.acc * r.count;
    loss += r.loss * r.count;
    count += r.count;
  }
  return { count, acc: count ? acc / count : 0, loss: count ? loss / count : 0 };
}

export function studentEvalPoint(
  m: EvalMetrics,
  at: { step: number; imagesSeen: number; split: EvalPoint['split'] },
  insight: { tokenCosine: TokenCosine | null; confusion: Confusion | null },
): EvalPoint {
  return {
    phase: 'student',
    ...at,
    count: m.count,
    clsAcc: m.clsAcc,
    distAcc: m.distAcc,
    fusedAcc: m.fusedAcc,
    teacherAcc: m.teacherAcc,
    agreement: m.agreement,
    loss: m.loss.total,
    ...insight,
  };
}

export function teacherEvalPoint(r: { count: number; acc: number; loss: number }, at: { step: number; imagesSeen: number; split: EvalPoint['split'] }): EvalPoint {
  return { phase: 'teacher', ...at, count: r.count, clsAcc: null, distAcc: null, fusedAcc: null, teacherAcc: r.acc, agreement: null, loss: r.loss, tokenCosine: null, confusion: null };
}
