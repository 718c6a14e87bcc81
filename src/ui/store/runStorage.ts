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
import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { MetricsPoint } from '../../workers/protocol';
import type { Run } from './runModel';
import { checkRun } from './runSchema';

export const DB_NAME = 'deit-playground';
export const DB_VERSION = 3;
export const POINTS_PER_CHUNK = 512;

/** The parts of a run stored in chunks. */
export const CHUNKED_PARTS = ['metrics', 'teacherMetrics'] as const;
export type ChunkedPart = (typeof CHUNKED_PARTS)[number];

export interface StoredRun {
  id: string;
  number: number;
  savedAt: number;
  /** The run; since v3 its chunked parts are empty here and held in `points`. */
  run: Run;
  /** Since v3: how many points of each chunked part the `points` store holds for this run. */
  counts?: Record<ChunkedPart, number>;
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
  meta: { key: string; value: { key: string; value: number } };
}

/** Every chunk key of one run: [id] sorts before [id, part, n], and [id, []] after them (arrays sort after strings). */
const chunksOf = (id: string) => IDBKeyRange.bound([id], [id, []]);
const chunksOfPart = (id: string, part: ChunkedPart) => IDBKeyRange.bound([id, part, 0], [id, part, Infinity]);

/** A run's record (its chunked parts emptied) and its chunks from `fromChunk[part]` on. */
export function splitRun(run: Run, savedAt: number, fromChunk: Partial<Record<ChunkedPart, number>> = {}): { record: StoredRun; chunks: StoredChunk[] } {
  const chunks: StoredChunk[] = [];
  for (const part of CHUNKED_PARTS) {
    const points = run[part];
    for (let c = fromChunk[part] ?? 0; c * POINTS_PER_CHUNK < points.length; c++) {
      chunks.push({ id: run.id, part, chunk: c, points: points.slice(c * POINTS_PER_CHUNK, (c + 1) * POINTS_PER_CHUNK) });
    }
  }
  const counts = perPart((part) => run[part].length);
  return { record: { id: run.id, number: run.number, savedAt, run: { ...run, metrics: [], teacherMetrics: [] }, counts }, chunks };
}

/** A record with one value per chunked part. */
function perPart<T>(f: (part: ChunkedPart) => T): Record<ChunkedPart, T> {
  return Object.fromEntries(CHUNKED_PARTS.map((part) => [part, f(part)])) as Record<ChunkedPart, T>;
}

/** What was last written of a run's chunked part: its length and last point (object identity: the store appends). */
interface Written {
  count: number;
  last: MetricsPoint | undefined;
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
        if (oldVersion >= 1 && oldVersion < 3) await chunkRecords(tx as unknown as IDBPTransaction<PlaygroundDB, StoreNames<PlaygroundDB>[], 'versionchange'>);
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

  /** Per run and chunked part, what storage holds: a save writes from the chunk where that ends. */
  const written = new Map<string, Record<ChunkedPart, Written>>();
  const remember = (run: Run) => written.set(run.id, perPart((part) => ({ count: run[part].length, last: run[part].at(-1) })));

  return {
    async loadAll() {
      const tx = db.transaction(['runs', 'points'], 'readonly');
      const records = await tx.objectStore('runs').index('number').getAll();
      const runs: Run[] = [];
      const unreadable: string[] = [];
      let maxNumber = 0;
      for (const rec of records) {
        const id = String(rec.id);
        maxNumber = Math.max(maxNumber, typeof rec.number === 'number' && Number.isFinite(rec.number) ? rec.number : 0, numberOfId(id));
        const joined = rec.counts ? await joinChunks(rec, await tx.objectStore('points').getAll(chunksOf(id))) : rec.run;
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
      const tx = db.transaction(['runs', 'points'], 'readwrite');
      const runsStore = tx.objectStore('runs');
      const pointsStore = tx.objectStore('points');
      const savedAt = now();
      const ops: Promise<unknown>[] = [];
      for (const run of put) {
        const before = written.get(run.id);
        const from: Partial<Record<ChunkedPart, number>> = {};
        for (const part of CHUNKED_PARTS) {
          const w = before?.[part];
          // Appended to what was written: rewrite from the last (partial) chunk on. Anything else: every chunk anew.
          if (w && w.count <= run[part].length && (w.count === 0 || run[part][w.count - 1] === w.last)) {
            from[part] = Math.floor(w.count / POINTS_PER_CHUNK);
          } else {
            ops.push(pointsStore.delete(chunksOfPart(run.id, part)));
          }
        }
        const { record, chunks } = splitRun(run, savedAt, from);
        ops.push(runsStore.put(record), ...chunks.map((c) => pointsStore.put(c)));
      }
      for (const id of remove) ops.push(runsStore.delete(id), pointsStore.delete(chunksOf(id)));
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

/** A v3 record with its chunks joined back into a run, or why they do not fit. */
export function joinChunks(rec: StoredRun, chunks: StoredChunk[]): Run | string {
  const run = { ...rec.run } as Run & Record<string, unknown>;
  for (const part of CHUNKED_PARTS) {
    const mine = chunks.filter((c) => c.part === part).sort((a, b) => a.chunk - b.chunk);
    if (mine.some((c, i) => c.chunk !== i || !Array.isArray(c.points))) return `${part}: chunks missing or damaged`;
    const points = mine.flatMap((c) => c.points);
    if (points.length !== rec.counts?.[part]) return `${part}: ${points.length} points stored, ${String(rec.counts?.[part])} expected`;
    run[part] = points;
  }
  return run;
}

/** v1/v2 -> v3: each record's chunked parts move to the `points` store. Records that are not runs stay as they were. */
async function chunkRecords(tx: IDBPTransaction<PlaygroundDB, StoreNames<PlaygroundDB>[], 'versionchange'>): Promise<void> {
  const runs = tx.objectStore('runs');
  const points = tx.objectStore('points');
  for (let cursor = await runs.openCursor(); cursor; cursor = await cursor.continue()) {
    const rec = cursor.value;
    const run = rec.run as Partial<Run> | undefined;
    if (!run || rec.counts || !CHUNKED_PARTS.every((part) => Array.isArray(run[part]))) continue;
    const { record, chunks } = splitRun(run as Run, rec.savedAt);
    for (const c of chunks) await points.put(c);
    await cursor.update({ ...record, number: rec.number });
  }
}

/** Deletes the whole database (tests). */
export function deleteRunStorage(name = DB_NAME): Promise<void> {
  return deleteDB(name);
}
