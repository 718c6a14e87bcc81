// The bench worker's host: the training host plus the `benchmark` request (benchProtocol.ts). It runs in
// bench.worker.ts only, so neither the benchmark code nor its messages are part of the app's worker.
import type { BenchOptions, BenchResult } from '../engine/benchmark';
import { isBenchmarkRequest, malformedBenchmark, type BenchmarkReply, type BenchmarkRequest } from './benchProtocol';
import { CommandError, describeError } from './errors';
import { TrainingHost, type HostOptions } from './host';
import type { Endpoint } from './protocol';

export class BenchHost extends TrainingHost {
  constructor(endpoint: Endpoint, opts: HostOptions, private readonly bench: (opts: BenchOptions) => Promise<BenchResult>) {
    super(endpoint, opts);
  }

  protected override receiveOther(data: unknown): boolean {
    if (!isBenchmarkRequest(data)) return false;
    const problem = malformedBenchmark(data);
    if (problem) this.post({ type: 'error', runId: '', code: 'protocol', message: problem, step: null });
    else this.enqueue(() => this.benchmark(data), (e) => this.post({ type: 'error', runId: '', ...describeError(e, null) }));
    return true;
  }

  private async benchmark(msg: BenchmarkRequest): Promise<void> {
    if (this.hasRun) throw new CommandError('protocol', 'benchmark: stop the current run first');
    // An unavailable backend is a result too: its report (backend 'none', every attempt's reason) precedes the error.
    const selection = await this.ensureBackend(msg.backend, '', (report) => this.post({ type: 'backend', report }));
    if (!selection) return;
    this.post({ type: 'backend', report: selection.report });
    const results: BenchResult[] = [];
    const { flags, shaderWarmup } = msg.options ?? {};
    for (const preset of msg.presets) {
      results.push(await this.bench({ preset, batchSize: msg.batchSize, steps: msg.steps, warmupSteps: msg.warmupSteps, flags, shaderWarmup }));
    }
    const reply: BenchmarkReply = { type: 'benchmark', results };
    this.endpoint.postMessage(reply);
  }
}
