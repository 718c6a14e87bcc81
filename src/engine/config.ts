// The one typed training configuration: defaults, student/teacher presets, derived values and validation.
// Pure data (no tfjs import) so the UI, the share-URL codec and the worker protocol can all import it.

export type Distillation = 'none' | 'soft' | 'hard';
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type TeacherSource = 'pretrained' | 'train';
/**
 * Which teacher: the CNN, the CNN checkpoint stopped at the transformer's accuracy (shipped only), or a transformer
 * (a DeiT without the distillation token, trained on labels only), as in the paper's Table 2 comparison.
 */
export type TeacherModelName = 'cnn' | 'cnn-matched' | 'vit';
export type DatasetName = 'fashion-mnist';

/** Architecture of a DeiT student (facebookresearch/deit `DistilledVisionTransformer`). */
export interface StudentArch {
  embedDim: number;
  depth: number;
  numHeads: number;
  mlpRatio: number;
  patchSize: number;
}

export const STUDENT_PRESETS = {
  /** One block, 32 wide: for tests and CPU-only browsers. */
  'deit-nano': { embedDim: 32, depth: 1, numHeads: 2, mlpRatio: 4, patchSize: 4 },
  /** 64 wide, 4 deep: the default, trains in minutes on a laptop GPU. */
  'deit-micro': { embedDim: 64, depth: 4, numHeads: 4, mlpRatio: 4, patchSize: 4 },
  /** 128 wide, 6 deep: for discrete GPUs. */
  'deit-mini': { embedDim: 128, depth: 6, numHeads: 4, mlpRatio: 4, patchSize: 4 },
  /** The real DeiT-Ti width, depth and heads (192 / 12 / 3). */
  'deit-ti': { embedDim: 192, depth: 12, numHeads: 3, mlpRatio: 4, patchSize: 4 },
} as const satisfies Record<string, StudentArch>;

export type StudentPreset = keyof typeof STUDENT_PRESETS;
export const STUDENT_PRESET_NAMES = Object.keys(STUDENT_PRESETS) as StudentPreset[];

/** The CNN teacher: conv3x3 layers (ReLU, 2x2 max-pool after those marked), a hidden dense layer, a linear head. */
export interface TeacherArch {
  /** Output channels of each 3x3 conv ('same' padding, ReLU). */
  channels: readonly number[];
  /** Whether a 2x2 max-pool follows the conv at the same index. */
  poolAfter: readonly boolean[];
  /** Width of the hidden dense layer (ReLU) before the classifier. */
  hidden: number;
}

/**
 * 16-32-64 channels, pools after the first two convs, dense 128: 426,122 parameters but only ~2.3 M MAC per
 * image (vs ~29 M for a 32-64-128 stack at full resolution), so it trains in minutes even on CPU backends.
 */
export const TEACHER_ARCH: TeacherArch = {
  channels: [16, 32, 64],
  poolAfter: [true, true, false],
  hidden: 128,
};

/**
 * The transformer teacher: a DeiT without the distillation token (one head), trained with labels only. 64 wide,
 * 4 deep, 7x7 patches (16 patches + the class token, ~0.2 M parameters): chosen by what trains on all 60k images in
 * Node on this project's 2-core CPU machine (tfjs-wasm, ~1.4 s per step of 64; 4x4 patches were 3-6x slower per step;
 * README "The shipped teachers").
 */
export const VIT_TEACHER_ARCH: StudentArch = { embedDim: 64, depth: 4, numHeads: 4, mlpRatio: 4, patchSize: 7 };

/** What each teacher choice is: its architecture family, its label, its shipped checkpoint, and whether "Train now" can build it. */
export const TEACHER_MODELS: Readonly<Record<TeacherModelName, { family: 'cnn' | 'vit'; label: string; trainable: boolean }>> = {
  cnn: { family: 'cnn', label: 'CNN', trainable: true },
  'cnn-matched': { family: 'cnn', label: 'CNN (matched accuracy)', trainable: false },
  vit: { family: 'vit', label: 'Transformer (ViT)', trainable: true },
};

/** The folder (under the site's models/) of a shipped teacher checkpoint. */
export function teacherDir(dataset: DatasetName, model: TeacherModelName): string {
  return model === 'cnn' ? `models/${dataset}-teacher` : `models/${dataset}-teacher-${model}`;
}

export interface DatasetInfo {
  name: DatasetName;
  imageSize: number;
  channels: number;
  numClasses: number;
  trainCount: number;
  testCount: number;
  classNames: readonly string[];
  /** Per-pixel mean and std of the training set on [0,1] values, for normalisation. */
  mean: number;
  std: number;
}

export const DATASETS: Record<DatasetName, DatasetInfo> = {
  'fashion-mnist': {
    name: 'fashion-mnist',
    imageSize: 28,
    channels: 1,
    numClasses: 10,
    trainCount: 60000,
    testCount: 10000,
    classNames: [
      'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
      'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
    ],
    mean: 0.286,
    std: 0.353,
  },
};

export interface TrainConfig {
  dataset: DatasetName;
  student: StudentPreset;
  /**
   * Whether the student has DeiT's distillation token (and `headDist`). Off: tokens [cls, patches], one head, and the
   * distillation term applies to the class head itself (the paper's "usual distillation" rows of Table 3).
   */
  distToken: boolean;
  teacher: TeacherSource;
  /** Which teacher (TEACHER_MODELS): loaded from its shipped checkpoint, or trained in the page ('cnn' and 'vit'). */
  teacherModel: TeacherModelName;
  /** Epochs over the training subset when the teacher is trained in the page. */
  teacherEpochs: number;
  distillation: Distillation;
  /** Distillation temperature T (soft mode). */
  tau: number;
  /** Weight of the distillation term: total = (1-alpha) * base + alpha * distill. */
  alpha: number;
  labelSmoothing: number;
  /** Peak learning rate of AdamW (after warm-up). */
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  /** Final learning rate of the cosine schedule, as a fraction of `lr`. */
  minLrRatio: number;
  /** Global-norm gradient clipping; 0 disables it. */
  clipNorm: number;
  batchSize: number;
  epochs: number;
  /** Training images used per epoch (the first N of the seeded shuffle of the 60k). */
  trainSubset: number;
  /** Test images in the fixed evaluation subset used for periodic evaluation. */
  evalSubset: number;
  /**
   * Test images scored at the end of each epoch (the first N of the test split; 10000 = all of it). All 10k take
   * seconds on a real GPU but ~20 min on software WebGPU (SwiftShader), so slow backends and tests lower it.
   */
  testSubset: number;
  /** Evaluate every this many student steps. */
  evalInterval: number;
  /** Random shift by up to 2 px. */
  augment: boolean;
  /** Horizontal flip (off by default: it is not a symmetry of every Fashion-MNIST class). */
  hflip: boolean;
  seed: number;
  backend: BackendChoice;
  /** Compute teacher logits once per training image (only without augmentation). */
  precomputeTeacher: boolean;
}

/**
 * Defaults chosen from shared/DEIT-NOTES.md (~312 steps of batch 64 on 10k images, lr 3e-3, a 64-dim depth-4
 * student), where PyTorch showed hard > soft > none. Through this engine (issue #10) hard led with both of two
 * seeds, but soft and none swapped places between them: no ordering is claimed from one seed.
 */
export const DEFAULT_CONFIG: Readonly<TrainConfig> = Object.freeze({
  dataset: 'fashion-mnist',
  student: 'deit-micro',
  distToken: true,
  teacher: 'pretrained',
  teacherModel: 'cnn',
  teacherEpochs: 2,
  distillation: 'hard',
  tau: 3,
  alpha: 0.5,
  labelSmoothing: 0,
  lr: 3e-3,
  weightDecay: 0.05,
  warmupSteps: 20,
  minLrRatio: 0.01,
  clipNorm: 0,
  batchSize: 64,
  epochs: 2,
  trainSubset: 10000,
  evalSubset: 1000,
  testSubset: 10000,
  evalInterval: 25,
  augment: false,
  hflip: false,
  seed: 0,
  backend: 'auto',
  precomputeTeacher: true,
});

/**
 * Settings for a slow (software) GPU, offered by the app when it finds one: the smallest student, a small batch and a
 * few thousand images, so a run ends in minutes there (SwiftShader WebGPU, deit-nano: ~18 student images/s and ~21
 * evaluation images/s, README "Performance"). Everything else keeps the user's values.
 */
export const LIGHT_SETTINGS: Readonly<Partial<TrainConfig>> = Object.freeze({
  student: 'deit-nano',
  batchSize: 16,
  trainSubset: 1000,
  evalSubset: 200,
  testSubset: 500,
  evalInterval: 25,
});

/** Inclusive numeric ranges shared by validation, the UI sliders and the share-URL codec. */
export const NUMERIC_RANGES = {
  teacherEpochs: { min: 1, max: 20, integer: true },
  tau: { min: 0.5, max: 20, integer: false },
  alpha: { min: 0, max: 1, integer: false },
  labelSmoothing: { min: 0, max: 0.5, integer: false },
  lr: { min: 1e-5, max: 1, integer: false },
  weightDecay: { min: 0, max: 1, integer: false },
  warmupSteps: { min: 0, max: 10000, integer: true },
  minLrRatio: { min: 0, max: 1, integer: false },
  clipNorm: { min: 0, max: 100, integer: false },
  batchSize: { min: 1, max: 1024, integer: true },
  epochs: { min: 1, max: 100, integer: true },
  trainSubset: { min: 64, max: 60000, integer: true },
  evalSubset: { min: 16, max: 10000, integer: true },
  testSubset: { min: 16, max: 10000, integer: true },
  evalInterval: { min: 1, max: 100000, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
} as const satisfies Partial<Record<keyof TrainConfig, { min: number; max: number; integer: boolean }>>;

export type NumericKey = keyof typeof NUMERIC_RANGES;

export const ENUM_VALUES = {
  dataset: ['fashion-mnist'],
  student: STUDENT_PRESET_NAMES,
  teacher: ['pretrained', 'train'],
  teacherModel: ['cnn', 'cnn-matched', 'vit'],
  distillation: ['none', 'soft', 'hard'],
  backend: ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'],
} as const satisfies Partial<Record<keyof TrainConfig, readonly string[]>>;

export const BOOLEAN_KEYS = ['distToken', 'augment', 'hflip', 'precomputeTeacher'] as const satisfies readonly (keyof TrainConfig)[];

/** Steps per epoch and in total, derived rather than stored. */
export function stepsPerEpoch(c: Pick<TrainConfig, 'trainSubset' | 'batchSize'>): number {
  return Math.floor(c.trainSubset / c.batchSize);
}

export function totalSteps(c: Pick<TrainConfig, 'trainSubset' | 'batchSize' | 'epochs'>): number {
  return stepsPerEpoch(c) * c.epochs;
}

/** The student's extra tokens: the class token, and the distillation token when it has one. */
export function extraTokens(distToken: boolean): number {
  return distToken ? 2 : 1;
}

/** Number of patches plus the class token and (when present) the distillation token. */
export function numTokens(arch: StudentArch, imageSize: number, distToken = true): number {
  return (imageSize / arch.patchSize) ** 2 + extraTokens(distToken);
}

type DataShape = Pick<DatasetInfo, 'imageSize' | 'channels' | 'numClasses'>;

/** Trainable parameters of a DeiT student, in closed form (the model test checks it against the built model). */
export function studentParamCount(arch: StudentArch, data: DataShape, distToken = true): number {
  const d = arch.embedDim;
  const hidden = d * arch.mlpRatio;
  const patch = arch.patchSize * arch.patchSize * data.channels * d + d;
  const tokens = extraTokens(distToken) * d + numTokens(arch, data.imageSize, distToken) * d; // tokens + position embedding
  const block = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * hidden + hidden) + (hidden * d + d);
  const heads = extraTokens(distToken) * (d * data.numClasses + data.numClasses);
  return patch + tokens + arch.depth * block + 2 * d + heads;
}

/** Multiply-accumulates of one student forward pass per image (matmuls only), for the cost hint. */
export function studentMacs(arch: StudentArch, data: DataShape, distToken = true): number {
  const d = arch.embedDim;
  const t = numTokens(arch, data.imageSize, distToken);
  const n = t - extraTokens(distToken);
  const patch = n * arch.patchSize * arch.patchSize * data.channels * d;
  const block = t * d * 3 * d + 2 * t * t * d + t * d * d + 2 * t * d * d * arch.mlpRatio;
  return patch + arch.depth * block + extraTokens(distToken) * d * data.numClasses;
}

/** Hyperparameters the user may change while a run trains; they apply from the next step on. */
export const LIVE_KEYS = ['distillation', 'tau', 'alpha', 'lr', 'evalInterval'] as const satisfies readonly (keyof TrainConfig)[];
export type LiveKey = (typeof LIVE_KEYS)[number];
export type LiveParams = Pick<TrainConfig, LiveKey>;

/** The live part of a config, under the same names. */
export function liveOf(c: TrainConfig): LiveParams {
  return { distillation: c.distillation, tau: c.tau, alpha: c.alpha, lr: c.lr, evalInterval: c.evalInterval };
}

/**
 * The one per-field check: why `value` is not a valid `field` (type, range, integrality, enum membership), or null.
 * The reason reads after the value ("is outside [0, 1]"); fieldError and the share codec put the value in front.
 * Every validator (validateConfig, the share codec, the worker's live patches and sample temperature) uses it.
 */
export function checkField(field: keyof TrainConfig, value: unknown): string | null {
  if (Object.hasOwn(NUMERIC_RANGES, field)) {
    const r = NUMERIC_RANGES[field as NumericKey];
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
    if (value < r.min || value > r.max) return `is outside [${r.min}, ${r.max}]`;
    if (r.integer && !Number.isInteger(value)) return 'must be an integer';
    return null;
  }
  if (Object.hasOwn(ENUM_VALUES, field)) {
    const values = ENUM_VALUES[field as keyof typeof ENUM_VALUES] as readonly string[];
    return typeof value === 'string' && values.includes(value) ? null : `is not one of ${values.join(', ')}`;
  }
  if ((BOOLEAN_KEYS as readonly string[]).includes(field)) return typeof value === 'boolean' ? null : 'must be true or false';
  return 'is not a config field';
}

/** checkField as a sentence naming the field, with the value when it is a number: "lr=0 is outside [0.00001, 1]". */
export function fieldError(field: keyof TrainConfig, value: unknown): string | null {
  const reason = checkField(field, value);
  if (reason === null) return null;
  return typeof value === 'number' && Number.isFinite(value) ? `${field}=${value} ${reason}` : `${field} ${reason}`;
}

export interface ConfigError {
  field: keyof TrainConfig | 'config';
  message: string;
}

/** Checks every field's type and range (checkField) and the cross-field rules; returns all problems (empty when valid). */
export function validateConfig(c: unknown): ConfigError[] {
  const errors: ConfigError[] = [];
  if (typeof c !== 'object' || c === null) return [{ field: 'config', message: 'config must be an object' }];
  const o = c as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof TrainConfig)[]) {
    if (!(key in o)) errors.push({ field: key, message: `missing field "${key}"` });
    else {
      const message = fieldError(key, o[key]);
      if (message) errors.push({ field: key, message });
    }
  }
  for (const key of Object.keys(o)) {
    if (!(key in DEFAULT_CONFIG)) errors.push({ field: 'config', message: `unknown field "${key}"` });
  }
  if (errors.length === 0) {
    const t = o as unknown as TrainConfig;
    if (t.batchSize > t.trainSubset) errors.push({ field: 'batchSize', message: `batchSize ${t.batchSize} exceeds trainSubset ${t.trainSubset}` });
    if (t.teacher === 'train' && !TEACHER_MODELS[t.teacherModel].trainable) {
      errors.push({ field: 'teacherModel', message: `teacherModel ${t.teacherModel} is a shipped checkpoint only: train a cnn or vit teacher, or use teacher=pretrained` });
    }
    const arch = STUDENT_PRESETS[t.student];
    if (DATASETS[t.dataset].imageSize % arch.patchSize !== 0) {
      errors.push({ field: 'student', message: `patch size ${arch.patchSize} does not divide image size` });
    }
  }
  return errors;
}

/** Defaults overridden by a partial config. */
export function withDefaults(patch: Partial<TrainConfig> = {}): TrainConfig {
  return { ...DEFAULT_CONFIG, ...patch };
}
