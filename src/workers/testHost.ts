// Test helpers for the host: a TrainingHost on one end of a MessageChannel, the repo's public/ read from disk, and
// a teacher checkpoint served from memory (seeded and untrained, or poisoned with NaN) so no test depends on the
// shipped checkpoint being present. Node-only; imported by *.test.ts files.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll } from 'vitest';
import { join } from 'node:path';
import { encodeTeacher } from '../engine/checkpoint';
import { DATASETS, TEACHER_ARCH, withDefaults, type TrainConfig } from '../engine/config';
import type { FetchBytes } from '../engine/data/dataset';
import { fsFetchBytes } from '../engine/data/nodeFetch';
import { disposeParams } from '../engine/nn';
import { createTeacher } from '../engine/teacher';
import { WASM_DIR } from '../engine/testing/wasmBackend';
import { TrainingHost, type HostOptions } from './host';
import { PROTOCOL_VERSION, type Endpoint, type FromWorker, type RunOptions, type ToWorker } from './protocol';

export const PUBLIC_DIR = join(import.meta.dirname, '..', '..', 'public');
export const TEACHER_DIR = 'models/fashion-mnist-teacher';

/** A tiny cpu run: 64 training images at batch 16 (4 steps an epoch), 16 evaluation images. */
export function tinyConfig(patch: Partial<TrainConfig> = {}): TrainConfig {
  return withDefaults({
    student: 'deit-nano',
    backend: 'cpu',
    trainSubset: 64,
    batchSize: 16,
    epochs: 1,
    evalSubset: 16,
    testSubset: 32,
    evalInterval: 2,
    warmupSteps: 2,
    distillation: 'soft',
    ...patch,
  });
}

/** teacher.json + weights of a seeded, untrained teacher; `poison` fills every weight with NaN. */
export async function memoryTeacher(poison = false): Promise<Map<string, Uint8Array>> {
  const teacher = createTeacher(TEACHER_ARCH, DATASETS['fashion-mnist'], 7);
  const { json, weights } = await encodeTeacher(teacher, {
    dataset: 'fashion-mnist',
    testAccuracy: 0.1,
    trainedOn: poison ? 'nothing: NaN weights for a test' : 'nothing: untrained, for tests',
    command: 'src/workers/testHost.ts',
    createdAt: new Date(0).toISOString(),
  });
  disposeParams(teacher.params);
  if (poison) new Float32Array(weights.buffer, weights.byteOffset, weights.byteLength / 4).fill(NaN);
  return new Map([
    [`${TEACHER_DIR}/teacher.json`, new TextEncoder().encode(JSON.stringify(json))],
    [`${TEACHER_DIR}/${json.weightsManifest[0]!.paths[0]!}`, weights],
  ]);
}

export function withFiles(base: FetchBytes, files: Map<string, Uint8Array>): FetchBytes {
  return async (path, onBytes) => {
    const f = files.get(path);
    if (!f) return base(path, onBytes);
    onBytes?.(f.length, f.length);
    return f;
  };
}

export interface Harness {
  host: TrainingHost;
  messages: FromWorker[];
  send(msg: ToWorker): void;
  init(config: TrainConfig, runId?: string, options?: RunOptions): void;
  /** Resolves with the first message (after `from`) that matches; rejects when no message arrived for `ms`. */
  next<T extends FromWorker['type']>(type: T, pred?: (m: Extract<FromWorker, { type: T }>) => boolean, ms?: number, from?: number): Promise<Extract<FromWorker, { type: T }>>;
  of<T extends FromWorker['type']>(type: T, runId?: string): Extract<FromWorker, { type: T }>[];
  close(): Promise<void>;
}

/** Builds the host on the channel's worker end: the app's TrainingHost, or the bench worker's BenchHost. */
export type MakeHost = (endpoint: Endpoint, opts: HostOptions) => TrainingHost;

export function connect(files: Map<string, Uint8Array>, opts: Partial<HostOptions> = {}, make: MakeHost = (e, o) => new TrainingHost(e, o)): Harness {
  const { port1, port2 } = new MessageChannel();
  const host = make(port1 as unknown as Endpoint, {
    // The wasm binaries from node_modules, as the build serves them: a test may train on 'wasm' (5-11x faster than cpu).
    backendEnv: { gpu: undefined, wasmPaths: WASM_DIR },
    fetchBytes: () => withFiles(fsFetchBytes(PUBLIC_DIR), files),
    ...opts,
  });
  const messages: FromWorker[] = [];
  port2.onmessage = (ev: MessageEvent) => messages.push(ev.data as FromWorker);
  const send = (msg: ToWorker) => port2.postMessage(msg);
  const of = <T extends FromWorker['type']>(type: T, runId?: string) =>
    messages.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type && (runId === undefined || ('runId' in m && m.runId === runId)));
  return {
    host,
    messages,
    send,
    of,
    init: (config, runId = 'run-1', options) =>
      send({ type: 'init', version: PROTOCOL_VERSION, runId, config, baseUrl: 'http://test.invalid/', ...(options ? { options } : {}) }),
    async next(type, pred = () => true, ms = 60_000, from = 0) {
      // Waits on progress, not on the clock: `ms` is how long the worker may stay silent (a loaded machine trains slowly).
      let t0 = Date.now();
      let seen = messages.length;
      for (;;) {
        const hit = messages.slice(from).find((m) => m.type === type && pred(m as never));
        if (hit) return hit as never;
        if (messages.length !== seen) {
          seen = messages.length;
          t0 = Date.now();
        }
        if (Date.now() - t0 > ms) {
          const got = messages.map((m) => (m.type === 'status' ? `status:${m.status}` : m.type === 'error' ? `error:${m.message}` : m.type)).join(', ');
          throw new Error(`no '${type}' message, and none at all for ${ms} ms; got: ${got}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await host.dispose();
      port1.close();
      port2.close();
    },
  };
}

/** Tensors alive in the engine right now. */
export function numTensors(): number {
  return tf.memory().numTensors;
}

/**
 * A test file's hosts, at the top level of the file: the in-memory teacher's files built once, and every harness the
 * file connects closed after each test. `connect` defaults to those files and to the app's TrainingHost.
 */
export function hostSuite(): { files: () => Map<string, Uint8Array>; connect: (files?: Map<string, Uint8Array>, opts?: Partial<HostOptions>, make?: MakeHost) => Harness } {
  let teacherFiles: Map<string, Uint8Array> | null = null;
  let open: Harness[] = [];
  beforeAll(async () => {
    teacherFiles = await memoryTeacher();
  });
  afterEach(async () => {
    for (const h of open) await h.close();
    open = [];
  });
  const files = () => {
    if (!teacherFiles) throw new Error('hostSuite: the teacher files are built in beforeAll; call files() inside a test');
    return teacherFiles;
  };
  return {
    files,
    connect(f = files(), opts = {}, make) {
      const h = connect(f, opts, make);
      open.push(h);
      return h;
    },
  };
}
