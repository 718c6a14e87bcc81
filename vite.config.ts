// Vite build for the app (React on the main thread, tfjs only inside the training worker) and Vitest config for the engine.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import type { Connect, Plugin } from 'vite';

/**
 * Vite's static server (sirv) sends every `*.gz` file with `Content-Encoding: gzip`, so the browser inflates the
 * dataset files before the data layer sees them and their SHA-256 check fails ("not a gzip file ... already
 * decompressed"). The datasets are meant to arrive as the bytes on disk: drop that header in dev and preview.
 */
function gzipFilesAsBytes(): Plugin {
  const strip: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url && /\.gz(?:[?#]|$)/.test(req.url)) {
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
      res.writeHead = ((code: number, ...rest: unknown[]) => {
        for (const h of rest) {
          if (!h || typeof h !== 'object') continue;
          delete (h as Record<string, unknown>)['Content-Encoding'];
          (h as Record<string, unknown>)['Content-Type'] = 'application/gzip';
        }
        res.removeHeader('Content-Encoding');
        return writeHead(code, ...rest);
      }) as typeof res.writeHead;
    }
    next();
  };
  return {
    name: 'gzip-files-as-bytes',
    configureServer: (server) => void server.middlewares.use(strip),
    configurePreviewServer: (server) => void server.middlewares.use(strip),
  };
}

const INPUTS = {
  production: { main: 'index.html' },
  harness: { harness: 'e2e-harness.html' },
  bench: { main: 'index.html', harness: 'e2e-harness.html' },
};

export default defineConfig(({ mode }) => ({
  plugins: [react(), gzipFilesAsBytes()],
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    // The app alone. `--mode harness` builds the bare page that drives the training worker (e2e/worker.spec.ts, into
    // dist-harness) and `--mode bench` both (npm run bench: the harness with the bench worker, and the app for the
    // health run): test and benchmark pages never ship with the app.
    rolldownOptions: { input: INPUTS[mode as keyof typeof INPUTS] ?? INPUTS.production },
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: true },
  test: {
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default here is one fork (cores - 1 on this 2-core machine); two run the suite in 127 s instead of 189.
    maxWorkers: 2,
    projects: [
      // The engine on tfjs's cpu backend, and scripts.
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['src/**/*.webgpu.test.ts'],
          setupFiles: ['src/engine/testSetup.ts'],
          // One module graph per fork rather than per file: tfjs and the setup load once per fork, not 51 times
          // (setup 46 s -> 6 s of the suite). Every file's setup still selects tfjs-cpu, and tensor-count checks
          // compare against a baseline taken in the test, never against zero.
          isolate: false,
        },
      },
      // WebGPU kernels on Dawn in Node (a real GPU, or Mesa llvmpipe through OpenGL ES); skips, saying why, without an adapter.
      {
        extends: true,
        test: { name: 'webgpu', include: ['src/**/*.webgpu.test.ts'], setupFiles: ['src/engine/testing/webgpuSetup.ts'] },
      },
    ],
  },
}));
