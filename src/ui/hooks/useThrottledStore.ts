// Transient, throttled subscription for high-rate data (metric points arrive many times a second): the component
// re-renders at most once per interval, with the latest selected value, instead of once per worker message. The
// re-render is a transition: React renders it in slices of a few milliseconds between other tasks, so an update never
// holds the main thread for long (input and urgent updates go first). While data keeps coming, every throttled view
// updates on the same clock ticks (multiples of the shared interval since the page loaded), so the charts, cards and
// tables that changed share one render, one commit and one frame of layout and paint, rather than one each: measured
// with `npm run bench -- --health-only`, that halved the main thread's work while a run trains. The interval is
// viewPace's: 200 ms, widened while the views' timers fire late (the main thread waited for a core).
import { startTransition, useEffect, useRef, useState } from 'react';
import { shallow } from 'zustand/vanilla/shallow';
import { appStore, type AppState } from '../store/appStore';
import { noteTick, viewInterval } from './viewPace';

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
 * When a throttled view re-reads the store. Its interval is `ticks` of the shared interval (viewPace: 200 ms, five
 * renders a second, on a machine with a core to spare; up to 800 ms while the main thread waits for one).
 */
export interface ThrottleOptions {
  /** Shared intervals per re-read (1: every tick; 5: a hint that changes once a second at most). */
  ticks?: number;
  /** Where in the interval its ticks fall, as a fraction: views that all change at an evaluation take 0.5, so that one
   * commit does not hold both them and the training curves. */
  phase?: number;
  /** A change in what this selects (view options: a toggle, a focus) re-reads at once, so controls answer without
   * waiting for the next tick. */
  urgent?: (s: AppState) => unknown;
}

/**
 * Selects from the store at most once per interval (ThrottleOptions), on the ticks every throttled view shares.
 * `select` should return store references or primitives in a small object; they are compared shallowly.
 */
export function useThrottledStore<T>(select: (s: AppState) => T, { ticks = 1, phase = 0, urgent }: ThrottleOptions = {}): T {
  const selectRef = useRef(select);
  const urgentRef = useRef(urgent);
  useEffect(() => {
    selectRef.current = select;
    urgentRef.current = urgent;
  });
  const [value, setValue] = useState(() => select(appStore.getState()));

  useEffect(() => {
    let last = selectRef.current(appStore.getState());
    let lastUrgent = urgentRef.current?.(appStore.getState());
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastRender = -Infinity;
    const apply = (dueAt: number | null) => {
      timer = null;
      lastRender = performance.now();
      if (dueAt !== null) noteTick(dueAt, lastRender - dueAt);
      const state = appStore.getState();
      const next = selectRef.current(state);
      lastUrgent = urgentRef.current?.(state);
      if (!shallow(next, last)) {
        last = next;
        startTransition(() => setValue(next));
      }
    };
    const unsubscribe = appStore.subscribe((state) => {
      const u = urgentRef.current;
      if (u && !shallow(u(state), lastUrgent)) {
        if (timer !== null) clearTimeout(timer);
        apply(null);
        return;
      }
      if (timer !== null) return;
      const interval = viewInterval() * ticks;
      const now = performance.now();
      const delay = throttleDelay(now, lastRender, interval, phase * interval);
      timer = setTimeout(() => apply(now + delay), delay);
    });
    apply(null); // changes between the first render and this effect
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [ticks, phase]);

  return value;
}
