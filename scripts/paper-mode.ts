// Paper mode (DeiT Table 3 at browser scale) through the engine alone in Node: the same four runs the page queues
// (engine/paperRuns.ts), trained with the app's defaults unless told otherwise, scored on the first N test images,
// printed as the same Markdown the page exports. Long at the defaults (4 runs x 312 steps per seed on a CPU backend).
// Usage: npm run paper-mode -- [--seeds 2] [--seed 0] [--student deit-micro] [--epochs 2] [--train 10000]
//        [--batch 64] [--lr 0.003] [--test 2000] [--backend wasm] [--out paper-table.md]
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTeacherCheckpoint } from '../src/engine/checkpoint';
import { DATASETS, STUDENT_PRESET_NAMES, validateConfig, withDefaults, type StudentPreset } from '../src/engine/config';
import { loadDataset } from '../src/engine/data/dataset';
import { fsFetchBytes } from '../src/engine/data/nodeFetch';
import { evaluate } from '../src/engine/evaluate';
import { paperPlan } from '../src/engine/paperRuns';
import { StudentTrainer } from '../src/engine/trainer';
import { paperMarkdown } from '../src/ui/paper/paperExport';
import { buildPaperTable, type PaperRunResult } from '../src/ui/paper/paperTable';
import { useNodeBackend } from './nodeBackend';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '2' },
    seed: { type: 'string', default: String(withDefaults().seed) },
    student: { type: 'string', default: withDefaults().student },
    epochs: { type: 'string', default: String(withDefaults().epochs) },
    train: { type: 'string', default: String(withDefaults().trainSubset) },
    batch: { type: 'string', default: String(withDefaults().batchSize) },
    lr: { type: 'string', default: String(withDefaults().lr) },
    test: { type: 'string', default: '2000' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string' },
  },
});

if (!(STUDENT_PRESET_NAMES as string[]).includes(values.student)) throw new Error(`--student must be one of ${STUDENT_PRESET_NAMES.join(', ')}`);
const seeds = Number(values.seeds);
if (!Number.isInteger(seeds) || seeds < 1 || seeds > 10) throw new Error('--seeds must be an integer in [1, 10]');
const base = withDefaults({
  student: values.student as StudentPreset,
  seed: Number(values.seed),
  epochs: Number(values.epochs),
  trainSubset: Number(values.train),
  batchSize: Number(values.batch),
  lr: Number(values.lr),
  testSubset: Number(values.test),
  backend: values.backend as 'wasm' | 'cpu',
});
const problems = validateConfig(base);
if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));

const backend = await useNodeBackend(values.backend);
const root = join(import.meta.dirname, '..');
const fetchBytes = fsFetchBytes(join(root, 'public'));
const data = await loadDataset('fashion-mnist', fetchBytes);
const info = DATASETS['fashion-mnist'];
const { teacher, meta } = await loadTeacherCheckpoint(fetchBytes, 'models/fashion-mnist-teacher', info);
const testIndices = Int32Array.from({ length: base.testSubset }, (_, i) => i);
console.log(`backend ${backend}; teacher ${meta.testAccuracy * 100}% on the full test set; ${seeds} seed(s) from ${base.seed}`);

const results: PaperRunResult[] = [];
const t0 = performance.now();
for (let k = 0; k < seeds; k++) {
  for (const run of paperPlan({ ...base, seed: base.seed + k }, 1)) {
    const trainer = new StudentTrainer(run.config, data, teacher, 'native');
    await trainer.precomputeTeacher();
    while (!trainer.done) {
      trainer.trainStep();
      if (trainer.step % 50 === 0 || trainer.done) await trainer.readLosses(); // the sync point; throws on a non-finite loss
    }
    const m = await evaluate(trainer.student, null, data.test, info, testIndices, 500, run.config);
    results.push({ kind: run.kind, seed: run.seed, acc: { cls: m.clsAcc, dist: m.distAcc, fused: m.fusedAcc } });
    const pct = (v: number | null) => (v === null ? '-' : (v * 100).toFixed(1));
    console.log(`${run.kind} seed ${run.seed}: cls ${pct(m.clsAcc)} dist ${pct(m.distAcc)} fused ${pct(m.fusedAcc)} ` +
      `(${trainer.step} steps, ${((performance.now() - t0) / 1000).toFixed(0)} s so far)`);
    trainer.dispose();
  }
}

const command = `npm run paper-mode -- --seeds ${seeds} --seed ${base.seed} --student ${base.student} --epochs ${base.epochs} ` +
  `--train ${base.trainSubset} --batch ${base.batchSize} --lr ${base.lr} --test ${base.testSubset} --backend ${values.backend}`;
const md = `${paperMarkdown(buildPaperTable(results), base, seeds)}\nCommand: \`${command}\` (tfjs ${backend} in Node, ` +
  `${((performance.now() - t0) / 60000).toFixed(0)} min).\n`;
console.log(`\n${md}`);
if (values.out) await writeFile(values.out, md);
