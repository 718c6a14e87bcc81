// Paper mode's table as Markdown (for a README or an issue) and as CSV (for a spreadsheet), pure.
import type { TrainConfig } from '../../engine/config';
import { totalSteps } from '../../engine/config';
import { teacherLabel } from '../store/runModel';
import { noiseNote, orderingSentence, signed, type PaperTableRow } from './paperTable';

/** What the runs shared, for the line above the table. */
export type PaperSetup = Pick<TrainConfig, 'student' | 'batchSize' | 'epochs' | 'trainSubset' | 'testSubset' | 'lr' | 'seed' | 'teacher'>
  & Partial<Pick<TrainConfig, 'teacherModel'>>;

const pct = (v: number | null) => (v === null ? '—' : v.toFixed(1));

/** "66.0" with one seed, "64.2 (60.1–68.9)" with several. */
export function ourCell(r: PaperTableRow): string {
  if (r.mean === null) return '—';
  return r.values.length > 1 ? `${pct(r.mean)} (${pct(r.min)}–${pct(r.max)})` : pct(r.mean);
}

export function setupLine(s: PaperSetup, seeds: number): string {
  const seedList = Array.from({ length: seeds }, (_, k) => s.seed + k).join(', ');
  return `${s.student}, ${totalSteps(s)} steps of batch ${s.batchSize} (${s.epochs} epoch${s.epochs > 1 ? 's' : ''} of ${s.trainSubset} images), ` +
    `lr ${s.lr}, teacher: ${teacherLabel(s, null)}${s.teacher === 'pretrained' ? ' (shipped)' : ''}, ` +
    `seed${seeds > 1 ? 's' : ''} ${seedList}; test accuracy on the first ${s.testSubset} test images.`;
}

export function paperMarkdown(rows: readonly PaperTableRow[], setup: PaperSetup, seeds: number): string {
  const lines = [
    `DeiT Table 3 at browser scale (Fashion-MNIST): ${setupLine(setup, seeds)}`,
    '',
    '| row | ours, test % | Δ vs none | paper (DeiT-Ti, ImageNet) | Δ vs none |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.label} | ${ourCell(r)} | ${r.diff === null ? '—' : signed(r.diff)} | ${r.paper.toFixed(1)} | ${signed(r.paperDiff)} |`),
    '',
    orderingSentence(rows, seeds),
    noiseNote(seeds),
  ];
  return `${lines.join('\n')}\n`;
}

/** RFC 4180 quoting where a field needs it. */
function csvField(v: string | number | null): string {
  const s = v === null ? '' : typeof v === 'number' ? String(Math.round(v * 100) / 100) : v;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function paperCsv(rows: readonly PaperTableRow[]): string {
  const head = ['row', 'label', 'seeds', 'ours_mean', 'ours_min', 'ours_max', 'diff_vs_none', 'paper', 'paper_diff_vs_none'];
  const body = rows.map((r) => [r.row, r.label, r.values.length, r.mean, r.min, r.max, r.diff, r.paper, r.paperDiff].map(csvField).join(','));
  return `${[head.join(','), ...body].join('\n')}\n`;
}
