// Trains a teacher on all 60k Fashion-MNIST training images with the app's own engine, and writes the checkpoint the
// app ships in public/models/. The CNN (default), the transformer (--model vit), or a CNN stopped as soon as its test
// accuracy is within 0.5 point of another checkpoint's (--match DIR: the "CNN (matched accuracy)" teacher).
// Usage: npm run train-teacher [-- --model cnn|vit --epochs 2 --backend wasm --seed 0 --batch 64 --out DIR]
//        npm run train-teacher -- --model cnn --match public/models/fashion-mnist-teacher-vit --eval-every 10
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeTeacher } from '../src/engine/checkpoint';
import { DATASETS, teacherDir, withDefaults, type TeacherModelName } from '../src/engine/config';
import { loadDataset } from '../src/engine/data/dataset';
import { fsFetchBytes } from '../src/engine/data/nodeFetch';
import { evaluateTeacher } from '../src/engine/evaluate';
import { TeacherTrainer } from '../src/engine/trainer';
import { useNodeBackend } from './nodeBackend';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'cnn' },
    epochs: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '0' },
    batch: { type: 'string', default: '64' },
    out: { type: 'string' },
    'max-steps': { type: 'string' },
    /** A checkpoint folder whose teacher.json testAccuracy this run stops at (within --tolerance points). */
    match: { type: 'string' },
    tolerance: { type: 'string', default: '0.5' },
    /** With --match: steps between full test-set evaluations (every step once within 3 points of the target). */
    'eval-every': { type: 'string', default: '10' },
  },
});

if (values.model !== 'cnn' && values.model !== 'vit') throw new Error('--model must be cnn or vit');
const model: TeacherModelName = values.model;
const root = join(import.meta.dirname, '..');
const outDir = resolve(root, values.out ?? join('public', teacherDir('fashion-mnist', values.match ? 'cnn-matched' : model)));
const logFile = join(outDir, 'train.log');
await mkdir(outDir, { recursive: true });
await writeFile(logFile, '');
const log = async (line: string) => {
  console.log(line);
  await appendFile(logFile, line + '\n');
};

const backend = await useNodeBackend(values.backend);
const data = await loadDataset('fashion-mnist', fsFetchBytes(join(root, 'public')));
const info = DATASETS['fashion-mnist'];
const cfg = withDefaults({
  trainSubset: data.train.count, teacherEpochs: Number(values.epochs), seed: Number(values.seed), batchSize: Number(values.batch),
  teacher: 'train', teacherModel: model,
});
const target = values.match ? (JSON.parse(await readFile(resolve(root, values.match, 'teacher.json'), 'utf8')) as { testAccuracy: number }).testAccuracy : null;
const tolerance = Number(values.tolerance) / 100;
const evalEvery = Number(values['eval-every']);
const trainer = new TeacherTrainer(cfg, data);
const maxSteps = values['max-steps'] ? Number(values['max-steps']) : trainer.totalSteps;
const all = Int32Array.from({ length: data.test.count }, (_, i) => i);
// Inference uses tf.conv2d on every backend (a forward pass exists everywhere, ~4x faster than im2col on CPU backends).
const testAccuracy = () => evaluateTeacher(trainer.teacher, data.test, info, all, 500, 'native');
await log(`backend ${backend}, ${model} teacher, ${trainer.totalSteps} steps (${cfg.teacherEpochs} epochs of ${cfg.trainSubset} at batch ${cfg.batchSize})`
  + (target === null ? '' : `, stopping when the test accuracy is within ${values.tolerance} point of ${(target * 100).toFixed(2)}%`));

const t0 = performance.now();
let ev: Awaited<ReturnType<typeof testAccuracy>> | null = null;
let nextEval = evalEvery;
while (!trainer.done && trainer.step < maxSteps) {
  trainer.trainStep();
  if (trainer.step % 50 === 0 || trainer.done) {
    const r = await trainer.readLosses();
    const s = (performance.now() - t0) / 1000;
    await log(`step ${trainer.step}/${trainer.totalSteps} epoch ${trainer.epoch} loss ${r?.total.toFixed(4)} lr ${trainer.learningRate.toExponential(2)} ${(trainer.imagesSeen / s).toFixed(0)} img/s, ${s.toFixed(0)} s`);
  }
  if (target !== null && trainer.step >= nextEval) {
    ev = await testAccuracy();
    await log(`step ${trainer.step}: test accuracy ${(ev.acc * 100).toFixed(2)}% (target ${(target * 100).toFixed(2)}%)`);
    if (Math.abs(ev.acc - target) <= tolerance) break;
    if (ev.acc > target + tolerance) throw new Error(`passed the target between two evaluations (${(ev.acc * 100).toFixed(2)}%): lower --eval-every`);
    // Within 3 points of the target, every step is evaluated: accuracy moves by points per step this early.
    nextEval = trainer.step + (target - ev.acc < 0.03 ? 1 : evalEvery);
    ev = null;
  }
}
if (target !== null && ev === null) throw new Error(`never came within ${values.tolerance} point of ${(target * 100).toFixed(2)}%: raise --epochs`);
ev ??= await testAccuracy();
const seconds = (performance.now() - t0) / 1000;
await log(`test accuracy ${(ev.acc * 100).toFixed(2)}% (${ev.count} images), loss ${ev.loss.toFixed(4)}, ${seconds.toFixed(0)} s`);
const command = `npm run train-teacher -- --model ${model} --epochs ${values.epochs} --backend ${values.backend} --seed ${values.seed} --batch ${values.batch}`
  + (values.match ? ` --match ${values.match} --tolerance ${values.tolerance} --eval-every ${evalEvery}` : '');
const stopped = target === null ? '' : `, stopped at the first full test evaluation within ${values.tolerance} point of ${(target * 100).toFixed(2)}%`;
const { json, weights } = await encodeTeacher(trainer.teacher, {
  dataset: 'fashion-mnist',
  testAccuracy: Number(ev.acc.toFixed(4)),
  trainedOn: `all ${data.train.count} training images, ${trainer.step} steps of batch ${cfg.batchSize}${stopped}, AdamW, tfjs ${backend}, ${Math.round(seconds / 60)} min on a 2-core CPU`,
  command,
  createdAt: new Date().toISOString(),
});
await writeFile(join(outDir, 'teacher.json'), JSON.stringify(json, null, 2) + '\n');
await writeFile(join(outDir, json.weightsManifest[0]!.paths[0]!), weights);
await log(`wrote ${outDir}/teacher.json (${json.parameters} parameters) in ${seconds.toFixed(0)} s`);
