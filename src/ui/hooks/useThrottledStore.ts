// Transient, throttled subscription for high-rate data (metric points arrive many times a second): the component
// re-renders at most once per interval, with the latest selected value, instead of once per worker message.
import { useEffect, useRef, useState } from 'react';
import { shallow } from 'zustand/vanilla/shallow';
import { appStore, type AppState } from '../store/appStore';

/**
 * Selects from the store at most every `intervalMs` (200 ms = 5 renders per second). The first change after a quiet
 * period renders at once, so toggles stay instant. `select` should return store references or primitives in a
 * small object; they are compared shallowly.
 */
export function useThrottledStore<T>(select: (s: AppState) => T, intervalMs = 200): T {
  const selectRef = useRef(select);
  useEffect(() => {
    selectRef.current = select;
  });
  const [value, setValue] = useState(() => select(appStore.getState()));

  useEffect(() => {
    let last = selectRef.current(appStore.getState());
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastRender = 0;
    const flush = () => {
      timer = null;
      lastRender = performance.now();
      const next = selectRef.current(appStore.getState());
      if (!shallow(next, last)) {
        last = next;
        setValue(next);
      }
    };
    const unsubscribe = appStore.subscribe(() => {
      if (timer !== null) return;
      timer = setTimeout(flush, Math.max(0, lastRender + intervalMs - performance.now()));
    });
    flush(); // changes between the first render and this effect
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [intervalMs]);

  return value;
}
