// The runs file: selected runs as one versioned JSON document (format in README "Files"), and its strict reading.
// Reading never throws and never half-succeeds: the text is size-capped, parsed with prototype keys refused, checked
// whole against runSchema, and either every run comes back or one message names the first problems.
import * as v from 'valibot';
import type { Run } from '../store/runModel';
import { describeIssue, runSchema } from '../store/runSchema';

export const RUNS_FILE_FORMAT = 'deit-playground/runs';
export const RUNS_FILE_VERSION = 1;
/** Largest file read (characters): a few long runs fit many times over; a mistaken multi-GB file is refused unread. */
export const MAX_FILE_CHARS = 16 * 1024 * 1024;
export const MAX_FILE_RUNS = 64;

/** The keys JSON may hold but that must never reach an object of the app (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** What a run looks like in a file: the whole run but its transient progress bars. */
export type FileRun = Omit<Run, 'progress'>;

export interface RunsFile {
  format: typeof RUNS_FILE_FORMAT;
  version: typeof RUNS_FILE_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  runs: FileRun[];
}

const fileSchema = v.strictObject({
  format: v.literal(RUNS_FILE_FORMAT),
  version: v.literal(RUNS_FILE_VERSION),
  exportedAt: v.pipe(v.string(), v.maxLength(40)),
  runs: v.pipe(v.array(runSchema), v.minLength(1, 'holds no runs'), v.maxLength(MAX_FILE_RUNS, `holds more than ${MAX_FILE_RUNS} runs`)),
});

/** The JSON text of a runs file (pretty enough to read, compact enough to keep). */
export function exportRunsFile(runs: readonly Run[], now: number): string {
  const file: RunsFile = {
    format: RUNS_FILE_FORMAT,
    version: RUNS_FILE_VERSION,
    exportedAt: new Date(now).toISOString(),
    runs: runs.map(({ progress: _p, ...rest }) => rest),
  };
  return JSON.stringify(file);
}

export type ReadResult = { ok: true; runs: Run[] } | { ok: false; message: string };

function fail(message: string): ReadResult {
  return { ok: false, message };
}

/** Reads a runs file; every run it returns passed runSchema. Never throws. */
export function readRunsFile(text: string): ReadResult {
  if (typeof text !== 'string') return fail('the file is not text');
  if (text.length > MAX_FILE_CHARS) {
    return fail(`the file is ${(text.length / 1048576).toFixed(1)} MB; runs files are limited to ${MAX_FILE_CHARS / 1048576} MB`);
  }
  let data: unknown;
  let forbidden: string | null = null;
  try {
    data = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) forbidden ??= key;
      return value;
    });
  } catch (e) {
    return fail(`the file is not valid JSON (truncated or corrupted?): ${(e as Error).message.slice(0, 120)}`);
  }
  if (forbidden !== null) return fail(`the file contains the key "${forbidden}", which no runs file has; nothing was imported`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('the file is not a runs file (expected a JSON object)');
  const o = data as Record<string, unknown>;
  if (o.format !== RUNS_FILE_FORMAT) return fail(`the file is not a DeiT Playground runs file (format ${JSON.stringify(o.format ?? null).slice(0, 40)})`);
  if (o.version !== RUNS_FILE_VERSION) {
    return fail(`runs file version ${JSON.stringify(o.version ?? null).slice(0, 20)} is not supported: this app reads version ${RUNS_FILE_VERSION}`);
  }
  const r = v.safeParse(fileSchema, data);
  if (!r.success) {
    const shown = r.issues.slice(0, 3).map((i) => describeIssue(i));
    const more = r.issues.length > 3 ? ` (and ${r.issues.length - 3} more)` : '';
    return fail(`${shown.join('; ')}${more}`);
  }
  return { ok: true, runs: r.output.runs as Run[] };
}
