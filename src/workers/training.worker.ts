// The training worker: a shim that puts a TrainingHost on the worker's own message port.
import { browserBackendEnv } from './browserEnv';
import { TrainingHost } from './host';
import type { Endpoint } from './protocol';

const scope = self as unknown as Endpoint & { addEventListener(type: 'unhandledrejection', f: (e: PromiseRejectionEvent) => void): void };
const host = new TrainingHost(scope, { backendEnv: browserBackendEnv() });
// A rejection nobody awaited is still reported, never a silent hang.
scope.addEventListener('unhandledrejection', (e) => host.reportUnexpected(e.reason));
