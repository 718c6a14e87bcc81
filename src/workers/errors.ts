// How failures become protocol errors: each engine error type maps to one ErrorCode with a message the UI can show.
import { CheckpointError } from '../engine/checkpoint';
import { DatasetError } from '../engine/data/idx';
import { NonFiniteLossError } from '../engine/trainer';
import { BackendInitError } from './backend';
import type { ErrorCode } from './protocol';

/** A command the worker refuses or cannot carry out, with the code to report (the run goes on unless it is fatal). */
export class CommandError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** The WebGPU device was lost (driver reset, GPU process crash, tab in the background too long on some systems). */
export class DeviceLostError extends Error {
  constructor(reason: string) {
    super(`the WebGPU device was lost (${reason}); the metrics so far are kept. Start a new run to train again`);
    this.name = 'DeviceLostError';
  }
}

/** Thrown inside a run to unwind its loop after a stop or a fatal error; never reported. */
export class Stopped extends Error {
  constructor() {
    super('the run was stopped');
    this.name = 'Stopped';
  }
}

export function describeError(e: unknown, step: number | null): { code: ErrorCode; message: string; step: number | null } {
  if (e instanceof NonFiniteLossError) return { code: 'non-finite-loss', message: e.message, step: e.step };
  if (e instanceof DeviceLostError) return { code: 'device-lost', message: e.message, step };
  if (e instanceof CommandError) return { code: e.code, message: e.message, step };
  if (e instanceof DatasetError) return { code: 'dataset', message: e.message, step };
  if (e instanceof CheckpointError) return { code: 'dataset', message: `teacher checkpoint: ${e.message}`, step };
  if (e instanceof BackendInitError) return { code: 'backend-init', message: e.message, step };
  const message = e instanceof Error ? `${e.name}: ${e.message}` : `unexpected failure: ${String(e)}`;
  return { code: 'internal', message, step };
}
