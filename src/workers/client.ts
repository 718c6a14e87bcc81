// The main thread's handle on the training worker: typed send, per-type subscriptions, crash notices, restart.
// Only types come from the worker side, so tfjs never lands in the main-thread bundle. Typed by the app's protocol;
// the bench harness widens it with the bench worker's messages (benchProtocol.ts).
import type { FromWorker, ToWorker } from './protocol';

interface Typed {
  type: string;
}

/** Vite bundles the worker (and tfjs with it) as its own chunk because of this exact `new Worker(new URL(...))` form. */
function defaultWorker(): Worker {
  return new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });
}

export class TrainingClient<To extends Typed = ToWorker, From extends Typed = FromWorker> {
  private worker: Worker | null;
  private readonly byType = new Map<From['type'], Set<(msg: From) => void>>();
  private readonly any = new Set<(msg: From) => void>();
  private readonly crash = new Set<(info: { message: string }) => void>();

  constructor(private readonly factory: () => Worker = defaultWorker) {
    this.worker = this.spawn();
  }

  /** Throws after terminate() (restart() revives the client). */
  send(msg: To): void {
    if (!this.worker) throw new Error(`TrainingClient: cannot send '${msg.type}', the worker was terminated (call restart())`);
    this.worker.postMessage(msg);
  }

  on<T extends From['type']>(type: T, fn: (msg: Extract<From, { type: T }>) => void): () => void {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new Set()));
    const l = fn as (msg: From) => void;
    set.add(l);
    return () => void set.delete(l);
  }

  onAny(fn: (msg: From) => void): () => void {
    this.any.add(fn);
    return () => void this.any.delete(fn);
  }

  /** The worker failed to load, threw outside the host, or sent something that could not be deserialised. */
  onCrash(fn: (info: { message: string }) => void): () => void {
    this.crash.add(fn);
    return () => void this.crash.delete(fn);
  }

  /** Terminates the worker and starts a fresh one; listeners stay attached. */
  restart(): void {
    this.worker?.terminate();
    this.worker = this.spawn();
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private spawn(): Worker {
    const w = this.factory();
    w.addEventListener('message', (ev: MessageEvent) => {
      if (w !== this.worker) return; // a late message of a worker we already replaced
      this.dispatch(ev.data as From);
    });
    w.addEventListener('error', (ev: Event) => {
      if (w !== this.worker) return;
      ev.preventDefault(); // reported through onCrash instead of the console's "Uncaught" line
      const e = ev as ErrorEvent;
      const where = e.filename ? ` (${e.filename}:${e.lineno})` : '';
      this.emitCrash(e.message ? `${e.message}${where}` : 'the training worker failed to start or crashed');
    });
    w.addEventListener('messageerror', () => {
      if (w === this.worker) this.emitCrash('a message from the training worker could not be deserialised');
    });
    return w;
  }

  private dispatch(msg: From): void {
    // Copies: a listener may unsubscribe (or subscribe) while we iterate.
    for (const fn of [...(this.byType.get(msg.type) ?? [])]) fn(msg);
    for (const fn of [...this.any]) fn(msg);
  }

  private emitCrash(message: string): void {
    for (const fn of [...this.crash]) fn({ message });
  }
}
