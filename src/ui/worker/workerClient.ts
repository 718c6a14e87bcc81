// The part of the worker client (src/workers/client.ts, TrainingClient) that the UI's bridge and run controller
// use. An interface, so tests drive both with a fake and the main thread imports only types from the worker side.
import type { FromWorker, ToWorker } from '../../workers/protocol';

export interface WorkerClient {
  send(msg: ToWorker): void;
  on<T extends FromWorker['type']>(type: T, fn: (msg: Extract<FromWorker, { type: T }>) => void): () => void;
  onAny(fn: (msg: FromWorker) => void): () => void;
  /** The worker died (error / messageerror). */
  onCrash(fn: (info: { message: string }) => void): () => void;
  /** Terminates and recreates the worker. */
  restart(): void;
  terminate(): void;
}
