// Paper mode's table and exports: rows from run results (mean, min-max, differences), the paper's numbers, the
// orderings sentence with its seed-noise marks, Markdown and CSV.
import { describe, expect, it } from 'vitest';
import { validateConfig, withDefaults } from '../../engine/config';
import { PAPER_ROWS, paperPlan, teacherPlan } from '../../engine/paperRuns';
import { ourCell, paperCsv, paperMarkdown } from './paperExport';
import { buildPaperTable, noiseNote, orderingSentence, signed, type PaperRunResult } from './paperTable';

const acc = (cls: number, dist: number | null, fused: number) => ({ cls, dist, fused });

/** One seed: none 60, usual soft 60.5, hard-class 65, DeiT cls 64 / dist 66 / fused 64.5. */
const ONE_SEED: PaperRunResult[] = [
  { kind: 'none', seed: 0, acc: acc(0.6, null, 0.6) },
  { kind: 'usual-soft', seed: 0, acc: acc(0.605, null, 0.605) },
  { kind: 'hard-class', seed: 0, acc: acc(0.65, null, 0.65) },
  { kind: 'deit', seed: 0, acc: acc(0.64, 0.66, 0.645) },
];

describe('paper mode plan', () => {
  it('queues the four runs of Table 3 on top of the controls, seed-major', () => {
    const base = withDefaults({ student: 'deit-nano', seed: 5, epochs: 1, tau: 7, alpha: 0.9 });
    const plan = paperPlan(base, 3);
    expect(plan.map((p) => `${p.kind}@${p.seed}`)).toEqual([
      'none@5', 'usual-soft@5', 'hard-class@5', 'deit@5', 'none@6', 'usual-soft@6', 'hard-class@6', 'deit@6',
      'none@7', 'usual-soft@7', 'hard-class@7', 'deit@7',
    ]);
    const [none, soft, hard, deit] = plan.map((p) => p.config);
    expect(none).toMatchObject({ distillation: 'none', distToken: false, student: 'deit-nano', epochs: 1 });
    expect(soft).toMatchObject({ distillation: 'soft', distToken: false, tau: 3, alpha: 0.1 });
    expect(hard).toMatchObject({ distillation: 'hard', distToken: false, alpha: 0.5 });
    expect(deit).toMatchObject({ distillation: 'hard', distToken: true, alpha: 0.5 });
  });

  it('the teacher comparison is DeiT⚗ hard once per shipped teacher, on the same student, budget and seed', () => {
    const base = withDefaults({ student: 'deit-nano', epochs: 1, seed: 5, distillation: 'soft', tau: 7, teacher: 'train' });
    expect(teacherPlan(base).map((p) => `${p.teacherModel}@${p.seed}`)).toEqual(['cnn@5', 'cnn-matched@5', 'vit@5']);
    const plan = teacherPlan(base, 3);
    expect(plan.map((p) => `${p.teacherModel}@${p.seed}`)).toEqual([
      'cnn@5', 'cnn-matched@5', 'vit@5', 'cnn@6', 'cnn-matched@6', 'vit@6', 'cnn@7', 'cnn-matched@7', 'vit@7',
    ]);
    for (const p of plan) {
      expect(p.config).toMatchObject({ distillation: 'hard', distToken: true, alpha: 0.5, teacher: 'pretrained', teacherModel: p.teacherModel, seed: p.seed, student: 'deit-nano', epochs: 1 });
      expect(validateConfig(p.config)).toEqual([]);
    }
  });
});

describe('paper table', () => {
  it('has the six rows with the paper’s DeiT-Ti numbers and their differences from none', () => {
    const rows = buildPaperTable([]);
    expect(rows.map((r) => r.row)).toEqual(['none', 'usual-soft', 'hard-class', 'deit-class', 'deit-dist', 'deit-fused']);
    expect(rows.map((r) => r.paper)).toEqual([72.2, 72.2, 74.3, 73.9, 74.6, 74.5]);
    expect(rows.map((r) => signed(r.paperDiff))).toEqual(['+0.0', '+0.0', '+2.1', '+1.7', '+2.4', '+2.3']);
    expect(rows.every((r) => r.mean === null && r.diff === null)).toBe(true);
    expect(orderingSentence(rows, 1)).toMatch(/once every row has a test accuracy/);
  });

  it('reads each row from its run and head, with differences from none', () => {
    const rows = buildPaperTable(ONE_SEED);
    expect(rows.map((r) => r.mean!.toFixed(1))).toEqual(['60.0', '60.5', '65.0', '64.0', '66.0', '64.5']);
    expect(rows.map((r) => signed(r.diff!))).toEqual(['+0.0', '+0.5', '+5.0', '+4.0', '+6.0', '+4.5']);
  });

  it('states which orderings held, marking sub-point margins as seed noise with one seed only', () => {
    const one = orderingSentence(buildPaperTable(ONE_SEED), 1);
    expect(one).toBe('Held here: hard distillation > no distillation (+5.0); hard > usual soft distillation (+4.5); ' +
      'distillation embedding > class embedding (+2.0) — did not hold: DeiT⚗ class+distillation > hard distillation into the class token (−0.5, within seed noise).');
    expect(orderingSentence(buildPaperTable(ONE_SEED), 3)).not.toMatch(/seed noise/);
    expect(noiseNote(1)).toMatch(/within seed noise/);
    expect(noiseNote(3)).toMatch(/Mean of 3 seeds/);
  });

  it('with several seeds: mean and min-max per row; unfinished runs are left out', () => {
    const results: PaperRunResult[] = [
      ...ONE_SEED,
      { kind: 'none', seed: 1, acc: acc(0.5, null, 0.5) },
      { kind: 'none', seed: 2, acc: acc(0.7, null, 0.7) },
      { kind: 'deit', seed: 1, acc: null },
    ];
    const none = buildPaperTable(results)[0]!;
    expect(none.values).toHaveLength(3);
    expect(none.mean).toBeCloseTo(60, 10);
    expect([none.min, none.max]).toEqual([50, 70]);
    expect(ourCell(none)).toBe('60.0 (50.0–70.0)');
    expect(buildPaperTable(results)[4]!.values).toHaveLength(1);
  });
});

describe('exports', () => {
  const rows = buildPaperTable(ONE_SEED);
  const setup = withDefaults({ student: 'deit-micro', seed: 0 });

  it('Markdown: the setup, one line per row, the orderings and the noise note', () => {
    const md = paperMarkdown(rows, setup, 1);
    const lines = md.trim().split('\n');
    expect(lines[0]).toMatch(/^DeiT Table 3 at browser scale \(Fashion-MNIST\): deit-micro, 312 steps of batch 64 .* seed 0; test accuracy on the first 10000 test images\.$/);
    expect(lines).toContain('| DeiT⚗: distillation embedding | 66.0 | +6.0 | 74.6 | +2.4 |');
    expect(lines.filter((l) => l.startsWith('| ')).length).toBe(1 + PAPER_ROWS.length);
    expect(md).toContain(orderingSentence(rows, 1));
    expect(md).toContain(noiseNote(1));
  });

  it('CSV: a header and six rows, quoted where needed', () => {
    const csv = paperCsv(rows).trim().split('\n');
    expect(csv[0]).toBe('row,label,seeds,ours_mean,ours_min,ours_max,diff_vs_none,paper,paper_diff_vs_none');
    expect(csv).toHaveLength(7);
    expect(csv[2]).toBe('usual-soft,"usual distillation (soft, class token)",1,60.5,60.5,60.5,0.5,72.2,0');
    expect(csv[4]).toBe('deit-class,DeiT⚗: class embedding,1,64,64,64,4,73.9,1.7');
  });
});
