// Trains the CNN teacher on all 60k Fashion-MNIST training images with the app's own engine, and writes the
// checkpoint the app ships in public/models/fashion-mnist-teacher/. Usage: npm run train-teacher [-- --epochs 2 --backend wasm]
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeTeacher } from '../src/engine/checkpoint';
import { DATASETS, withDefaults } from '../src/engine/config';
import { loadDataset } from '../src/engine/data/dataset';
import { fsFetchBytes } from '../src/engine/data/nodeFetch';
import { evaluateTeacher } from '../src/engine/evaluate';
import { TeacherTrainer } from '../src/engine/trainer';
import { useNodeBackend } from './nodeBackend';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '0' },
    batch: { type: 'string', default: '64' },
    out: { type: 'string', default: 'public/models/fashion-mnist-teacher' },
    'max-steps': { type: 'string' },
  },
});

const backend = await useNodeBackend(values.backend);
const root = join(import.meta.dirname, '..');
const data = await loadDataset('fashion-mnist', fsFetchBytes(join(root, 'public')));
const info = DATASETS['fashion-mnist'];
const cfg = withDefaults({ trainSubset: data.train.count, teacherEpochs: Number(values.epochs), seed: Number(values.seed), batchSize: Number(values.batch) });
const trainer = new TeacherTrainer(cfg, data);
const maxSteps = values['max-steps'] ? Number(values['max-steps']) : trainer.totalSteps;
console.log(`backend ${backend}, ${trainer.totalSteps} steps (${cfg.teacherEpochs} epochs of ${cfg.trainSubset} at batch ${cfg.batchSize}), conv ${trainer.convImpl}`);
const t0 = performance.now();
while (!trainer.done && trainer.step < maxSteps) {
  trainer.trainStep();
  if (trainer.step % 50 === 0 || trainer.done) {
    const r = await trainer.readLosses();
    const s = (performance.now() - t0) / 1000;
    console.log(`step ${trainer.step}/${trainer.totalSteps} epoch ${trainer.epoch} loss ${r?.total.toFixed(4)} lr ${trainer.learningRate.toExponential(2)} ${(trainer.imagesSeen / s).toFixed(0)} img/s`);
  }
}
const all = Int32Array.from({ length: data.test.count }, (_, i) => i);
const ev = await evaluateTeacher(trainer.teacher, data.test, info, all, 500, trainer.convImpl);
console.log(`test accuracy ${(ev.acc * 100).toFixed(2)}% (${ev.count} images), loss ${ev.loss.toFixed(4)}`);
const command = `npm run train-teacher -- --epochs ${values.epochs} --backend ${values.backend} --seed ${values.seed} --batch ${values.batch}`;
const { json, weights } = await encodeTeacher(trainer.teacher, {
  dataset: 'fashion-mnist',
  testAccuracy: Number(ev.acc.toFixed(4)),
  trainedOn: `all ${data.train.count} training images, ${trainer.step} steps of batch ${cfg.batchSize}, AdamW, tfjs ${backend}`,
  command,
  createdAt: new Date().toISOString(),
});
await mkdir(resolve(root, values.out), { recursive: true });
await writeFile(resolve(root, values.out, 'teacher.json'), JSON.stringify(json, null, 2) + '\n');
await writeFile(resolve(root, values.out, json.weightsManifest[0]!.paths[0]!), weights);
console.log(`wrote ${values.out}/teacher.json (${json.parameters} parameters) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
