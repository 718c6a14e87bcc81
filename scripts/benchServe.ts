// Builds the app into a private folder and serves it with vite preview on a free port, for npm run bench. A private
// outDir, so a benchmark never rewrites dist/ under an e2e run that is serving it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Per checkout, so two trees (e.g. a baseline copy for an A/B) never share a build. */
export const BENCH_DIST = join(tmpdir(), 'deit-playground-bench', createHash('sha1').update(join(import.meta.dirname, '..')).digest('hex').slice(0, 10), 'dist');

export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** Runs a command to completion within `timeoutMs`; throws with its output's tail on failure. */
export function runCommand(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new BenchError(`${cmd} ${args.join(' ')} did not finish within ${opts.timeoutMs / 1000} s\n${out.slice(-2000)}`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new BenchError(`${cmd} could not be started: ${e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new BenchError(`${cmd} ${args.join(' ')} exited with ${code}\n${out.slice(-2000)}`));
    });
  });
}

/** Ends a child we started (and its own children: it leads its process group). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** vite build of the app and the harness page into BENCH_DIST (~30 s here). */
export async function buildApp(root: string): Promise<void> {
  await runCommand('npx', ['vite', 'build', '--mode', 'bench', '--outDir', BENCH_DIST, '--emptyOutDir'], { cwd: root, timeoutMs: 300_000 });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Server {
  url: string;
  close(): void;
}

/** Starts vite preview on BENCH_DIST and waits until it answers. */
export async function serveApp(root: string, timeoutMs = 30_000): Promise<Server> {
  // Without a build the preview server answers 404 to everything: say so instead of waiting for it.
  if (!existsSync(join(BENCH_DIST, 'e2e-harness.html'))) {
    throw new BenchError(`no benchmark build of this checkout in ${BENCH_DIST}: run without --no-build once (it builds there)`);
  }
  const port = await freePort();
  const child = spawn('npx', ['vite', 'preview', '--outDir', BENCH_DIST, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const close = () => killGroup(child);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new BenchError(`vite preview exited with ${child.exitCode}\n${out.slice(-2000)}`);
    try {
      const r = await fetch(`${url}e2e-harness.html`);
      if (r.ok) return { url, close };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  close();
  throw new BenchError(`vite preview did not answer on ${url} within ${timeoutMs / 1000} s\n${out.slice(-2000)}`);
}
