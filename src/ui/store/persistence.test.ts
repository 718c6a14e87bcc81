// Persistence over a real IndexedDB implementation (fake-indexeddb): restore after a "reload" (a second store on the
// same database), interrupted runs, throttled writes, curves in chunks (a save writes only what grew), deletes, the
// images and sample apart (written when they change), the v1, v2 and v3 migrations, and every way storage can fail.
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withDefaults } from '../../engine/config';
import { backendReport, sample } from '../testing/fakeWorker';
import { metricsPoint } from '../testing/fakeWorker';
import { trainRun } from '../testing/sampleRuns';
import { createAppStore } from './appStore';
import { startPersistence, type Persistence } from './persistence';
import { DB_VERSION, POINTS_PER_CHUNK, openRunStorage, type RunStorage, type StoredChunk, type StoredPart, type StoredRun } from './runStorage';

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

/** A test image as the worker sends it (32x32 RGB). */
const testImage = (index: number) => ({ index, label: index % 10, pixels: Array.from({ length: 32 * 32 * 3 }, (_, k) => (k + index) % 256), imageSize: 32 });

/** The object stores each IDBObjectStore.put went to while `fn` ran, sorted, and the values put. */
async function putsDuring(fn: () => Promise<void>): Promise<{ stores: string[]; values: unknown[] }> {
  const puts = vi.spyOn(IDBObjectStore.prototype, 'put');
  try {
    await fn();
    return { stores: puts.mock.contexts.map((c) => (c as IDBObjectStore).name).sort(), values: puts.mock.calls.map((c) => c[0]) };
  } finally {
    puts.mockRestore();
  }
}

/** A run of `steps` logged points (a short trained run, then metrics alone: the sample evaluations stay in range). */
function longRun(store: ReturnType<typeof createAppStore>, steps: number, status: 'student' | 'done'): string {
  const id = trainRun(store, 4, status);
  store.getState().appendMetrics(id, Array.from({ length: steps - 4 }, (_, i) => metricsPoint(i + 5)));
  return id;
}

describe('persistence', () => {
  it('restores every run after a reload; a run that was training is interrupted at its last step', async () => {
    const name = dbName();
    const a = await session(name);
    const writesBefore = a.store.getState().storageWrites;
    const done = trainRun(a.store, 12, 'done');
    const live = trainRun(a.store, 7, 'student');
    await a.p.flush();
    const before = a.store.getState().runs;
    // Each completed write is counted (the page shows it, and e2e waits on it rather than on the state).
    expect(a.store.getState().storageWrites).toBe(writesBefore + 1);
    await a.p.flush(); // nothing changed: no write
    expect(a.store.getState().storageWrites).toBe(writesBefore + 1);
    a.p.dispose();

    expect(a.store.getState().storageState).toBe('saved');
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

  it('reads the delay each time it schedules a write', async () => {
    const name = dbName();
    const store = createAppStore({ now });
    const delays: number[] = [];
    let next = 5;
    const p = await startPersistence(store, { open: () => openRunStorage(name, now), delayMs: () => { delays.push(next); return next; }, idle: (fn) => fn() });
    open.push(p);
    trainRun(store, 2, 'student');
    await new Promise((r) => setTimeout(r, 20));
    next = 7;
    trainRun(store, 2, 'student');
    await new Promise((r) => setTimeout(r, 20));
    expect(delays).toEqual([5, 7]);
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

  it('migrates a version-1 store (bare runs) to the current version without losing a run', async () => {
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
    expect(a.store.getState().storageState).toBe('off');
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

  it('stores the curves in chunks: a save of a grown run writes the run record and only its last chunks', async () => {
    const name = dbName();
    const a = await session(name);
    const id = longRun(a.store, 2 * POINTS_PER_CHUNK + 10, 'student');
    await a.p.flush();
    const { stores, values } = await putsDuring(async () => {
      a.store.getState().appendMetrics(id, [metricsPoint(2 * POINTS_PER_CHUNK + 11), metricsPoint(2 * POINTS_PER_CHUNK + 12)]);
      await a.p.flush();
    });
    // The run record and chunk 2 (the one that grew); chunks 0 and 1 are not written again, nor the unchanged parts.
    expect(stores).toEqual(['points', 'runs']);
    expect((values.find((v) => (v as StoredChunk).chunk !== undefined) as StoredChunk).chunk).toBe(2);
    const raw = await openDB(name);
    const chunks = (await raw.getAll('points')) as StoredChunk[];
    expect(chunks.map((c) => [c.part, c.chunk, c.points.length])).toEqual([['metrics', 0, 512], ['metrics', 1, 512], ['metrics', 2, 12]]);
    const rec = (await raw.get('runs', id)) as StoredRun;
    expect(rec.run.metrics).toEqual([]);
    expect(rec.counts).toEqual({ metrics: 2 * POINTS_PER_CHUNK + 12, teacherMetrics: 0 });
    raw.close();
    const b = await session(name);
    expect(b.store.getState().runs[id]!.metrics).toEqual(a.store.getState().runs[id]!.metrics);
  });

  it('rewrites every chunk of a curve that was replaced rather than appended to, and deletes a removed run\'s chunks', async () => {
    const name = dbName();
    const storage = await openRunStorage(name, now);
    const a = await session(dbName());
    const id = longRun(a.store, POINTS_PER_CHUNK + 5, 'done');
    const run = a.store.getState().runs[id]!;
    await storage.write([run], []);
    const shorter = { ...run, metrics: run.metrics.slice(0, 3).map((p) => ({ ...p, lr: 0.5 })) };
    await storage.write([shorter], []);
    const loaded = await storage.loadAll();
    expect(loaded.unreadable).toEqual([]);
    expect(loaded.runs[0]!.metrics).toEqual(shorter.metrics);
    await storage.write([], [id]);
    storage.close();
    const raw = await openDB(name);
    expect(await raw.count('points')).toBe(0);
    expect(await raw.count('runs')).toBe(0);
    raw.close();
  });

  it('names a run whose chunks are missing as unreadable and keeps it untouched', async () => {
    const name = dbName();
    const a = await session(name);
    longRun(a.store, POINTS_PER_CHUNK + 5, 'done');
    await a.p.flush();
    a.p.dispose();
    const raw = await openDB(name);
    await raw.delete('points', ['run-1', 'metrics', 0]);
    raw.close();
    const b = await session(name);
    expect(b.store.getState().storageNotice).toMatch(/1 saved run\(s\) could not be read.*run-1: metrics: chunks missing or damaged/);
    expect(b.store.getState().runOrder).toEqual([]);
    const again = await openDB(name);
    expect(await again.count('points')).toBe(1);
    again.close();
  });

  it('migrates a version-2 store (whole runs) to chunks without losing a point', async () => {
    const name = dbName();
    const src = await session(dbName());
    longRun(src.store, POINTS_PER_CHUNK + 40, 'done');
    const run = src.store.getState().runs['run-1']!;
    const v2 = await openDB(name, 2, {
      upgrade: (db) => {
        db.createObjectStore('runs', { keyPath: 'id' }).createIndex('number', 'number');
        db.createObjectStore('meta', { keyPath: 'key' });
      },
    });
    await v2.put('runs', { id: 'run-1', number: 1, savedAt: 5, run });
    await v2.put('runs', { id: 'run-2', number: 2, savedAt: 5, run: { id: 'run-2', metrics: 'garbage' } });
    v2.close();

    const b = await session(name);
    const st = b.store.getState();
    expect(st.runOrder).toEqual(['run-1']);
    expect(st.runs['run-1']!.metrics).toEqual(run.metrics);
    expect(st.runs['run-1']!.evals).toEqual(run.evals);
    expect(st.storageNotice).toMatch(/1 saved run\(s\) could not be read.*run-2/);
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    expect(await raw.count('points')).toBe(2);
    expect(await raw.count('parts')).toBe(2);
    expect(((await raw.get('runs', 'run-2')) as StoredRun).run).toEqual({ id: 'run-2', metrics: 'garbage' });
    raw.close();
  });

  it('keeps the images and the sample apart from the run record and writes each only when it changes', async () => {
    const name = dbName();
    const a = await session(name);
    const id = trainRun(a.store, 6, 'student');
    a.store.getState().addImages(id, Array.from({ length: 10 }, (_, i) => testImage(i * 7)), true);
    await a.p.flush();
    const raw = await openDB(name);
    const rec = (await raw.get('runs', id)) as StoredRun;
    expect(rec.parts).toEqual(['images', 'sample']);
    expect(rec.run.images).toEqual({});
    expect(rec.run.sample).toBeNull();
    // The record a training run rewrites at each save is small: no pixels in it.
    expect(JSON.stringify(rec).length).toBeLessThan(8_000);
    expect(((await raw.get('parts', [id, 'images'])) as StoredPart).value).toEqual(a.store.getState().runs[id]!.images);
    raw.close();

    // Training goes on: a new point is a record and a chunk, never the parts again.
    const grown = await putsDuring(async () => {
      a.store.getState().appendMetrics(id, [metricsPoint(7)]);
      await a.p.flush();
    });
    expect(grown.stores).toEqual(['points', 'runs']);
    // A new sample (the next evaluation) is written once, the images still not.
    const sampled = await putsDuring(async () => {
      a.store.getState().setSample(id, sample({ label: 3 }));
      await a.p.flush();
    });
    expect(sampled.stores).toEqual(['parts', 'runs']);
    expect((sampled.values.find((v) => (v as StoredPart).part !== undefined) as StoredPart).part).toBe('sample');

    const before = a.store.getState().runs[id]!;
    a.p.dispose();
    const b = await session(name);
    const after = b.store.getState().runs[id]!;
    expect(after.images).toEqual(before.images);
    expect(after.strip).toEqual(before.strip);
    expect(after.sample).toEqual(before.sample);
    expect(after.metrics).toEqual(before.metrics);
    // Removing the run deletes its parts too.
    b.store.getState().removeRun(id);
    await b.p.flush();
    const gone = await openDB(name);
    expect(await gone.count('parts')).toBe(0);
    gone.close();
  });

  it('names a run whose stored part is missing as unreadable and keeps it untouched', async () => {
    const name = dbName();
    const a = await session(name);
    trainRun(a.store, 5, 'done');
    await a.p.flush();
    a.p.dispose();
    const raw = await openDB(name);
    await raw.delete('parts', ['run-1', 'sample']);
    raw.close();
    const b = await session(name);
    expect(b.store.getState().storageNotice).toMatch(/1 saved run\(s\) could not be read.*run-1: sample: stored part missing/);
    expect(b.store.getState().runOrder).toEqual([]);
    const again = await openDB(name);
    expect(await again.count('runs')).toBe(1);
    expect(await again.count('parts')).toBe(1);
    again.close();
  });

  it('migrates a version-3 store (images and sample in the record) to separate parts without losing one', async () => {
    const name = dbName();
    const src = await session(dbName());
    const id = longRun(src.store, POINTS_PER_CHUNK + 3, 'done');
    src.store.getState().addImages(id, [testImage(4), testImage(9)], true);
    const run = src.store.getState().runs[id]!;
    const v3 = await openDB(name, 3, {
      upgrade: (db) => {
        db.createObjectStore('runs', { keyPath: 'id' }).createIndex('number', 'number');
        db.createObjectStore('meta', { keyPath: 'key' });
        db.createObjectStore('points', { keyPath: ['id', 'part', 'chunk'] });
      },
    });
    // A v3 record: the curves in chunks, everything else (images, sample) in the record.
    await v3.put('runs', { id, number: 1, savedAt: 5, run: { ...run, metrics: [], teacherMetrics: [] }, counts: { metrics: run.metrics.length, teacherMetrics: 0 } });
    await v3.put('points', { id, part: 'metrics', chunk: 0, points: run.metrics.slice(0, POINTS_PER_CHUNK) });
    await v3.put('points', { id, part: 'metrics', chunk: 1, points: run.metrics.slice(POINTS_PER_CHUNK) });
    await v3.put('runs', { id: 'run-2', number: 2, savedAt: 5, run: 'garbage' });
    v3.close();

    const b = await session(name);
    const st = b.store.getState();
    expect(st.runOrder).toEqual([id]);
    expect(st.runs[id]).toEqual(run);
    expect(st.storageNotice).toMatch(/1 saved run\(s\) could not be read.*run-2/);
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    const rec = (await raw.get('runs', id)) as StoredRun;
    expect(rec.run.images).toEqual({});
    expect(rec.counts).toEqual({ metrics: run.metrics.length, teacherMetrics: 0 });
    expect(await raw.count('parts')).toBe(2);
    expect(((await raw.get('runs', 'run-2')) as StoredRun).run).toBe('garbage');
    raw.close();
  });
});
