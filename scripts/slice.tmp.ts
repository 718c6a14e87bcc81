import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { DATASETS, STUDENT_PRESETS } from '../src/engine/config';
import { AdamW } from '../src/engine/optimizer';
import { createStudent } from '../src/engine/student';
import { studentStep } from '../src/engine/train';
await tf.setBackend('cpu');
const info = DATASETS['fashion-mnist'];
const student = createStudent(STUDENT_PRESETS['deit-nano'], info, 1);
const opt = new AdamW(student.params, { weightDecay: 0.05 });
const x = tf.randomUniform([8, 28, 28, 1]) as tf.Tensor4D;
const y = tf.randomUniform([8], 0, 10, 'int32') as tf.Tensor1D;
const lg = tf.randomNormal([8, 10]) as tf.Tensor2D;
const eng = tf.engine() as any;
const orig = eng.runKernel.bind(eng);
const where = new Map<string, number>();
const target = process.argv[2] ?? 'Slice';
eng.runKernel = (name: string, ...a: any[]) => {
  if (name === target) {
    const st = new Error().stack!.split('\n').slice(2, 9).filter(l => !l.includes('node_modules/@tensorflow/tfjs-core/dist/engine')).map(l => l.trim().replace(/\(.*node_modules\//, '(').slice(0, 110)).join(' | ');
    where.set(st, (where.get(st) ?? 0) + 1);
  }
  return orig(name, ...a);
};
studentStep(student, opt, x, y, lg, { distillation: 'hard', alpha: 0.5, tau: 3, labelSmoothing: 0, lr: 1e-4, clipNorm: 0 });
for (const [k, v] of [...where].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(v, k);
