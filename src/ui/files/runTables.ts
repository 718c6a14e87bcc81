// The runs as tables for other tools: every curve point as CSV (long format: one row per logged point or evaluation),
// and the runs table as Markdown (what the Runs compared table shows). Pure; the page only downloads the text.
import { formatDuration, formatInt, formatParam, formatPct } from '../format';
import { runLabel, summarize, type Run } from '../store/runModel';

export const CSV_COLUMNS = [
  'run', 'label', 'kind', 'phase', 'step', 'images_seen', 'epoch', 'split', 'loss_total', 'loss_base', 'loss_distill', 'lr',
  'grad_norm', 'images_per_sec', 'time_ms', 'cls_acc', 'dist_acc', 'fused_acc', 'teacher_acc', 'agree_cls', 'agree_dist', 'agree_fused',
  'token_cosine', 'token_param_cosine', 'eval_count',
] as const;

type Column = (typeof CSV_COLUMNS)[number];
type Cell = string | number | null;

/** RFC 4180 quoting; numbers as JavaScript writes them (round-trip exact), null as an empty cell. */
function csvCell(x: Cell): string {
  if (x === null) return '';
  const s = String(x);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Every training point and evaluation of the runs, teacher phase included, one row each. */
export function curvesCsv(runs: readonly Run[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  const row = (cells: Partial<Record<Column, Cell>>) => lines.push(CSV_COLUMNS.map((c) => csvCell(cells[c] ?? null)).join(','));
  for (const run of runs) {
    const base = { run: run.number, label: runLabel(run.config) };
    for (const p of [...run.teacherMetrics, ...run.metrics]) {
      row({
        ...base, kind: 'train', phase: p.phase, step: p.step, images_seen: p.imagesSeen, epoch: p.epoch,
        loss_total: p.loss.total, loss_base: p.loss.base, loss_distill: p.loss.distill, lr: p.lr, grad_norm: p.gradNorm,
        images_per_sec: p.imagesPerSec, time_ms: p.time,
      });
    }
    for (const e of [...run.teacherEvals, ...run.evals]) {
      row({
        ...base, kind: 'eval', phase: e.phase, step: e.step, images_seen: e.imagesSeen, split: e.split, loss_total: e.loss,
        cls_acc: e.clsAcc, dist_acc: e.distAcc, fused_acc: e.fusedAcc, teacher_acc: e.teacherAcc,
        agree_cls: e.agreement?.cls ?? null, agree_dist: e.agreement?.dist ?? null, agree_fused: e.agreement?.fused ?? null,
        token_cosine: e.tokenCosine ? e.tokenCosine.layers.map((c) => c.toFixed(4)).join(' ') : null,
        token_param_cosine: e.tokenCosine?.params ?? null, eval_count: e.count,
      });
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Markdown cell text: pipes escaped, line breaks flattened. */
function mdCell(s: string): string {
  return s.replaceAll('|', '\\|').replace(/[\r\n]+/g, ' ');
}

/** The runs table as a GitHub-flavoured Markdown table. */
export function runsMarkdown(runs: readonly Run[]): string {
  const head = ['Run', 'Config', 'Status', 'Steps', 'Class', 'Dist.', 'Fused', 'Best fused', 'Teacher', 'img/s', 'Time', 'Backend'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i >= 3 && i <= 10 ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const run of runs) {
    const s = summarize(run);
    const c = run.config;
    const cells = [
      `#${run.number} ${runLabel(c)}`,
      `${c.student}, lr ${formatParam(c.lr)}, batch ${c.batchSize}, ${c.epochs} ep, seed ${c.seed}`,
      run.status === 'interrupted' ? `interrupted at step ${run.step}` : run.origin === 'imported' ? `${run.status} (imported)` : run.status,
      run.totalSteps > 0 ? `${formatInt(run.step)} / ${formatInt(run.totalSteps)}` : '—',
      formatPct(s.final?.clsAcc), formatPct(s.final?.distAcc), formatPct(s.final?.fusedAcc),
      s.bestFused ? `${formatPct(s.bestFused.acc)} @${s.bestFused.step}` : '—',
      formatPct(s.teacherAcc),
      s.meanImagesPerSec !== null ? formatInt(s.meanImagesPerSec) : '—',
      s.elapsedMs !== null ? formatDuration(s.elapsedMs) : '—',
      run.backend ? `${run.backend.backend}${run.backend.adapter?.architecture ? ` (${run.backend.adapter.architecture})` : ''}` : '—',
    ];
    lines.push(`| ${cells.map(mdCell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
