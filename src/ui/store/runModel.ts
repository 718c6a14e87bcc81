// A run as the UI keeps it: its config, live parameters, every metric and eval point, markers and progress;
// plus the pure helpers that label, colour and summarise runs. No React, no worker.
import { TEACHER_MODELS, liveOf, type TrainConfig } from '../../engine/config';
import type {
  BackendReport, ErrorCode, EvalPoint, LiveParams, MetricsPoint, Phase, RunStatus, Sample, TeacherInfo, TestImage,
} from '../../workers/protocol';
import { formatParam } from '../format';

/**
 * The worker's statuses plus those only the UI knows: waiting in the queue, init sent, stopped by the user, and
 * interrupted (it was training when the page went away; restored from storage with the points it had).
 */
export type UiRunStatus = RunStatus | 'queued' | 'initializing' | 'stopped' | 'interrupted';

/**
 * Where a run came from: the Start button, a sweep, a shared link's settings (queued, re-trained on Start), a JSON
 * file (imported), or a results link (its curves as shared, not trained here).
 */
export type RunOrigin = 'manual' | 'sweep' | 'link' | 'imported' | 'results-link';

/** A live change that took effect, at the step the worker reported. */
export interface Marker {
  step: number;
  imagesSeen: number;
  patch: Partial<LiveParams>;
  /** "τ 3 → 5", built from the run's live parameters before the change. */
  label: string;
}

export interface ProgressInfo {
  done: number;
  total: number;
  detail: string;
}

export interface RunError {
  code: ErrorCode | 'crash';
  message: string;
  step: number | null;
}

export interface Run {
  id: string;
  /** 1-based, in creation order: "#3" in legends and the table. */
  number: number;
  origin: RunOrigin;
  /** The config the run was started with (what the share link encodes). */
  config: TrainConfig;
  /** Live parameters as the worker last confirmed them (config values until an `event` arrives). */
  live: LiveParams;
  status: UiRunStatus;
  step: number;
  totalSteps: number;
  epoch: number;
  imagesSeen: number;
  /** Student-phase training metrics. */
  metrics: MetricsPoint[];
  /** Teacher-phase training metrics (teacher trained in the page). */
  teacherMetrics: MetricsPoint[];
  /** Student evaluations (subset and full test split). */
  evals: EvalPoint[];
  teacherEvals: EvalPoint[];
  markers: Marker[];
  teacher: TeacherInfo | null;
  /** The backend (and adapter) the worker trained this run on, from its `ready`; null before that. */
  backend: BackendReport | null;
  progress: Partial<Record<Phase, ProgressInfo>>;
  error: RunError | null;
  /** The latest sample of the attention maps' test image the worker sent for this run. */
  sample: Sample | null;
  /** Test-image indices of the attention maps' strip (one per class). */
  strip: number[];
  /** Test images the worker sent for this run (the strip, confusion examples), by index. */
  images: Record<number, TestImage>;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export function newRun(id: string, number: number, config: TrainConfig, origin: RunOrigin, now: number): Run {
  return {
    id, number, origin, config, live: liveOf(config), status: 'queued',
    step: 0, totalSteps: 0, epoch: 0, imagesSeen: 0,
    metrics: [], teacherMetrics: [], evals: [], teacherEvals: [], markers: [],
    teacher: null, backend: null, progress: {}, error: null, sample: null, strip: [], images: {},
    createdAt: now, startedAt: null, endedAt: null,
  };
}

/** Statuses in which the worker holds the run and may still send data for it. */
export const LIVE_STATUSES: readonly UiRunStatus[] = ['initializing', 'idle', 'loading', 'teacher', 'student', 'paused'];
/** Statuses a run never leaves on its own. */
export const TERMINAL_STATUSES: readonly UiRunStatus[] = ['done', 'error', 'stopped', 'interrupted'];

export function isLive(status: UiRunStatus): boolean {
  return LIVE_STATUSES.includes(status);
}

/** Statuses in which the worker is working through the run now (it can be paused; views receive data). */
export const RUNNING_STATUSES: readonly UiRunStatus[] = ['loading', 'teacher', 'student'];

/** `none` / undefined: no run is active. */
export function isRunning(status: UiRunStatus | 'none' | undefined): boolean {
  return (RUNNING_STATUSES as readonly string[]).includes(status ?? 'none');
}

export function isTerminal(status: UiRunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * The legend's name for a run: mode, and tau/alpha where they matter ("soft τ=3 α=0.5", "hard α=0.5", "none"), and
 * "no dist. token" for a student without the distillation token.
 */
export function runLabel(c: Pick<TrainConfig, 'distillation' | 'tau' | 'alpha'> & Partial<Pick<TrainConfig, 'distToken'>>): string {
  const mode = c.distillation === 'none' ? 'none'
    : c.distillation === 'hard' ? `hard α=${formatParam(c.alpha)}`
      : `soft τ=${formatParam(c.tau)} α=${formatParam(c.alpha)}`;
  return c.distToken === false ? `${mode} · no dist. token` : mode;
}

/** Okabe-Ito-like palette: distinguishable for common colour-vision deficiencies, dark enough on white. */
export const RUN_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#7f3c8d', '#4d4d4d'] as const;

const FAMILY_LABEL = { cnn: 'CNN', vit: 'Transformer (ViT)' } as const;

/**
 * A run's teacher in words: the shipped one by name ("CNN (matched accuracy)"), one trained here ("Transformer (ViT),
 * trained here"), or the user's file by its architecture ("CNN from file t.json"). Older runs without a teacherModel
 * read as the CNN, which was then the only teacher.
 */
export function teacherLabel(config: Partial<Pick<TrainConfig, 'teacher' | 'teacherModel'>>, info: Pick<TeacherInfo, 'source' | 'family' | 'fileName'> | null): string {
  if (info?.source === 'file') return `${FAMILY_LABEL[info.family ?? 'cnn']} from file ${info.fileName ?? ''}`.trim();
  const name = TEACHER_MODELS[config.teacherModel ?? 'cnn'].label;
  return config.teacher === 'train' ? `${name}, trained here` : name;
}

export function runColor(run: Pick<Run, 'number'>): string {
  return RUN_COLORS[(run.number - 1) % RUN_COLORS.length]!;
}

const LIVE_NAMES: Record<keyof LiveParams, string> = {
  distillation: 'mode', tau: 'τ', alpha: 'α', lr: 'lr', evalInterval: 'eval every',
};

/** "τ 3 → 5, α 0.5 → 0.7" for a patch applied on top of `before`. */
export function markerLabel(before: LiveParams, patch: Partial<LiveParams>): string {
  const parts: string[] = [];
  for (const key of Object.keys(LIVE_NAMES) as (keyof LiveParams)[]) {
    const v = patch[key];
    if (v === undefined) continue;
    const show = (x: LiveParams[keyof LiveParams]) => (typeof x === 'number' ? formatParam(x) : String(x));
    parts.push(`${LIVE_NAMES[key]} ${show(before[key])} → ${show(v)}`);
  }
  return parts.join(', ') || 'no change';
}

export interface RunSummary {
  /** The last evaluation: the full test split when the run ended with one, else the latest subset point. */
  final: EvalPoint | null;
  /** Best fused accuracy over subset evaluations, and the step where it happened. */
  bestFused: { acc: number; step: number } | null;
  bestCls: { acc: number; step: number } | null;
  teacherAcc: number | null;
  /** Mean throughput over the student phase. */
  meanImagesPerSec: number | null;
  elapsedMs: number | null;
}

export function summarize(run: Run): RunSummary {
  const evals = run.evals;
  const lastTest = [...evals].reverse().find((e) => e.split === 'test') ?? null;
  const last = evals[evals.length - 1] ?? null;
  const final = lastTest && last && lastTest.step >= last.step ? lastTest : last;
  const best = (key: 'fusedAcc' | 'clsAcc') => {
    let b: { acc: number; step: number } | null = null;
    for (const e of evals) {
      const v = e[key];
      if (e.split === 'subset' && v !== null && (b === null || v > b.acc)) b = { acc: v, step: e.step };
    }
    return b;
  };
  const teacherAcc = [...evals].reverse().find((e) => e.teacherAcc !== null)?.teacherAcc ?? run.teacher?.evalAccuracy ?? null;
  const rates = run.metrics.map((m) => m.imagesPerSec).filter((v) => Number.isFinite(v) && v > 0);
  const meanImagesPerSec = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null;
  const lastMetric = run.metrics[run.metrics.length - 1];
  return {
    final, bestFused: best('fusedAcc'), bestCls: best('clsAcc'), teacherAcc, meanImagesPerSec,
    elapsedMs: lastMetric ? lastMetric.time : null,
  };
}

/**
 * The student's pace so far in milliseconds per step: between its first and latest log points (the first step's
 * shader compilation left out; the evaluations in between counted, as they recur). Null before two points.
 */
export function studentMsPerStep(run: Pick<Run, 'metrics'>): number | null {
  const pts = run.metrics;
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (!first || !last || last.step <= first.step || last.time <= first.time) return null;
  return (last.time - first.time) / (last.step - first.step);
}

/** Time the student still needs at its own pace so far; null before there is a pace, and once it has finished. */
export function studentTimeLeftMs(run: Pick<Run, 'metrics'>): number | null {
  const pace = studentMsPerStep(run);
  const last = run.metrics[run.metrics.length - 1];
  if (pace === null || !last || last.totalSteps - last.step <= 0) return null;
  return (last.totalSteps - last.step) * pace;
}
