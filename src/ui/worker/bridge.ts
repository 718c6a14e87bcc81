// The bridge: maps every message from the training worker (and its crash) to store actions. No React, no sending:
// the run controller (runController.ts) owns what goes to the worker.
import { assertNever, type FromWorker } from '../../workers/protocol';
import type { AppStore } from '../store/appStore';
import type { WorkerClient } from './workerClient';

/** Applies one worker message to the store (exported for tests and for replaying recorded sessions). */
export function applyMessage(store: AppStore, msg: FromWorker): void {
  const s = store.getState();
  switch (msg.type) {
    case 'ready':
      s.setBackend(msg.backend);
      s.setRunBackend(msg.runId, msg.backend);
      return;
    case 'backend':
      s.setBackend(msg.report);
      return;
    case 'progress':
      s.setProgress(msg.runId, msg.phase, { done: msg.done, total: msg.total, detail: msg.detail });
      return;
    case 'metrics':
      s.appendMetrics(msg.runId, msg.points);
      return;
    case 'eval':
      s.appendEval(msg.runId, msg.point);
      return;
    case 'teacher':
      s.setTeacher(msg.runId, msg.info);
      return;
    case 'event':
      s.addMarker(msg.runId, msg.step, msg.imagesSeen, msg.patch);
      return;
    case 'status':
      s.setRunStatus(msg.runId, msg.status, msg.step);
      return;
    case 'sample':
      s.setSample(msg.runId, msg.sample);
      return;
    case 'images':
      s.addImages(msg.runId, msg.images, msg.purpose === 'strip');
      return;
    case 'error': {
      const run = s.runs[msg.runId];
      const known = run !== undefined;
      s.pushError({ runId: run?.id ?? null, runNumber: run?.number ?? null, code: msg.code, message: msg.message, step: msg.step });
      if (msg.code === 'backend-init') s.backendSelectionFailed();
      // Noted on the run, status unchanged: a refused command (e.g. a bad update) need not end it; a fatal error
      // arrives with a 'status' of 'error' as well, and that is what ends the run.
      // An error before the run started (a refused init or start) comes without a status: the run will not go.
      if (!known) return;
      const error = { code: msg.code, message: msg.message, step: msg.step };
      if (s.runs[msg.runId]!.status === 'initializing') s.failRun(msg.runId, error);
      else s.noteRunError(msg.runId, error);
      return;
    }
    case 'weights':
      return; // answered to the run controller's exportWeights, which saves the files
    default:
      assertNever(msg);
  }
}

/** Connects a worker client to the store; returns the function that disconnects it. */
export function connectBridge(client: Pick<WorkerClient, 'onAny' | 'onCrash'>, store: AppStore): () => void {
  const offMessage = client.onAny((msg) => applyMessage(store, msg));
  const offCrash = client.onCrash(({ message }) => store.getState().workerCrashed(message));
  return () => {
    offMessage();
    offCrash();
  };
}
