// Worker slice: the backend really in use, a crash of the worker, and error notices the user has not dismissed.
import type { BackendChoice } from '../../engine/config';
import type { BackendReport, ErrorCode, TeacherFile } from '../../workers/protocol';
import type { SliceCreator } from './appStore';
import { isLive } from './runModel';

export interface ErrorNotice {
  id: number;
  runId: string | null;
  /** "#3" in the notice; null when the error belongs to no known run. */
  runNumber: number | null;
  code: ErrorCode | 'crash';
  message: string;
  step: number | null;
}

/** A teacher checkpoint the user loaded ("Load teacher from file"), checked on the page, for the next runs. */
export interface LoadedTeacher extends TeacherFile {
  weightsName: string;
  dataset: string;
  parameters: number;
  /** The accuracy the checkpoint records, and on how many test images (null: the full test split). */
  recordedAccuracy: number;
  accuracyImages: number | null;
}

export interface WorkerSlice {
  /** Used as the teacher of every run launched while set, when the run's teacher is 'pretrained'; kept in memory only. */
  teacherFile: LoadedTeacher | null;
  setTeacherFile(file: LoadedTeacher | null): void;
  /** The last `backend` (probe) or `ready` report; null until the first answer (and again after a restart). */
  backend: BackendReport | null;
  /** The backend choice a probe asked about, until the worker answers (the badge says "checking"). */
  backendPending: BackendChoice | null;
  /** Set when the worker died (error / messageerror); cleared by restartWorker. */
  crash: { message: string } | null;
  /** Errors shown above the charts until dismissed; the runs keep their own copy. */
  errors: ErrorNotice[];
  nextErrorId: number;
  setBackend(report: BackendReport): void;
  /** The run controller asked the worker to select `choice` (a probe). */
  backendProbeSent(choice: BackendChoice): void;
  /** No backend could be selected (the error notice says why): stop saying "checking". */
  backendSelectionFailed(): void;
  /** Marks the live run as failed (its data stays) and shows the crash banner. */
  workerCrashed(message: string): void;
  /** After the worker was recreated: no run is held any more and the backend will be chosen again. */
  workerRestarted(): void;
  pushError(e: Omit<ErrorNotice, 'id'>): void;
  dismissError(id: number): void;
}

export const createWorkerSlice: SliceCreator<WorkerSlice> = (set, get) => ({
  teacherFile: null,
  backend: null,
  backendPending: null,
  crash: null,
  errors: [],
  nextErrorId: 1,

  setTeacherFile(file) {
    set({ teacherFile: file });
  },

  setBackend(report) {
    set({ backend: report, backendPending: null });
  },

  backendProbeSent(choice) {
    set({ backendPending: choice });
  },

  backendSelectionFailed() {
    set({ backendPending: null });
  },

  workerCrashed(message) {
    const active = get().activeRunId;
    const run = active ? get().runs[active] : undefined;
    if (run && isLive(run.status)) {
      get().failRun(run.id, { code: 'crash', message: `the worker crashed: ${message}`, step: run.step });
    }
    set({ crash: { message }, autoAdvance: false, backendPending: null });
  },

  workerRestarted() {
    set({ crash: null, backend: null, backendPending: null, activeRunId: null });
  },

  pushError(e) {
    const id = get().nextErrorId;
    set({ errors: [...get().errors, { ...e, id }].slice(-5), nextErrorId: id + 1 });
  },

  dismissError(id) {
    set({ errors: get().errors.filter((e) => e.id !== id) });
  },
});
