// Transient, throttled subscription for high-rate data (metric points arrive many times a second): the component
// re-renders at most once per interval, with the latest selected value, instead of once per worker message. The
// re-render is a transition: React renders it in slices of a few milliseconds between other tasks, so a chart update
// never holds the main thread for long (input and urgent updates go first).
import { startTransition, useEffect, useRef, useState } from 'react';
import { shallow } from 'zustand/vanilla/shallow';
import { appStore, type AppState } from '../store/appStore';
import type { FrameQueue } from './frameQueue';

/**
 * Selects from the store at most every `intervalMs` (200 ms = 5 renders per second). The first change after a quiet
 * period renders at once, so toggles stay instant. `select` should return store references or primitives in a
 * small object; they are compared shallowly. With `frames`, the update waits its turn in that queue (one per frame).
 */
export function useThrottledStore<T>(select: (s: AppState) => T, intervalMs = 200, frames?: FrameQueue): T {
  const selectRef = useRef(select);
  useEffect(() => {
    selectRef.current = select;
  });
  const [value, setValue] = useState(() => select(appStore.getState()));

  useEffect(() => {
    let last = selectRef.current(appStore.getState());
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastRender = 0;
    const apply = () => {
      lastRender = performance.now();
      const next = selectRef.current(appStore.getState());
      if (!shallow(next, last)) {
        last = next;
        startTransition(() => setValue(next));
      }
    };
    const flush = () => {
      timer = null;
      if (frames) frames.schedule(apply);
      else apply();
    };
    const unsubscribe = appStore.subscribe(() => {
      if (timer !== null) return;
      timer = setTimeout(flush, Math.max(0, lastRender + intervalMs - performance.now()));
    });
    apply(); // changes between the first render and this effect
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      frames?.cancel(apply);
    };
  }, [intervalMs, frames]);

  return value;
}
