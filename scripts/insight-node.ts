// The insight views' numbers for a short run measured in Node (tfjs wasm), through the worker's own host and
// protocol: token similarity per layer, agreement of each head with the teacher, per-class accuracy. For the README.
// Usage: npx tsx scripts/insight-node.ts [-- --steps 64 --mode hard --seed 0]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs';
import { withDefaults, type Distillation } from '../src/engine/config';
import { fsFetchBytes } from '../src/engine/data/nodeFetch';
import { TrainingHost } from '../src/workers/host';
import { PROTOCOL_VERSION, type EvalPoint, type FromWorker } from '../src/workers/protocol';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '64' }, mode: { type: 'string', default: 'hard' }, seed: { type: 'string', default: '0' } } });
const batchSize = 64;
const steps = Number(values.steps);
const config = withDefaults({
  student: 'deit-micro', distillation: values.mode as Distillation, backend: 'wasm', batchSize,
  trainSubset: steps * batchSize, epochs: 1, evalSubset: 256, testSubset: 1000, evalInterval: Math.max(1, steps / 4), seed: Number(values.seed),
});
const require = createRequire(import.meta.url);
const wasmPaths = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/';
const { port1, port2 } = new MessageChannel();
const host = new TrainingHost(port1 as unknown as ConstructorParameters<typeof TrainingHost>[0], {
  backendEnv: { gpu: undefined, wasmPaths },
  fetchBytes: () => fsFetchBytes(join(import.meta.dirname, '..', 'public')),
});
const evals: EvalPoint[] = [];
const t0 = Date.now();
const done = new Promise<void>((resolve, reject) => {
  port2.onmessage = (ev: MessageEvent) => {
    const m = ev.data as FromWorker;
    if (m.type === 'ready') port2.postMessage({ type: 'start' });
    if (m.type === 'eval' && m.point.phase === 'student') {
      evals.push(m.point);
      const c = m.point.tokenCosine;
      if (c) console.log(`step ${m.point.step}: fused ${(m.point.fusedAcc! * 100).toFixed(1)}%, cosine per layer ${c.layers.map((v) => v.toFixed(2)).join(' ')}, tokens ${c.params.toFixed(2)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    if (m.type === 'error') reject(new Error(m.message));
    if (m.type === 'status' && m.status === 'done') resolve();
  };
});
port2.postMessage({ type: 'init', version: PROTOCOL_VERSION, runId: 'readme', config, baseUrl: '' });
await done;
const subset = evals.filter((e) => e.split === 'subset').at(-1)!;
const test = evals.filter((e) => e.split === 'test').at(-1)!;
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
console.log(`\n${values.mode}, deit-micro, seed ${values.seed}, ${steps} steps of ${batchSize} (${((Date.now() - t0) / 1000).toFixed(0)} s), wasm`);
console.log(`token cosine (probe ${subset.tokenCosine!.count} images): ${subset.tokenCosine!.layers.map((v, l, a) => `${l === a.length - 1 ? 'norm' : `block ${l + 1}`} ${v.toFixed(3)}`).join(', ')}; learned tokens ${subset.tokenCosine!.params.toFixed(3)}`);
console.log(`agreement with the teacher (${subset.count} images): class head ${pct(subset.agreement?.cls)}, distillation head ${pct(subset.agreement?.dist)}, fused ${pct(subset.agreement?.fused)}`);
const conf = test.confusion!;
for (const source of ['fused', 'cls', 'dist', 'teacher'] as const) {
  const counts = conf.counts[source];
  if (!counts) continue;
  const per = Array.from({ length: 10 }, (_, y) => counts[y * 11]! / Math.max(1, counts.slice(y * 10, y * 10 + 10).reduce((a, b) => a + b, 0)));
  console.log(`per-class accuracy, ${source} (${test.count} test images): ${per.map((v) => (v * 100).toFixed(0)).join(' ')}`);
}
await host.dispose();
port1.close();
port2.close();
