// The engine alone in Node on the CPU backends (cpu, wasm), so its cost can be compared with other frameworks on the
// same CPU. Usage: npm run bench:node [-- --backends wasm,cpu --presets deit-nano,deit-micro --batch 64 --steps 5]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { benchmarkStudent, type BenchResult } from '../src/engine/benchmark';
import { STUDENT_PRESET_NAMES, type StudentPreset } from '../src/engine/config';
import { formatTable, machineFacts, writeResults } from './benchTable';
import { useNodeBackend } from './nodeBackend';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    presets: { type: 'string', default: 'deit-nano,deit-micro' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
  },
});

const presets = values.presets.split(',') as StudentPreset[];
for (const p of presets) if (!STUDENT_PRESET_NAMES.includes(p)) throw new Error(`unknown preset ${p}; one of ${STUDENT_PRESET_NAMES.join(', ')}`);
const rows: (BenchResult & { mode: string })[] = [];
for (const backend of values.backends.split(',')) {
  await useNodeBackend(backend);
  for (const preset of presets) {
    const r = await benchmarkStudent({ preset, batchSize: Number(values.batch), steps: Number(values.steps), warmupSteps: Number(values.warmup) });
    rows.push({ ...r, mode: 'node' });
    console.log(formatTable([rows[rows.length - 1]!]).split('\n')[2]);
  }
}
console.log('\n' + formatTable(rows));
const file = await writeResults(join(import.meta.dirname, '..'), 'node', { kind: 'node', machine: machineFacts(), tfjs: tf.version_core, options: values, results: rows });
console.log(`\nwrote ${file}`);
