// The one zustand store of the UI, composed of slices (config, runs, worker, view, paper). Vanilla (no React) so the
// bridge, the run controller, the URL sync and the tests all use it directly; components read it through
// hooks/useAppStore.ts with atomic selectors.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createConfigSlice, type ConfigSlice } from './configSlice';
import { createPaperSlice, type PaperSlice } from './paperSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createViewSlice, type ViewSlice } from './viewSlice';
import { createWorkerSlice, type WorkerSlice } from './workerSlice';

export type AppState = ConfigSlice & RunsSlice & WorkerSlice & ViewSlice & PaperSlice;
export type AppStore = StoreApi<AppState>;

export interface StoreDeps {
  /** Clock for run timestamps (injected by tests). */
  now: () => number;
}

/** What each slice file exports: given the store's set/get, its state and actions. */
export type SliceCreator<T> = (set: AppStore['setState'], get: () => AppState, deps: StoreDeps) => T;

export function createAppStore(deps: Partial<StoreDeps> = {}): AppStore {
  const d: StoreDeps = { now: deps.now ?? (() => Date.now()) };
  return createStore<AppState>()((set, get) => ({
    ...createConfigSlice(set, get, d),
    ...createRunsSlice(set, get, d),
    ...createWorkerSlice(set, get, d),
    ...createViewSlice(set, get, d),
    ...createPaperSlice(set, get, d),
  }));
}

/** The application's store (tests create their own with createAppStore). */
export const appStore: AppStore = createAppStore();
