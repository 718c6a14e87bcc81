// CSV and Markdown exports: one CSV row per logged point and evaluation with the exact numbers, and a Markdown table
// with one line per run that says what the runs table says.
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../store/appStore';
import { restoredRun } from '../store/persistence';
import { trainRun } from '../testing/sampleRuns';
import { CSV_COLUMNS, curvesCsv, runsMarkdown } from './runTables';

function runs() {
  const store = createAppStore({ now: () => 0 });
  trainRun(store, 12, 'done');
  trainRun(store, 6, 'student', { distillation: 'hard' });
  const s = store.getState();
  return s.runOrder.map((id) => s.runs[id]!);
}

describe('curves CSV', () => {
  it('has one row per point and evaluation, with the numbers as logged', () => {
    const rs = runs();
    const lines = curvesCsv(rs).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    const expected = rs.reduce((n, r) => n + r.metrics.length + r.teacherMetrics.length + r.evals.length + r.teacherEvals.length, 0);
    expect(lines).toHaveLength(1 + expected);
    const col = (line: string, name: (typeof CSV_COLUMNS)[number]) => line.split(',')[CSV_COLUMNS.indexOf(name)];
    const third = lines[3]!;
    expect(col(third, 'run')).toBe('1');
    expect(col(third, 'kind')).toBe('train');
    expect(Number(col(third, 'loss_total'))).toBe(rs[0]!.metrics[2]!.loss.total);
    const firstEval = lines.find((l) => col(l, 'kind') === 'eval')!;
    expect(Number(col(firstEval, 'fused_acc'))).toBe(rs[0]!.evals[0]!.fusedAcc);
    expect(col(firstEval, 'lr')).toBe('');
  });
});

describe('runs Markdown', () => {
  it('has a header, a separator and one line per run, saying what the table says', () => {
    const [done, live] = runs();
    const md = runsMarkdown([done!, restoredRun(live!)]).trimEnd().split('\n');
    expect(md).toHaveLength(4);
    expect(md[0]).toMatch(/^\| Run \| Config \| Status/);
    expect(md[1]).toMatch(/^\|( ---:? \|)+$/);
    expect(md[2]).toContain('#1 soft τ=5 α=0.5');
    expect(md[2]).toContain('| done |');
    expect(md[2]).toContain('webgpu (swiftshader)');
    expect(md[3]).toContain('interrupted at step 6');
  });
});
