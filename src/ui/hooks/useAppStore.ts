// React access to the app store: one atomic selector per call, re-rendering only when that value changes.
import { useStore } from 'zustand';
import { appStore, type AppState } from '../store/appStore';

export function useAppStore<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}

/** Actions never change, so reading them does not subscribe to anything that re-renders. */
export function useActions(): AppState {
  return appStore.getState();
}
