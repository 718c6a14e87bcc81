// Test doubles for the worker side: a fake WorkerClient that records what the UI sends and replays messages,
// and factories for protocol payloads with realistic defaults.
import type {
  BackendReport, EvalPoint, FromWorker, MetricsPoint, Sample, TeacherInfo, ToWorker,
} from '../../workers/protocol';
import type { WorkerClient } from '../worker/workerClient';

type Listener = (msg: FromWorker) => void;

export class FakeClient implements WorkerClient {
  readonly sent: ToWorker[] = [];
  restarts = 0;
  terminated = false;
  private readonly any = new Set<Listener>();
  private readonly typed = new Map<string, Set<Listener>>();
  private readonly crashes = new Set<(info: { message: string }) => void>();

  send(msg: ToWorker): void {
    this.sent.push(msg);
  }

  on<T extends FromWorker['type']>(type: T, fn: (msg: Extract<FromWorker, { type: T }>) => void): () => void {
    const set = this.typed.get(type) ?? new Set<Listener>();
    this.typed.set(type, set);
    const l = fn as Listener;
    set.add(l);
    return () => set.delete(l);
  }

  onAny(fn: Listener): () => void {
    this.any.add(fn);
    return () => this.any.delete(fn);
  }

  onCrash(fn: (info: { message: string }) => void): () => void {
    this.crashes.add(fn);
    return () => this.crashes.delete(fn);
  }

  restart(): void {
    this.restarts++;
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Delivers a message as the worker would: catch-all listeners first, then typed ones. */
  emit(msg: FromWorker): void {
    for (const l of this.any) l(msg);
    for (const l of this.typed.get(msg.type) ?? []) l(msg);
  }

  crash(message: string): void {
    for (const l of this.crashes) l({ message });
  }

  /** Types of the messages sent so far. */
  sentTypes(): string[] {
    return this.sent.map((m) => m.type);
  }

  listenerCount(): number {
    let n = this.any.size + this.crashes.size;
    for (const s of this.typed.values()) n += s.size;
    return n;
  }
}

export function backendReport(over: Partial<BackendReport> = {}): BackendReport {
  return {
    requested: 'auto', backend: 'webgpu',
    adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true },
    tfjsVersion: '4.22.0', fallbackReason: null, attempts: [{ backend: 'webgpu', ok: true, reason: null }], convImpl: 'native',
    ...over,
  };
}

export function metricsPoint(step: number, over: Partial<MetricsPoint> = {}): MetricsPoint {
  return {
    phase: 'student', step, totalSteps: 312, epoch: 0, imagesSeen: step * 64,
    loss: { total: 2 - step / 200, base: 2.1 - step / 200, distill: 1.9 - step / 200 },
    gradNorm: 1, lr: 3e-3, imagesPerSec: 500, numTensors: 100, numBytes: 1e6, time: step * 100,
    ...over,
  };
}

export function evalPoint(step: number, over: Partial<EvalPoint> = {}): EvalPoint {
  return {
    phase: 'student', step, imagesSeen: step * 64, split: 'subset', count: 1000,
    clsAcc: 0.5 + step / 1000, distAcc: 0.52 + step / 1000, fusedAcc: 0.53 + step / 1000,
    teacherAcc: 0.88, agreement: { cls: 0.58, dist: 0.62, fused: 0.6 }, loss: 1.2, tokenCosine: null, confusion: null,
    ...over,
  };
}

export function teacherInfo(over: Partial<TeacherInfo> = {}): TeacherInfo {
  return { source: 'pretrained', parameters: 426122, evalAccuracy: 0.878, checkpointAccuracy: 0.8775, ...over };
}

export function sample(over: Partial<Sample> = {}): Sample {
  return {
    index: 7, label: 3, image: Array(784).fill(0), imageSize: 28,
    teacherLogits: [1, 2, 3, 9, 0, 0, 0, 0, 0, 0],
    clsProbs: Array(10).fill(0.1), distProbs: Array(10).fill(0.1), fusedProbs: Array(10).fill(0.1),
    attention: [[Array.from({ length: 2 }, () => Array(51).fill(1 / 51)), Array.from({ length: 2 }, () => Array(51).fill(1 / 51))]],
    gridSize: 7, step: 10,
    ...over,
  };
}
