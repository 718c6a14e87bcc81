// Persistence over a real IndexedDB implementation (fake-indexeddb): restore after a "reload" (a second store on the
// same database), interrupted runs, throttled writes, deletes, the v1 -> v2 migration, and every way storage can fail.
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { withDefaults } from '../../engine/config';
import { backendReport, sample } from '../testing/fakeWorker';
import { trainRun } from '../testing/sampleRuns';
import { createAppStore } from './appStore';
import { startPersistence, type Persistence } from './persistence';
import { DB_VERSION, openRunStorage, type RunStorage } from './runStorage';

let dbCount = 0;
const open: Persistence[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.dispose();
});

const now = () => 1_700_000_000_000;
/** Starts persistence for a fresh store on database `name`, writing at once when asked (no idle wait). */
async function session(name: string, wrap: (s: RunStorage) => RunStorage = (s) => s) {
  const store = createAppStore({ now });
  const p = await startPersistence(store, { open: async () => wrap(await openRunStorage(name, now)), delayMs: 5, idle: (fn) => fn() });
  open.push(p);
  return { store, p };
}

const dbName = () => `test-db-${++dbCount}`;

describe('persistence', () => {
  it('restores every run after a reload; a run that was training is interrupted at its last step', async () => {
    const name = dbName();
    const a = await session(name);
    const done = trainRun(a.store, 12, 'done');
    const live = trainRun(a.store, 7, 'student');
    await a.p.flush();
    const before = a.store.getState().runs;
    a.p.dispose();

    const b = await session(name);
    const st = b.store.getState();
    expect(st.runOrder).toEqual([done, live]);
    expect(st.runs[done]).toEqual(before[done]);
    expect(st.runs[live]!.status).toBe('interrupted');
    expect(st.runs[live]!.step).toBe(7);
    expect(st.runs[live]!.metrics).toEqual(before[live]!.metrics);
    expect(st.runs[live]!.backend).toEqual(backendReport());
    expect(st.runs[live]!.sample).toEqual(sample());
    // New runs are numbered after the restored ones, so no saved run is ever overwritten.
    expect(st.addRun(withDefaults(), 'manual')).toBe('run-3');
  });

  it('writes a training run in batches, not once per message', async () => {
    const name = dbName();
    let writes = 0;
    const a = await session(name, (s) => ({ ...s, write: (put, rm) => { writes++; return s.write(put, rm); } }));
    trainRun(a.store, 50, 'student');
    await new Promise((r) => setTimeout(r, 30));
    await a.p.flush();
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(2);
    const b = await session(name);
    expect(b.store.getState().runs['run-1']!.metrics).toHaveLength(50);
  });

  it('Remove and Clear all delete from storage', async () => {
    const name = dbName();
    const a = await session(name);
    trainRun(a.store, 4, 'done');
    trainRun(a.store, 4, 'done');
    trainRun(a.store, 4, 'done');
    await a.p.flush();
    a.store.getState().removeRun('run-2');
    await a.p.flush();
    expect((await session(name)).store.getState().runOrder).toEqual(['run-1', 'run-3']);
    a.store.getState().clearRuns();
    await a.p.flush();
    expect((await session(name)).store.getState().runOrder).toEqual([]);
  });

  it('migrates a version-1 store (bare runs) to version 2 without losing a run', async () => {
    const name = dbName();
    const src = await session(dbName());
    trainRun(src.store, 8, 'done');
    const { backend: _b, ...v1Run } = src.store.getState().runs['run-1']!; // v1 runs had no backend field
    const v1 = await openDB(name, 1, { upgrade: (db) => void db.createObjectStore('runs', { keyPath: 'id' }) });
    await v1.put('runs', { ...v1Run, id: 'run-4', number: 4 });
    v1.close();

    const b = await session(name);
    const st = b.store.getState();
    expect(st.runOrder).toEqual(['run-4']);
    expect(st.runs['run-4']!.metrics).toHaveLength(8);
    expect(st.runs['run-4']!.backend).toBeNull();
    expect(st.storageNotice).toBeNull();
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    expect(await raw.get('meta', 'schema')).toEqual({ key: 'schema', value: DB_VERSION });
    raw.close();
  });

  it('leaves a store written by a newer version untouched and trains in memory', async () => {
    const name = dbName();
    const future = await openDB(name, DB_VERSION + 5, { upgrade: (db) => void db.createObjectStore('runs', { keyPath: 'id' }) });
    await future.put('runs', { id: 'run-1', shape: 'from the future' });
    future.close();
    const a = await session(name);
    expect(a.store.getState().storageNotice).toMatch(/newer version of this app.*untouched.*in memory/);
    trainRun(a.store, 4, 'done');
    await a.p.flush();
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION + 5);
    expect(await raw.getAll('runs')).toEqual([{ id: 'run-1', shape: 'from the future' }]);
    raw.close();
  });

  it('without IndexedDB: a notice, and the store works as before', async () => {
    const store = createAppStore({ now });
    const saved = globalThis.indexedDB;
    // @ts-expect-error private mode in some browsers: no IndexedDB at all
    delete globalThis.indexedDB;
    try {
      open.push(await startPersistence(store, { delayMs: 5, idle: (fn) => fn() }));
    } finally {
      globalThis.indexedDB = saved;
    }
    expect(store.getState().storageNotice).toMatch(/no IndexedDB/);
    trainRun(store, 4, 'done');
    expect(store.getState().runs['run-1']!.metrics).toHaveLength(4);
  });

  it('quota exceeded: a notice, no further writes, and what was saved stays', async () => {
    const name = dbName();
    let full = false;
    let writes = 0;
    const a = await session(name, (s) => ({
      ...s,
      write: (put, rm) => {
        writes++;
        return full ? Promise.reject(new DOMException('quota', 'QuotaExceededError')) : s.write(put, rm);
      },
    }));
    trainRun(a.store, 4, 'done');
    await a.p.flush();
    full = true;
    trainRun(a.store, 4, 'done');
    await a.p.flush();
    expect(a.store.getState().storageNotice).toMatch(/Storage is full/);
    const w = writes;
    trainRun(a.store, 4, 'done');
    await a.p.flush();
    expect(writes).toBe(w);
    expect(a.store.getState().runOrder).toHaveLength(3);
    full = false;
    expect((await session(name)).store.getState().runOrder).toEqual(['run-1']);
  });

  it('keeps an unreadable record untouched, says so, and numbers new runs after it', async () => {
    const name = dbName();
    (await session(name)).p.dispose();
    const raw = await openDB(name, DB_VERSION);
    await raw.put('runs', { id: 'run-9', number: 9, savedAt: 0, run: { id: 'run-9', metrics: 'garbage' } });
    raw.close();
    const a = await session(name);
    expect(a.store.getState().storageNotice).toMatch(/1 saved run\(s\) could not be read.*run-9/);
    expect(a.store.getState().addRun(withDefaults(), 'manual')).toBe('run-10');
  });
});
