// URL sync with a fake location: restores a link, reports bad fields, writes the hash on changes (throttled).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../engine/config';
import { parse } from '../shareCodec';
import { createAppStore } from '../store/appStore';
import { newRun } from '../store/runModel';
import { shareLink, startUrlSync, type UrlEnv } from './urlSync';

function fakeEnv(hash: string) {
  let h = hash;
  const listeners = new Set<() => void>();
  const writes: string[] = [];
  const env: UrlEnv = {
    getHash: () => h,
    replaceHash: (x) => {
      h = `#${x}`;
      writes.push(x);
    },
    onHashChange: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  const userEdits = (x: string) => {
    h = x;
    for (const l of listeners) l();
  };
  return { env, writes, userEdits };
}

describe('url sync', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('after a reload, queues only the link\'s runs that storage did not restore', () => {
    const store = createAppStore();
    const restored = newRun('run-1', 1, { ...DEFAULT_CONFIG, distillation: 'none' }, 'manual', 0);
    store.getState().restoreRuns([{ ...restored, status: 'done' }]);
    const { env } = fakeEnv('#runs=none,soft');
    startUrlSync(store, env);
    const s = store.getState();
    expect(s.runOrder.map((id) => `${s.runs[id]!.config.distillation}:${s.runs[id]!.status}`)).toEqual(['none:done', 'soft:queued']);
  });

  it('restores the controls and queues the runs of a link, reporting bad fields', () => {
    const store = createAppStore();
    const { env, writes } = fakeEnv('#distillation=soft&tau=oops&runs=none,soft,hard&autostart=1');
    const sync = startUrlSync(store, env);
    const s = store.getState();
    expect(sync.initial.autostart).toBe(true);
    expect(s.config.distillation).toBe('soft');
    expect(s.config.tau).toBe(DEFAULT_CONFIG.tau);
    expect(s.urlNotice.map((e) => e.key)).toEqual(['tau']);
    expect(s.runOrder).toHaveLength(3);
    vi.advanceTimersByTime(1000);
    expect(writes).toEqual([]); // opening a link does not rewrite it
  });

  it('does nothing for a fresh visit', () => {
    const store = createAppStore();
    startUrlSync(store, fakeEnv('').env);
    expect(store.getState().urlNotice).toEqual([]);
    expect(store.getState().runOrder).toEqual([]);
  });

  it('writes one hash per burst of changes, and it parses back to the state', () => {
    const store = createAppStore();
    const { env, writes } = fakeEnv('');
    startUrlSync(store, env, { throttleMs: 100 });
    store.getState().setParam('tau', 5);
    store.getState().setParam('alpha', 0.2);
    store.getState().addRun({ ...store.getState().config, distillation: 'none' }, 'manual');
    vi.advanceTimersByTime(150);
    expect(writes).toHaveLength(1);
    const back = parse(writes[0]!);
    expect(back.config).toEqual(store.getState().config);
    expect(back.runs.map((c) => c.distillation)).toEqual(['none']);
  });

  it('applies a hand-edited hash without duplicating the session runs', () => {
    const store = createAppStore();
    const { env, userEdits } = fakeEnv('');
    startUrlSync(store, env);
    store.getState().addRun({ ...DEFAULT_CONFIG, distillation: 'none' }, 'manual');
    userEdits(`#tau=9&runs=none:tau=3`);
    expect(store.getState().config.tau).toBe(9);
    expect(store.getState().runOrder).toHaveLength(1);
    userEdits(`#tau=9&runs=none:tau=3,hard`);
    expect(store.getState().runOrder).toHaveLength(2);
    userEdits(`#tau=9&runs=none:tau=3,soft`); // the queued 'hard' from the previous edit is replaced
    const st = store.getState();
    expect(st.runOrder.map((id) => st.runs[id]!.config.distillation)).toEqual(['none', 'soft']);
  });

  it('a link with paper=1 queues paper mode once with its controls, and the hash writes it back as paper=1, not as runs', () => {
    const store = createAppStore();
    const { env, writes, userEdits } = fakeEnv('#student=deit-nano&seed=3&paper=1&paperSeeds=3');
    startUrlSync(store, env, { throttleMs: 100 });
    const st = store.getState();
    expect(st.paperSeeds).toBe(3);
    expect(st.runOrder).toHaveLength(12);
    expect(st.paper!.runs[0]).toMatchObject({ kind: 'none', seed: 3 });
    expect(st.runs[st.paper!.runs[3]!.runId]!.config).toMatchObject({ student: 'deit-nano', distillation: 'hard', distToken: true, seed: 3 });
    store.getState().setParam('tau', 5);
    vi.advanceTimersByTime(150);
    expect(parse(writes[0]!)).toMatchObject({ paper: true, paperSeeds: 3, runs: [] });
    userEdits(`#${writes[0]!}`); // editing the page's own hash does not queue paper mode again
    expect(store.getState().runOrder).toHaveLength(12);
  });

  it('builds a share link from the page address', () => {
    const store = createAppStore();
    const link = shareLink(store.getState(), 'https://x.org/deit/?a=1#old');
    expect(link.startsWith('https://x.org/deit/?a=1#student=deit-micro&')).toBe(true);
  });
});
