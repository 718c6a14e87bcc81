// The engine alone in Node: on the CPU backends (cpu, wasm), to compare its cost with other frameworks on the same CPU,
// and on WebGPU through Dawn (a real GPU with Vulkan, else Mesa's software GL), where it also counts the kernel
// dispatches of a steady student step. Usage:
//   npm run bench:node [-- --backends wasm,cpu --presets deit-nano,deit-micro --batch 64 --steps 5]
//   npm run bench:node -- --backend webgpu [--presets deit-nano,deit-micro,deit-ti] [--kernels on|off|both] [--counts-only]
// On a GPU server without the repo: npm run bench:pack writes a folder that runs this script with one command.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { benchmarkStudent, type BenchResult } from '../src/engine/benchmark';
import { STUDENT_PRESET_NAMES, type StudentPreset } from '../src/engine/config';
import { countStudentStep, type StepCounts } from '../src/engine/testing/stepCounts';
import { alignTable, formatTable, machineFacts, writeResults } from './benchTable';
import { useNodeBackend } from './nodeBackend';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    backend: { type: 'string' },
    presets: { type: 'string' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    // WebGPU only: the engine's own kernels (src/engine/webgpu) on, off (plain tfjs), or both, interleaved per preset.
    kernels: { type: 'string', default: 'on' },
    // WebGPU only: count dispatches, skip the throughput runs.
    'counts-only': { type: 'boolean', default: false },
    // WebGPU only: executed steps whose dispatches are counted (0: the compile-only trace alone, for big presets on slow adapters).
    'count-steps': { type: 'string', default: '2' },
    // Where the JSON goes (default: the repo's bench/results; the packed bench passes its own folder).
    'results-dir': { type: 'string' },
  },
});

const backends = (values.backend ?? values.backends).split(',');
const presets = (values.presets ?? (backends.includes('webgpu') ? 'deit-nano,deit-micro,deit-ti' : 'deit-nano,deit-micro')).split(',') as StudentPreset[];
for (const p of presets) if (!STUDENT_PRESET_NAMES.includes(p)) throw new Error(`unknown preset ${p}; one of ${STUDENT_PRESET_NAMES.join(', ')}`);
const kernelModes = { on: [true], off: [false], both: [false, true] }[values.kernels];
if (!kernelModes) throw new Error(`--kernels ${values.kernels}: one of on, off, both`);

type Row = (BenchResult & { mode: string } & ReturnType<typeof achieved>) | null;

/**
 * FLOPs of one training step per image from the model's analytic multiply-accumulates (matMuls only: forward 2 x MACs,
 * backward 2 x forward), and the rate the precomputed-teacher step reached: what a GPU's peak can be compared with.
 */
function achieved(r: BenchResult): { trainFlopsPerImage: number; achievedGflops: number } {
  const trainFlopsPerImage = 6 * r.macsPerImage;
  return { trainFlopsPerImage, achievedGflops: (trainFlopsPerImage * r.imagesPerSecPrecomputed) / 1e9 };
}
const rows: NonNullable<Row>[] = [];
const counts: (StepCounts & { kernels: boolean; adapter: string })[] = [];
let adapter = '';
for (const backend of backends) {
  await useNodeBackend(backend);
  if (backend === 'webgpu') adapter = (await import('../src/engine/testing/nodeWebgpu')).describeAdapter();
  for (const preset of presets) {
    for (const kernels of backend === 'webgpu' ? kernelModes : [true]) {
      tf.env().set('DEIT_WEBGPU_KERNELS', kernels);
      const mode = backend === 'webgpu' ? `node kernels=${kernels ? 'on' : 'off'}` : 'node';
      if (backend === 'webgpu') {
        const c = await countStudentStep(preset, Number(values.batch), Number(values['count-steps']));
        counts.push({ ...c, kernels, adapter });
        console.log(`${preset} ${mode}: ${c.dispatchesPerStep ?? '-'} dispatches/step (traced ${c.tracedDispatchesPerStep}), ${c.submitsPerStep ?? '-'} submits/step, ${c.opsPerStep} tfjs ops`);
        if (values['counts-only']) continue;
      }
      const r = await benchmarkStudent({ preset, batchSize: Number(values.batch), steps: Number(values.steps), warmupSteps: Number(values.warmup) });
      rows.push({ ...r, mode, ...achieved(r) });
      console.log(formatTable([rows[rows.length - 1]!]).split('\n')[2]);
    }
  }
}
if (rows.length > 0) {
  console.log('\n' + formatTable(rows));
  console.log('\nAchieved arithmetic rate of a student training step (teacher logits precomputed), against the analytic\n' +
    'FLOPs of its matMuls (forward 2 x MACs per image, backward twice that):');
  console.log(alignTable(['mode', 'backend', 'preset', 'MFLOP/image (train)', 'img/s', 'GFLOP/s'],
    rows.map((r) => [r.mode, r.backend, r.preset, (r.trainFlopsPerImage / 1e6).toFixed(1), r.imagesPerSecPrecomputed.toFixed(1), r.achievedGflops.toFixed(2)])));
}
if (counts.length > 0) {
  console.log(`\nWebGPU kernel dispatches per steady student step (hard, precomputed teacher logits, batch ${values.batch}; ${adapter}):`);
  console.log(alignTable(
    ['preset', 'kernels', 'dispatches/step', 'traced', 'submits/step', 'tfjs ops', 'top programs'],
    counts.map((c) => [c.preset, c.kernels ? 'on' : 'off', String(c.dispatchesPerStep ?? '-'), String(c.tracedDispatchesPerStep), String(c.submitsPerStep ?? '-'),
      String(c.opsPerStep), Object.entries(c.programs).slice(0, 4).map(([k, v]) => `${k.replace(/Program$/, '')} ${v}`).join(', ')]),
  ));
}
const file = await writeResults(values['results-dir'] ?? join(import.meta.dirname, '..', 'bench', 'results'), backends.includes('webgpu') ? 'node-webgpu' : 'node', { kind: 'node', machine: machineFacts(), tfjs: tf.version_core, adapter, options: values, results: rows, counts });
console.log(`\nwrote ${file}`);
// Dawn keeps the event loop alive after the last GPU call.
process.exit(0);
