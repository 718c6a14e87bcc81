// The bench worker: the training worker plus the `benchmark` request (npm run bench, through the harness page with
// ?worker=bench). The app's worker (training.worker.ts) has neither the benchmark code nor its messages.
import { benchmarkStudent } from '../engine/benchmark';
import { BenchHost } from './benchHost';
import { browserBackendEnv } from './browserEnv';
import type { Endpoint } from './protocol';

const scope = self as unknown as Endpoint & { addEventListener(type: 'unhandledrejection', f: (e: PromiseRejectionEvent) => void): void };
const host = new BenchHost(scope, { backendEnv: browserBackendEnv() }, benchmarkStudent);
scope.addEventListener('unhandledrejection', (e) => host.reportUnexpected(e.reason));
