// The bench worker: the training worker plus the `benchmark` message (npm run bench, through the harness page with
// ?worker=bench). The app's worker (training.worker.ts) leaves the benchmark code out.
import { benchmarkStudent } from '../engine/benchmark';
import { browserBackendEnv } from './browserEnv';
import { TrainingHost } from './host';
import type { Endpoint } from './protocol';

const scope = self as unknown as Endpoint & { addEventListener(type: 'unhandledrejection', f: (e: PromiseRejectionEvent) => void): void };
const host = new TrainingHost(scope, { backendEnv: browserBackendEnv(), benchmark: benchmarkStudent });
scope.addEventListener('unhandledrejection', (e) => host.reportUnexpected(e.reason));
