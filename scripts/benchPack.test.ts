// npm run bench:pack end to end: pack into a temporary folder, run the packed bench with its own run.sh (Node from
// PATH, since the test packs without --with-node), and read the JSON it wrote into the pack's results/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

it('packs one folder under 50 MB whose run.sh benchmarks the engine without the repo, writing its results beside it', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'deit-pack-test-'));
  try {
    const out = join(dir, 'pack');
    execFileSync('npx', ['tsx', 'scripts/bench-pack.ts', '--out', out], { cwd: root, stdio: 'pipe' });
    const files = readdirSync(out).sort();
    expect(files).toEqual(['bench.mjs', 'dawn.node.gz', 'run.sh', 'wasm']);
    const total = files.filter((f) => f !== 'wasm').reduce((n, f) => n + statSync(join(out, f)).size, 0);
    expect(total).toBeLessThan(50e6);
    // Run from elsewhere, so nothing resolves through this checkout's node_modules.
    const log = execFileSync(join(out, 'run.sh'), ['--backends', 'cpu', '--presets', 'deit-nano', '--batch', '4', '--steps', '1', '--warmup', '0'], {
      cwd: dir, stdio: 'pipe', encoding: 'utf8',
    });
    expect(log).toMatch(/GFLOP\/s/);
    const [json] = readdirSync(join(out, 'results'));
    const result = JSON.parse(readFileSync(join(out, 'results', json!), 'utf8')) as { results: { preset: string; imagesPerSecPrecomputed: number; achievedGflops: number; trainFlopsPerImage: number }[] };
    const r = result.results[0]!;
    expect(r.preset).toBe('deit-nano');
    expect(r.imagesPerSecPrecomputed).toBeGreaterThan(0);
    expect(r.achievedGflops).toBeCloseTo((r.trainFlopsPerImage * r.imagesPerSecPrecomputed) / 1e9, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
