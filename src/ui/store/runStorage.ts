// The IndexedDB store of runs (through `idb`): a versioned schema with its migrations, and the few operations the
// persistence module needs. Nothing here knows the zustand store; every record read back is checked by runSchema.
//
// Schema history:
//   1  object store `runs` (keyPath `id`), each value a bare Run.
//   2  `runs` values are { id, number, savedAt, run } with an index on `number` (runs come back in the table's
//      order without reading and sorting every curve), and a `meta` store (the schema that last wrote the database).
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Run } from './runModel';
import { checkRun } from './runSchema';

export const DB_NAME = 'deit-playground';
export const DB_VERSION = 2;

export interface StoredRun {
  id: string;
  number: number;
  savedAt: number;
  run: Run;
}

interface PlaygroundDB extends DBSchema {
  runs: { key: string; value: StoredRun; indexes: { number: number } };
  meta: { key: string; value: { key: string; value: number } };
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

  return {
    async loadAll() {
      const records = await db.getAllFromIndex('runs', 'number');
      const runs: Run[] = [];
      const unreadable: string[] = [];
      let maxNumber = 0;
      for (const rec of records) {
        maxNumber = Math.max(maxNumber, typeof rec.number === 'number' && Number.isFinite(rec.number) ? rec.number : 0, numberOfId(String(rec.id)));
        const checked = checkRun(rec.run, String(rec.id));
        if ('run' in checked) runs.push(checked.run);
        else unreadable.push(`${String(rec.id)}: ${checked.problems[0] ?? 'unreadable'}`);
      }
      return { runs, unreadable, maxNumber };
    },
    async write(put, remove) {
      const tx = db.transaction('runs', 'readwrite');
      const savedAt = now();
      await Promise.all([
        ...put.map((run) => tx.store.put({ id: run.id, number: run.number, savedAt, run })),
        ...remove.map((id) => tx.store.delete(id)),
        tx.done,
      ]);
    },
    onClosed(fn) {
      closedFn = fn;
    },
    close() {
      db.close();
    },
  };
}

/** Deletes the whole database (tests). */
export function deleteRunStorage(name = DB_NAME): Promise<void> {
  return deleteDB(name);
}
