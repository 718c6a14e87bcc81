// DeiT's Table 3 at browser scale, as data: the four runs "paper mode" trains, the six rows it reports with the paper's
// DeiT-Ti ImageNet numbers, and the paper's settings per distillation mode. Pure data (no tfjs), like config.ts.
import type { Distillation, TeacherModelName, TrainConfig } from './config';

/** The four trainings behind the six rows of Table 3. */
export type PaperRunKind = 'none' | 'usual-soft' | 'hard-class' | 'deit';
export const PAPER_RUN_KINDS: readonly PaperRunKind[] = ['none', 'usual-soft', 'hard-class', 'deit'];

/**
 * The paper's settings per distillation mode (Touvron et al. 2020, section 5 and Table 3): soft distillation with
 * tau = 3 and lambda (our alpha) = 0.1; hard distillation with 1/2 and 1/2.
 */
export const PAPER_MODE_SETTINGS: Readonly<Record<Exclude<Distillation, 'none'>, Partial<TrainConfig>>> = Object.freeze({
  soft: { tau: 3, alpha: 0.1 },
  hard: { alpha: 0.5 },
});

/** The paper's settings for a mode as the controls show them: their text ("τ=3, α=0.1"), and whether they are set. */
export interface PaperModeState {
  text: string;
  inUse: boolean;
  settings: Partial<TrainConfig>;
}

/** The paper's settings for the current mode, tau and alpha; null in none mode (no distillation, nothing to set). */
export function paperModeState(mode: Distillation, tau: number, alpha: number): PaperModeState | null {
  if (mode === 'none') return null;
  const settings = PAPER_MODE_SETTINGS[mode];
  const text = [settings.tau !== undefined ? `τ=${settings.tau}` : '', settings.alpha !== undefined ? `α=${settings.alpha}` : ''].filter(Boolean).join(', ');
  const inUse = (settings.tau === undefined || settings.tau === tau) && (settings.alpha === undefined || settings.alpha === alpha);
  return { text, inUse, settings };
}

/** What each run changes on top of the current student, budget and seed. */
export const PAPER_RUNS: Readonly<Record<PaperRunKind, Partial<TrainConfig>>> = Object.freeze({
  /** (a) No distillation, no distillation token: DeiT-Ti trained on labels. */
  none: { distillation: 'none', distToken: false },
  /** (b) Usual distillation: soft, into the class token (tau 3, alpha 0.1 as in the paper). */
  'usual-soft': { distillation: 'soft', distToken: false, ...PAPER_MODE_SETTINGS.soft },
  /** (c) Hard distillation into the class token. */
  'hard-class': { distillation: 'hard', distToken: false, ...PAPER_MODE_SETTINGS.hard },
  /** (d) DeiT⚗: hard distillation with the distillation token, scored three ways. */
  deit: { distillation: 'hard', distToken: true, ...PAPER_MODE_SETTINGS.hard },
});

export type PaperRowId = 'none' | 'usual-soft' | 'hard-class' | 'deit-class' | 'deit-dist' | 'deit-fused';
export type PaperHead = 'cls' | 'dist' | 'fused';

export interface PaperRowSpec {
  row: PaperRowId;
  label: string;
  run: PaperRunKind;
  /** The head whose test accuracy the row reports. */
  head: PaperHead;
  /** DeiT-Ti at 224, ImageNet top-1 %, Table 3 of the paper (RegNetY-16GF teacher, 300 epochs). */
  paper: number;
}

export const PAPER_ROWS: readonly PaperRowSpec[] = [
  { row: 'none', label: 'no distillation (class token)', run: 'none', head: 'cls', paper: 72.2 },
  { row: 'usual-soft', label: 'usual distillation (soft, class token)', run: 'usual-soft', head: 'cls', paper: 72.2 },
  { row: 'hard-class', label: 'hard distillation (class token)', run: 'hard-class', head: 'cls', paper: 74.3 },
  { row: 'deit-class', label: 'DeiT⚗: class embedding', run: 'deit', head: 'cls', paper: 73.9 },
  { row: 'deit-dist', label: 'DeiT⚗: distillation embedding', run: 'deit', head: 'dist', paper: 74.6 },
  { row: 'deit-fused', label: 'DeiT⚗: class + distillation', run: 'deit', head: 'fused', paper: 74.5 },
];

/** How many seeds paper mode runs per row: one, or three to show the spread. */
export const PAPER_SEED_COUNTS = [1, 3] as const;
export type PaperSeeds = (typeof PAPER_SEED_COUNTS)[number];

export interface PaperRunPlan {
  kind: PaperRunKind;
  seed: number;
  config: TrainConfig;
}

/**
 * The runs of paper mode on top of `base` (student, budget, seed): each kind with seeds base.seed, base.seed+1, ...
 * Seed-major order, so that with three seeds the first complete table comes after the first four runs.
 */
export function paperPlan(base: TrainConfig, seeds: PaperSeeds): PaperRunPlan[] {
  return seedMajor(base, seeds, (seed) => PAPER_RUN_KINDS.map((kind) => ({ kind, seed, config: { ...base, ...PAPER_RUNS[kind], seed } })));
}

/** `runsOf(seed)` for seeds base.seed, base.seed+1, ... (wrapping at 2^31), one seed's runs after the other's. */
function seedMajor<T>(base: TrainConfig, seeds: PaperSeeds, runsOf: (seed: number) => T[]): T[] {
  return Array.from({ length: seeds }, (_, k) => runsOf((base.seed + k) % 2 ** 31)).flat();
}

/**
 * "Compare teachers" (the paper's Table 2 question at browser scale): DeiT⚗ with hard distillation, the same student,
 * budget and seed, once per shipped teacher: the CNN, the CNN stopped at the transformer's accuracy, the transformer.
 */
export const COMPARED_TEACHERS: readonly TeacherModelName[] = ['cnn', 'cnn-matched', 'vit'];

export interface TeacherRunPlan {
  teacherModel: TeacherModelName;
  seed: number;
  config: TrainConfig;
}

/**
 * The runs of the teacher comparison on top of `base`: PAPER_RUNS.deit with each shipped teacher, for seeds
 * base.seed, base.seed+1, ... (seed-major: the first complete comparison comes after the first three runs).
 */
export function teacherPlan(base: TrainConfig, seeds: PaperSeeds = 1): TeacherRunPlan[] {
  return seedMajor(base, seeds, (seed) => COMPARED_TEACHERS.map((teacherModel) => ({
    teacherModel, seed, config: { ...base, ...PAPER_RUNS.deit, teacher: 'pretrained' as const, teacherModel, seed },
  })));
}
