import { describe, expect, it } from 'vitest';
import { parse } from '../src/ui/shareCodec';
import { HEALTH_HASH, intervalShares, mainThreadLongTasks, mainThreadWork, mergeHash, runsInHash, type TraceEvent } from './benchHealth';

describe('health-run links', () => {
  it('mergeHash overrides a key in place and appends new keys; the share codec reads the override', () => {
    const merged = mergeHash(HEALTH_HASH, 'trainSubset=512&runs=none,soft,hard');
    expect(merged.match(/trainSubset=/g)).toHaveLength(1);
    const link = parse(merged);
    expect(link.errors).toEqual([]);
    expect(link.config.trainSubset).toBe(512);
    expect(link.config.student).toBe('deit-nano');
    expect(link.autostart).toBe(true);
    expect(link.runs.map((r) => r.distillation)).toEqual(['none', 'soft', 'hard']);
    expect(mergeHash(HEALTH_HASH, '')).toBe(HEALTH_HASH);
  });

  it('runsInHash counts the runs a link trains', () => {
    expect(runsInHash(HEALTH_HASH)).toBe(1);
    expect(runsInHash(mergeHash(HEALTH_HASH, 'runs=none,soft,hard'))).toBe(3);
    expect(runsInHash('runs=')).toBe(1);
  });
});

describe('mainThreadLongTasks', () => {
  const meta = (pid: number, tid: number, name: string): TraceEvent => ({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
  const x = (name: string, ts: number, durMs: number, tdurMs?: number, tid = 1): TraceEvent =>
    ({ name, ph: 'X', pid: 7, tid, ts, dur: durMs * 1000, ...(tdurMs === undefined ? {} : { tdur: tdurMs * 1000 }) });

  it("keeps the renderer main thread's tasks of 50 ms or more, with CPU time and their longest direct pieces", () => {
    const events = [
      meta(7, 1, 'CrRendererMain'), meta(7, 2, 'Compositor'),
      x('ThreadControllerImpl::RunTask', 0, 60, 12),
      x('Layout', 1000, 20), x('UpdateLayoutTree', 2000, 5), // Layout's child: not a direct piece
      x('Paint', 30_000, 12), x('Layerize', 45_000, 1), x('PrePaint', 50_000, 0.5),
      x('ThreadControllerImpl::RunTask', 100_000, 49, 40), // under 50 ms
      x('ThreadControllerImpl::RunTask', 0, 90, 80, 2), // another thread
    ];
    expect(mainThreadLongTasks(events)).toEqual([
      { wallMs: 60, cpuMs: 12, parts: [{ name: 'Layout', ms: 20 }, { name: 'Paint', ms: 12 }, { name: 'Layerize', ms: 1 }] },
    ]);
  });

  it("sums the main thread's tasks by thread CPU time", () => {
    const events = [meta(7, 1, 'CrRendererMain'), x('ThreadControllerImpl::RunTask', 0, 60, 12), x('ThreadControllerImpl::RunTask', 70_000, 4, 3),
      x('ThreadControllerImpl::RunTask', 80_000, 9, 5), x('ThreadControllerImpl::RunTask', 0, 90, 80, 2)];
    expect(mainThreadWork(events)).toEqual({ tasks: 3, cpuMs: 20, tasksOver5Ms: 2, maxCpuMs: 12 });
    expect(mainThreadWork([])).toEqual({ tasks: 0, cpuMs: 0, tasksOver5Ms: 0, maxCpuMs: 0 });
  });

  it('says nothing when no task is long and marks a task without thread time', () => {
    expect(mainThreadLongTasks([meta(7, 1, 'CrRendererMain'), x('ThreadControllerImpl::RunTask', 0, 10, 9)])).toEqual([]);
    expect(mainThreadLongTasks([meta(7, 1, 'CrRendererMain'), x('ThreadControllerImpl::RunTask', 0, 70)])).toEqual([{ wallMs: 70, cpuMs: null, parts: [] }]);
  });
});

describe('intervalShares', () => {
  it('splits the training time by the redraw interval in force, 200 ms until the first change', () => {
    expect(intervalShares([], 1000, 3000)).toEqual([{ ms: 200, share: 1 }]);
    const changes = [{ t: 1500, ms: 400 }, { t: 2000, ms: 800 }, { t: 2500, ms: 400 }];
    expect(intervalShares(changes, 1000, 3000)).toEqual([{ ms: 200, share: 0.25 }, { ms: 400, share: 0.5 }, { ms: 800, share: 0.25 }]);
  });

  it('takes changes before the start as the starting interval and ignores those after the end', () => {
    expect(intervalShares([{ t: 500, ms: 800 }, { t: 2000, ms: 400 }, { t: 4000, ms: 200 }], 1000, 3000))
      .toEqual([{ ms: 400, share: 0.5 }, { ms: 800, share: 0.5 }]);
    expect(intervalShares([{ t: 2000, ms: 400 }], 3000, 3000)).toEqual([]);
  });
});
