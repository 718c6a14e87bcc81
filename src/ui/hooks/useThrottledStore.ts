// Transient, throttled subscription for high-rate data (metric points arrive many times a second): the component
// re-renders at most once per interval, with the latest selected value, instead of once per worker message. The
// re-render is a transition: React renders it in slices of a few milliseconds between other tasks, so an update never
// holds the main thread for long (input and urgent updates go first). While data keeps coming, every throttled view
// updates on the same clock ticks (multiples of its interval since the page loaded), so the charts, cards and tables
// that changed share one render, one commit and one frame of layout and paint, rather than one each: measured with
// `npm run bench -- --health-only`, that halved the main thread's work while a run trains.
import { startTransition, useEffect, useRef, useState } from 'react';
import { shallow } from 'zustand/vanilla/shallow';
import { appStore, type AppState } from '../store/appStore';

/**
 * How long to wait before re-reading the store, `now` ms after the page loaded and `lastRender` after the last
 * re-render: at once after a quiet interval (a toggle redraws at once), otherwise until the next tick, a multiple of
 * `intervalMs` plus `phaseMs`, which every throttled view with that interval and phase shares.
 */
export function throttleDelay(now: number, lastRender: number, intervalMs: number, phaseMs = 0): number {
  const due = lastRender + intervalMs;
  if (due <= now) return 0;
  return Math.ceil((due - phaseMs) / intervalMs) * intervalMs + phaseMs - now;
}

/**
 * Selects from the store at most every `intervalMs` (200 ms = 5 renders per second), on ticks shifted by `phaseMs`
 * (views that update together at an evaluation take a different phase from the training curves, so that one commit
 * does not hold both). `select` should return store references or primitives in a small object; they are compared
 * shallowly.
 */
export function useThrottledStore<T>(select: (s: AppState) => T, intervalMs = 200, phaseMs = 0): T {
  const selectRef = useRef(select);
  useEffect(() => {
    selectRef.current = select;
  });
  const [value, setValue] = useState(() => select(appStore.getState()));

  useEffect(() => {
    let last = selectRef.current(appStore.getState());
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastRender = -Infinity;
    const apply = () => {
      timer = null;
      lastRender = performance.now();
      const next = selectRef.current(appStore.getState());
      if (!shallow(next, last)) {
        last = next;
        startTransition(() => setValue(next));
      }
    };
    const unsubscribe = appStore.subscribe(() => {
      if (timer !== null) return;
      timer = setTimeout(apply, throttleDelay(performance.now(), lastRender, intervalMs, phaseMs));
    });
    apply(); // changes between the first render and this effect
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [intervalMs, phaseMs]);

  return value;
}
