// The share-URL codec: parse(hash) -> {config, runs, autostart, paper, errors} and format(state) -> "key=value&...".
// Pure (no window): everything from the URL is checked against the parameter table (shareParams.ts); a bad field
// is reported by name and replaced by the default, never passed through. Values only ever become typed config
// fields, so nothing from the URL can reach the page as HTML.
import { DEFAULT_CONFIG, ENUM_VALUES, validateConfig, type Distillation, type TrainConfig } from '../engine/config';
import { PAPER_SEED_COUNTS, type PaperSeeds } from '../engine/paperRuns';
import { PARAM_BY_KEY, SHARE_PARAMS, formatValue, parseValue, type ParamSpec } from './shareParams';

export interface ShareState {
  /** The controls. */
  config: TrainConfig;
  /** The session's runs to compare, re-trained on Start. */
  runs: TrainConfig[];
  /** Start training as soon as the page opens (only when the link says autostart=1). */
  autostart: boolean;
  /** Queue paper mode (DeiT Table 3) with the link's controls (paper=1). */
  paper: boolean;
  /** Seeds per row of paper mode (paperSeeds=1|3). */
  paperSeeds: PaperSeeds;
}

export interface CodecError {
  /** The URL key at fault (truncated when it is not a known key). */
  key: string;
  message: string;
}

export interface ParseResult extends ShareState {
  errors: CodecError[];
}

/** Links longer than this are refused whole: no real experiment needs it, and it bounds the work per hashchange. */
export const MAX_HASH_LENGTH = 8192;
/** At most this many runs are restored from a link. */
export const MAX_RUNS = 16;

const RUNS_KEY = 'runs';
const AUTOSTART_KEY = 'autostart';
const PAPER_KEY = 'paper';
const PAPER_SEEDS_KEY = 'paperSeeds';
/** Keys that are not config fields: the session's runs, autostart and paper mode. */
const SESSION_KEYS = [RUNS_KEY, AUTOSTART_KEY, PAPER_KEY, PAPER_SEEDS_KEY];

/** A raw string for an error message: quoted, control characters escaped, truncated. */
function show(raw: string): string {
  const cut = raw.length > 32 ? `${raw.slice(0, 32)}…` : raw;
  return JSON.stringify(cut);
}

function decode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

type Overrides = Partial<Record<keyof TrainConfig, TrainConfig[keyof TrainConfig]>>;

/** Replaces fields that fail the cross-field checks (e.g. batch larger than the training subset) by their defaults. */
function repairCrossField(config: TrainConfig, errors: CodecError[]): TrainConfig {
  let c = config;
  for (let round = 0; round < 3; round++) {
    const problems = validateConfig(c);
    if (problems.length === 0) return c;
    const fixed: Record<string, unknown> = { ...c };
    for (const p of problems) {
      if (p.field === 'config') continue;
      const spec = SHARE_PARAMS.find((s) => s.field === p.field);
      errors.push({ key: spec?.key ?? p.field, message: `${p.message}; using the default ${String(DEFAULT_CONFIG[p.field])}` });
      fixed[p.field] = DEFAULT_CONFIG[p.field];
    }
    c = fixed as unknown as TrainConfig;
  }
  return { ...DEFAULT_CONFIG };
}

/**
 * Parses one run of the `runs` list: "<distillation>[:key=value]..." read as differences from `base`.
 * Returns the run's full config, or a reason when any part of it is bad (the whole run is then dropped).
 */
export function parseRun(item: string, base: TrainConfig): { config: TrainConfig } | { reason: string } {
  const [mode, ...pairs] = item.split(':');
  if (mode === undefined || !(ENUM_VALUES.distillation as readonly string[]).includes(mode)) {
    return { reason: `must start with ${ENUM_VALUES.distillation.join(', ')}` };
  }
  const overrides: Overrides = { distillation: mode as Distillation };
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const spec = PARAM_BY_KEY.get(key);
    if (!spec || spec.field === 'distillation') return { reason: `unknown key ${show(key)}` };
    if (eq < 0) return { reason: `${key} has no value` };
    if (seen.has(key)) return { reason: `${key} given twice` };
    seen.add(key);
    const r = parseValue(spec, pair.slice(eq + 1));
    if (!r.ok) return { reason: `${key}=${show(pair.slice(eq + 1))} ${r.reason}` };
    overrides[spec.field] = r.value;
  }
  const config = { ...base, ...overrides } as TrainConfig;
  const problems = validateConfig(config);
  if (problems.length > 0) return { reason: problems.map((p) => p.message).join('; ') };
  return { config };
}

/** Parses the `runs` value: comma-separated runs, each checked by parseRun. */
export function parseRuns(raw: string, base: TrainConfig, errors: CodecError[]): TrainConfig[] {
  if (raw === '') return [];
  const items = raw.split(',');
  if (items.length > MAX_RUNS) {
    errors.push({ key: RUNS_KEY, message: `${items.length} runs listed; only the first ${MAX_RUNS} are kept` });
  }
  const runs: TrainConfig[] = [];
  items.slice(0, MAX_RUNS).forEach((item, i) => {
    const r = parseRun(item, base);
    if ('config' in r) runs.push(r.config);
    else errors.push({ key: RUNS_KEY, message: `run ${i + 1} ${show(item)} dropped: ${r.reason}` });
  });
  return runs;
}

/** Reads a location hash (with or without the leading "#"). Never throws; every value it returns is in range. */
export function parse(hash: string): ParseResult {
  const errors: CodecError[] = [];
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  if (body.length > MAX_HASH_LENGTH) {
    return {
      config: { ...DEFAULT_CONFIG }, runs: [], autostart: false, paper: false, paperSeeds: 1,
      errors: [{ key: 'link', message: `longer than ${MAX_HASH_LENGTH} characters; ignored, defaults used` }],
    };
  }
  const overrides: Overrides = {};
  const seen = new Set<string>();
  let runsRaw: string | null = null;
  let autostart = false;
  let paper = false;
  let paperSeeds: PaperSeeds = 1;

  for (const segment of body.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const key = decode(eq < 0 ? segment : segment.slice(0, eq));
    if (key === null) {
      errors.push({ key: show(segment.slice(0, 32)), message: 'is not valid percent-encoding; ignored' });
      continue;
    }
    const spec: ParamSpec | undefined = PARAM_BY_KEY.get(key);
    if (!spec && !SESSION_KEYS.includes(key)) {
      errors.push({ key: show(key), message: 'is not a known setting; ignored' });
      continue;
    }
    if (seen.has(key)) {
      errors.push({ key, message: 'appears more than once; the first value is kept' });
      continue;
    }
    seen.add(key);
    const raw = eq < 0 ? null : decode(segment.slice(eq + 1));
    if (raw === null) {
      const fallback = spec ? `; using the default ${String(DEFAULT_CONFIG[spec.field])}` : '; ignored';
      errors.push({ key, message: `${eq < 0 ? 'has no value' : 'is not valid percent-encoding'}${fallback}` });
      continue;
    }
    if (key === RUNS_KEY) {
      runsRaw = raw;
    } else if (key === AUTOSTART_KEY) {
      if (raw === '1' || raw === 'true') autostart = true;
      else if (raw !== '0' && raw !== 'false') errors.push({ key, message: `${show(raw)} must be 1 or 0; not starting automatically` });
    } else if (key === PAPER_KEY) {
      if (raw === '1' || raw === 'true') paper = true;
      else if (raw !== '0' && raw !== 'false') errors.push({ key, message: `${show(raw)} must be 1 or 0; paper mode not queued` });
    } else if (key === PAPER_SEEDS_KEY) {
      const n = PAPER_SEED_COUNTS.find((c) => String(c) === raw);
      if (n !== undefined) paperSeeds = n;
      else errors.push({ key, message: `${show(raw)} must be ${PAPER_SEED_COUNTS.join(' or ')}; using 1` });
    } else if (spec) {
      const r = parseValue(spec, raw);
      if (r.ok) overrides[spec.field] = r.value;
      else errors.push({ key, message: `${show(raw)} ${r.reason}; using the default ${String(DEFAULT_CONFIG[spec.field])}` });
    }
  }

  const config = repairCrossField({ ...DEFAULT_CONFIG, ...overrides } as TrainConfig, errors);
  const runs = runsRaw === null ? [] : parseRuns(runsRaw, config, errors);
  return { config, runs, autostart, paper, paperSeeds, errors };
}

/** One run as its distillation mode plus the fields where it differs from `base`: "soft:tau=5:seed=1". */
export function formatRun(run: TrainConfig, base: TrainConfig): string {
  const parts: string[] = [run.distillation];
  for (const spec of SHARE_PARAMS) {
    if (spec.field === 'distillation' || run[spec.field] === base[spec.field]) continue;
    parts.push(`${spec.key}=${formatValue(spec, run[spec.field])}`);
  }
  return parts.join(':');
}

/** Writes every parameter (so a link survives later changes of the defaults), then the runs, in table order. */
export function format(state: { config: TrainConfig; runs?: readonly TrainConfig[]; autostart?: boolean; paper?: boolean; paperSeeds?: PaperSeeds }): string {
  const segments = SHARE_PARAMS.map((spec) => `${spec.key}=${formatValue(spec, state.config[spec.field])}`);
  const runs = (state.runs ?? []).slice(0, MAX_RUNS);
  if (runs.length > 0) segments.push(`${RUNS_KEY}=${runs.map((r) => formatRun(r, state.config)).join(',')}`);
  if (state.paper) segments.push(`${PAPER_KEY}=1`);
  if (state.paperSeeds !== undefined && state.paperSeeds !== 1) segments.push(`${PAPER_SEEDS_KEY}=${state.paperSeeds}`);
  if (state.autostart) segments.push(`${AUTOSTART_KEY}=1`);
  return segments.join('&');
}
