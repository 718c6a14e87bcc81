// Vitest setup: the engine runs in Node on the tfjs cpu backend, with gradients registered by the union package.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';

await tf.setBackend('cpu');
await tf.ready();
