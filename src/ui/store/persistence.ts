// Keeps every run in IndexedDB (runStorage.ts) as the store changes: subscribed to the store, not woven into its
// actions. At start-up it restores the saved runs (a run that was training becomes "interrupted" at its last step);
// afterwards changed runs are written in one transaction at most once per `delayMs`, in an idle callback, so saving
// never competes with a frame; removed runs are deleted. When storage is missing, full, or belongs to a newer
// version of the app, a notice says so, training goes on in memory and nothing saved is overwritten.
import type { AppStore } from './appStore';
import { isLive, type Run } from './runModel';
import { openRunStorage, StorageUnavailable, type RunStorage } from './runStorage';

export interface PersistenceOptions {
  open?: () => Promise<RunStorage>;
  /**
   * Least time between two writes while runs change (a training run changes ~10 times a second), read each time a
   * write is scheduled (the page spaces writes out while its main thread waits for a core).
   */
  delayMs?: number | (() => number);
  /** Runs `fn` when the page is idle (requestIdleCallback in the browser). */
  idle?: (fn: () => void) => void;
  /** Gives up on a storage that does not open (another tab blocking an upgrade) after this long. */
  openTimeoutMs?: number;
}

export interface Persistence {
  /** Writes what changed now (on pagehide, and in tests). */
  flush(): Promise<void>;
  dispose(): void;
}

function browserIdle(fn: () => void): void {
  const ric = (globalThis as { requestIdleCallback?: (cb: () => void, o: { timeout: number }) => number }).requestIdleCallback;
  if (ric) ric(fn, { timeout: 1000 });
  else setTimeout(fn, 0);
}

/** A run as it is restored after the page went away: one that was live stopped where its last saved point is. */
export function restoredRun(run: Run): Run {
  if (isLive(run.status)) return { ...run, status: 'interrupted', progress: {} };
  return run;
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new StorageUnavailable('blocked', 'saved runs did not load in time (another tab may hold an older version open)')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

/** Opens storage, restores its runs into the store, then keeps it in step with the store. Never throws. */
export async function startPersistence(store: AppStore, opts: PersistenceOptions = {}): Promise<Persistence> {
  const delay = opts.delayMs ?? 1000;
  const delayMs = typeof delay === 'number' ? () => delay : delay;
  const idle = opts.idle ?? browserIdle;
  const notice = (message: string) => store.getState().setStorageNotice(message);
  const inert: Persistence = { flush: async () => {}, dispose: () => {} };

  let storage: RunStorage;
  /** What storage holds, by id: the objects last written (or restored; a run turned "interrupted" is written once). */
  let saved: Map<string, Run>;
  try {
    storage = await timeout((opts.open ?? (() => openRunStorage()))(), opts.openTimeoutMs ?? 5000);
    const loaded = await storage.loadAll();
    store.getState().restoreRuns(loaded.runs.map(restoredRun), loaded.maxNumber + 1);
    if (loaded.unreadable.length > 0) {
      notice(`${loaded.unreadable.length} saved run(s) could not be read and were left in storage untouched (${loaded.unreadable[0]}).`);
    }
    saved = new Map<string, Run>(loaded.runs.map((r) => [r.id, r]));
  } catch (e) {
    notice(`Runs are not saved: ${e instanceof StorageUnavailable ? e.message : String(e)}. Training works as usual, in memory only.`);
    return inert;
  }

  let enabled = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> | null = null;

  const state = (x: 'saving' | 'saved' | 'off') => store.getState().setStorageState(x);
  const stop = (message: string) => {
    enabled = false;
    state('off');
    notice(message);
  };
  storage.onClosed((why) => stop(`Runs are no longer saved: ${why}. Reload this tab to save again; what is here stays in memory.`));

  const flush = async (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (writing) await writing;
    if (!enabled) return;
    const s = store.getState();
    const put = s.runOrder.map((id) => s.runs[id]).filter((r): r is Run => r !== undefined && saved.get(r.id) !== r);
    const remove = [...saved.keys()].filter((id) => !s.runs[id]);
    if (put.length === 0 && remove.length === 0) {
      state('saved');
      return;
    }
    writing = storage.write(put, remove).then(
      () => {
        for (const r of put) saved.set(r.id, r);
        for (const id of remove) saved.delete(id);
        store.getState().noteStorageWrite();
        if (enabled) state(timer === null ? 'saved' : 'saving');
      },
      (e: unknown) => {
        const name = (e as { name?: string }).name;
        stop(name === 'QuotaExceededError'
          ? 'Storage is full: the latest changes were not saved (what was saved before is kept). Training goes on in memory; export runs to keep them.'
          : `Saving runs failed (${name ?? 'error'}); training goes on in memory, and what was saved before is kept.`);
      },
    ).finally(() => { writing = null; });
    await writing;
  };

  const unsubscribe = store.subscribe((s, prev) => {
    if (!enabled || (s.runs === prev.runs && s.runOrder === prev.runOrder) || timer !== null) return;
    timer = setTimeout(() => idle(() => void flush()), delayMs());
    state('saving');
  });
  state('saved');
  // The restored runs that changed on the way in (now "interrupted") are written at once.
  void flush();

  return {
    flush,
    dispose() {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      enabled = false;
      storage.close();
    },
  };
}
