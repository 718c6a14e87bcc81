// The IndexedDB store of runs (through `idb`): a versioned schema with its migrations, and the few operations the
// persistence module needs. Nothing here knows the zustand store; every record read back is checked by runSchema.
//
// Schema history:
//   1  object store `runs` (keyPath `id`), each value a bare Run.
//   2  `runs` values are { id, number, savedAt, run } with an index on `number` (runs come back in the table's
//      order without reading and sorting every curve), and a `meta` store (the schema that last wrote the database).
//   3  the training curves (`metrics`, `teacherMetrics`: the parts of a run that grow all the time) move to a
//      `points` store in chunks of POINTS_PER_CHUNK, keyed [id, part, chunk]; the run record keeps the rest, with
//      `counts` of each part's points. A save writes the run record and only the chunks that changed (the last one
//      and any new), so its cost stays flat as a run grows: with whole runs, a save of a 20,000-point run serialised
//      4 MB on the main thread every second (35 ms here).
//   4  the run's heavy parts that change seldom (`images`: the test images the worker sent, `sample`: the attention
//      maps' latest sample) move to a `parts` store keyed [id, part], written only when they change; the record names
//      the parts it has (`parts`). A save of a training run then puts a record of a few kilobytes: with its images
//      inside, Chromium's synchronous put of the record alone took 4.7 ms of the main thread (0.3 ms without them).
import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { MetricsPoint } from '../../workers/protocol';
import type { Run } from './runModel';
import { checkRun } from './runSchema';

export const DB_NAME = 'deit-playground';
export const DB_VERSION = 4;
export const POINTS_PER_CHUNK = 512;

/** The parts of a run stored in chunks. */
export const CHUNKED_PARTS = ['metrics', 'teacherMetrics'] as const;
export type ChunkedPart = (typeof CHUNKED_PARTS)[number];

/** The parts of a run stored whole, each in its own record, and written only when it changed (since v4). */
export const SEPARATE_PARTS = ['images', 'sample'] as const;
export type SeparatePart = (typeof SEPARATE_PARTS)[number];
/** What a run's record holds in place of a part stored apart. */
const EMPTY_PART: { [K in SeparatePart]: Run[K] } = { images: {}, sample: null };

export interface StoredRun {
  id: string;
  number: number;
  savedAt: number;
  /** The run; since v3 its chunked parts are empty here and held in `points`. */
  run: Run;
  /** Since v3: how many points of each chunked part the `points` store holds for this run. */
  counts?: Record<ChunkedPart, number>;
  /** Since v4: the parts the `parts` store holds for this run (a run without one, from an old file, has it absent). */
  parts?: SeparatePart[];
}

export interface StoredPart {
  id: string;
  part: SeparatePart;
  value: unknown;
}

export interface StoredChunk {
  id: string;
  part: ChunkedPart;
  chunk: number;
  points: MetricsPoint[];
}

interface PlaygroundDB extends DBSchema {
  runs: { key: string; value: StoredRun; indexes: { number: number } };
  points: { key: [string, ChunkedPart, number]; value: StoredChunk };
  parts: { key: [string, SeparatePart]; value: StoredPart };
  meta: { key: string; value: { key: string; value: number } };
}

/** Every chunk key of one run: [id] sorts before [id, part, n], and [id, []] after them (arrays sort after strings). */
const chunksOf = (id: string) => IDBKeyRange.bound([id], [id, []]);
const chunksOfPart = (id: string, part: ChunkedPart) => IDBKeyRange.bound([id, part, 0], [id, part, Infinity]);
/** Every separate part of one run (the same bounds as chunksOf). */
const partsOf = chunksOf;

export interface SplitRun {
  record: StoredRun;
  chunks: StoredChunk[];
  parts: StoredPart[];
}

/**
 * A run's record (its chunked and separate parts emptied), its chunks from `fromChunk[part]` on, and its separate
 * parts that `changed` says to write (all of them by default). A part the run lacks (an old record) is not listed.
 */
export function splitRun(
  run: Run,
  savedAt: number,
  fromChunk: Partial<Record<ChunkedPart, number>> = {},
  changed: (part: SeparatePart) => boolean = () => true,
): SplitRun {
  const chunks: StoredChunk[] = [];
  for (const part of CHUNKED_PARTS) {
    const points = run[part];
    for (let c = fromChunk[part] ?? 0; c * POINTS_PER_CHUNK < points.length; c++) {
      chunks.push({ id: run.id, part, chunk: c, points: points.slice(c * POINTS_PER_CHUNK, (c + 1) * POINTS_PER_CHUNK) });
    }
  }
  const has = SEPARATE_PARTS.filter((part) => run[part] !== undefined);
  const parts = has.filter(changed).map((part) => ({ id: run.id, part, value: run[part] }));
  const counts = perPart((part) => run[part].length);
  const bare = { ...run, metrics: [], teacherMetrics: [], ...EMPTY_PART };
  return { record: { id: run.id, number: run.number, savedAt, run: bare, counts, parts: has }, chunks, parts };
}

/** A record with one value per chunked part. */
function perPart<T>(f: (part: ChunkedPart) => T): Record<ChunkedPart, T> {
  return Object.fromEntries(CHUNKED_PARTS.map((part) => [part, f(part)])) as Record<ChunkedPart, T>;
}

/**
 * What was last written of a run: per chunked part its length and last point (object identity: the store appends),
 * and each separate part as the object written (the store replaces a part when it changes).
 */
interface Written {
  chunks: Record<ChunkedPart, { count: number; last: MetricsPoint | undefined }>;
  parts: { [K in SeparatePart]: Run[K] };
}

/** Why storage is not available; the message is shown to the user as is. */
export class StorageUnavailable extends Error {
  constructor(readonly reason: 'no-indexeddb' | 'future-version' | 'blocked' | 'failed', message: string) {
    super(message);
  }
}

export interface LoadResult {
  runs: Run[];
  /** Records that did not pass the schema: left in storage untouched, named here. */
  unreadable: string[];
  /** The highest run number any record holds, readable or not (new runs are numbered after it). */
  maxNumber: number;
}

export interface RunStorage {
  loadAll(): Promise<LoadResult>;
  /** Writes these runs and deletes these ids in one transaction (all or nothing). */
  write(put: readonly Run[], remove: readonly string[]): Promise<void>;
  /** Called when another tab opens a newer schema: this connection closes. */
  onClosed(fn: (why: string) => void): void;
  close(): void;
}

const numberOfId = (id: string) => Number(/^run-(\d+)$/.exec(id)?.[1] ?? 0);

/** Opens (creating or migrating) the database. Throws StorageUnavailable with a reason the user can read. */
export async function openRunStorage(name = DB_NAME, now: () => number = Date.now): Promise<RunStorage> {
  if (typeof indexedDB === 'undefined') {
    throw new StorageUnavailable('no-indexeddb', 'this browser offers no IndexedDB here (private mode?)');
  }
  let closedFn: (why: string) => void = () => {};
  let db: IDBPDatabase<PlaygroundDB>;
  try {
    db = await openDB<PlaygroundDB>(name, DB_VERSION, {
      async upgrade(udb, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          udb.createObjectStore('runs', { keyPath: 'id' }).createIndex('number', 'number');
        } else if (oldVersion < 2) {
          // v1 -> v2: wrap each bare run, index by number. Values that are not runs at all are kept as they were.
          const store = tx.objectStore('runs');
          store.createIndex('number', 'number');
          for (let cursor = await store.openCursor(); cursor; cursor = await cursor.continue()) {
            const bare = cursor.value as unknown as Partial<Run>;
            if (typeof bare.id !== 'string') continue;
            const number = typeof bare.number === 'number' ? bare.number : numberOfId(bare.id);
            await cursor.update({ id: bare.id, number, savedAt: now(), run: { backend: null, ...bare } as Run });
          }
        }
        if (!udb.objectStoreNames.contains('meta')) udb.createObjectStore('meta', { keyPath: 'key' });
        if (!udb.objectStoreNames.contains('points')) udb.createObjectStore('points', { keyPath: ['id', 'part', 'chunk'] });
        if (!udb.objectStoreNames.contains('parts')) udb.createObjectStore('parts', { keyPath: ['id', 'part'] });
        if (oldVersion >= 1 && oldVersion < 4) await splitRecords(tx as unknown as IDBPTransaction<PlaygroundDB, StoreNames<PlaygroundDB>[], 'versionchange'>);
        await tx.objectStore('meta').put({ key: 'schema', value: DB_VERSION });
      },
      blocked() {
        // Another tab holds an older schema open; we wait (idb resolves once it closes).
      },
      blocking() {
        db.close();
        closedFn('a newer version of this app was opened in another tab');
      },
    });
  } catch (e) {
    const err = e as { name?: string; message?: string };
    if (err.name === 'VersionError') {
      throw new StorageUnavailable('future-version', 'the saved runs were written by a newer version of this app; they are left untouched');
    }
    throw new StorageUnavailable('failed', `IndexedDB could not be opened (${err.name ?? 'error'}: ${err.message ?? ''})`);
  }

  /** Per run, what storage holds: a save writes from the chunk where that ends, and the parts that are not these. */
  const written = new Map<string, Written>();
  const remember = (run: Run) => written.set(run.id, {
    chunks: perPart((part) => ({ count: run[part].length, last: run[part].at(-1) })),
    parts: { images: run.images, sample: run.sample },
  });

  return {
    async loadAll() {
      const tx = db.transaction(['runs', 'points', 'parts'], 'readonly');
      const records = await tx.objectStore('runs').index('number').getAll();
      const runs: Run[] = [];
      const unreadable: string[] = [];
      let maxNumber = 0;
      for (const rec of records) {
        const id = String(rec.id);
        maxNumber = Math.max(maxNumber, typeof rec.number === 'number' && Number.isFinite(rec.number) ? rec.number : 0, numberOfId(id));
        const joined = rec.counts
          ? joinRecord(rec, await tx.objectStore('points').getAll(chunksOf(id)), rec.parts ? await tx.objectStore('parts').getAll(partsOf(id)) : [])
          : rec.run;
        const checked = typeof joined === 'string' ? { problems: [joined] } : checkRun(joined, id);
        if ('run' in checked) {
          runs.push(checked.run);
          remember(checked.run);
        } else {
          unreadable.push(`${id}: ${checked.problems[0] ?? 'unreadable'}`);
        }
      }
      await tx.done;
      return { runs, unreadable, maxNumber };
    },
    async write(put, remove) {
      const tx = db.transaction(['runs', 'points', 'parts'], 'readwrite');
      const runsStore = tx.objectStore('runs');
      const pointsStore = tx.objectStore('points');
      const partsStore = tx.objectStore('parts');
      const savedAt = now();
      const ops: Promise<unknown>[] = [];
      for (const run of put) {
        const before = written.get(run.id);
        const from: Partial<Record<ChunkedPart, number>> = {};
        for (const part of CHUNKED_PARTS) {
          const w = before?.chunks[part];
          // Appended to what was written: rewrite from the last (partial) chunk on, or nothing when it has not grown.
          // Anything else: every chunk anew.
          if (w && w.count <= run[part].length && (w.count === 0 || run[part][w.count - 1] === w.last)) {
            from[part] = w.count === run[part].length ? Infinity : Math.floor(w.count / POINTS_PER_CHUNK); // Infinity: none
          } else {
            ops.push(pointsStore.delete(chunksOfPart(run.id, part)));
          }
        }
        const { record, chunks, parts } = splitRun(run, savedAt, from, (part) => !before || run[part] !== before.parts[part]);
        ops.push(runsStore.put(record), ...chunks.map((c) => pointsStore.put(c)), ...parts.map((p) => partsStore.put(p)));
      }
      for (const id of remove) ops.push(runsStore.delete(id), pointsStore.delete(chunksOf(id)), partsStore.delete(partsOf(id)));
      await Promise.all([...ops, tx.done]);
      for (const run of put) remember(run);
      for (const id of remove) written.delete(id);
    },
    onClosed(fn) {
      closedFn = fn;
    },
    close() {
      db.close();
    },
  };
}

/** A v3 or v4 record with its chunks and separate parts joined back into a run, or why they do not fit. */
export function joinRecord(rec: StoredRun, chunks: StoredChunk[], parts: StoredPart[]): Record<string, unknown> | string {
  // Checked by runSchema after this: a stored part may hold anything.
  const run: Record<string, unknown> = { ...rec.run };
  for (const part of rec.parts ?? []) {
    const stored = parts.find((p) => p.part === part);
    if (!stored) return `${part}: stored part missing`;
    run[part] = stored.value;
  }
  for (const part of CHUNKED_PARTS) {
    const mine = chunks.filter((c) => c.part === part).sort((a, b) => a.chunk - b.chunk);
    if (mine.some((c, i) => c.chunk !== i || !Array.isArray(c.points))) return `${part}: chunks missing or damaged`;
    const points = mine.flatMap((c) => c.points);
    if (points.length !== rec.counts?.[part]) return `${part}: ${points.length} points stored, ${String(rec.counts?.[part])} expected`;
    run[part] = points;
  }
  return run;
}

/**
 * v1/v2/v3 -> v4: each record's chunked parts move to the `points` store (v3 records have done so already) and its
 * separate parts to the `parts` store. Records that are not runs stay as they were.
 */
async function splitRecords(tx: IDBPTransaction<PlaygroundDB, StoreNames<PlaygroundDB>[], 'versionchange'>): Promise<void> {
  const runs = tx.objectStore('runs');
  const points = tx.objectStore('points');
  const partsStore = tx.objectStore('parts');
  for (let cursor = await runs.openCursor(); cursor; cursor = await cursor.continue()) {
    const rec = cursor.value;
    const run = rec.run as Partial<Run> | undefined;
    if (!run || typeof run !== 'object' || rec.parts) continue;
    const chunked = rec.counts !== undefined;
    if (!chunked && !CHUNKED_PARTS.every((part) => Array.isArray(run[part]))) continue;
    // A v3 record's curves are in `points` already: split it with no chunk to write, and keep its counts.
    const { record, chunks, parts } = splitRun(run as Run, rec.savedAt, chunked ? perPart(() => Infinity) : {});
    for (const c of chunks) await points.put(c);
    for (const p of parts) await partsStore.put(p);
    await cursor.update({ ...record, number: rec.number, counts: rec.counts ?? record.counts });
  }
}

/** Deletes the whole database (tests). */
export function deleteRunStorage(name = DB_NAME): Promise<void> {
  return deleteDB(name);
}
