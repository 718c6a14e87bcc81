// The width of an element, followed with a ResizeObserver. A chart mounts once its width is known: recharts'
// ResponsiveContainer set that width from its observer callback as an ordinary update, so every chart on the page
// mounted in one synchronous render, and recharts' own layout effects then re-rendered each chart's internals in the
// same task: 300-420 ms of main thread at page load here. Here each element's first width waits its turn in a queue,
// one element per task (a chart's mount, commit and effects then stay a task of their own), and is applied as a
// transition. Later widths (the window resized) are applied at once, as ResponsiveContainer did, so that a drawing is
// never left wider than its narrowed box.
import { startTransition, useEffect, useRef, useState, type RefObject } from 'react';

/** First measurements waiting for their turn: one runs per macrotask. */
const firstWidths: (() => void)[] = [];
let draining = false;

function drain(): void {
  const next = firstWidths.shift();
  if (!next) {
    draining = false;
    return;
  }
  next();
  setTimeout(drain, 0);
}

/** Runs apply in a later macrotask, after the ones queued before it, one per macrotask. */
export function queueFirst(apply: () => void): void {
  firstWidths.push(apply);
  if (!draining) {
    draining = true;
    setTimeout(drain, 0);
  }
}

/** The element to measure (attach the ref) and its content-box width in whole pixels, 0 until first measured. */
export function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let latest = 0;
    let first = true;
    let gone = false;
    const observer = new ResizeObserver((entries) => {
      latest = Math.floor(entries[entries.length - 1]!.contentRect.width);
      if (first) {
        first = false;
        queueFirst(() => {
          if (!gone) startTransition(() => setWidth(latest));
        });
      } else setWidth(latest);
    });
    observer.observe(el);
    return () => {
      gone = true;
      observer.disconnect();
    };
  }, []);
  return [ref, width];
}
