// Keeps the share URL and the store in step: reads the hash once at start-up (controls, rejected fields, runs to
// compare), writes the hash with history.replaceState as the controls or the runs change, and re-reads it when
// the user edits it by hand. The codec stays pure; the browser is reached only through UrlEnv.
import type { TrainConfig } from '../../engine/config';
import { format, parse, type ParseResult } from '../shareCodec';
import type { AppState, AppStore } from '../store/appStore';

export interface UrlEnv {
  getHash(): string;
  /** Replaces the hash without a history entry or a hashchange event. */
  replaceHash(hash: string): void;
  onHashChange(fn: () => void): () => void;
}

export function browserUrlEnv(win: Window): UrlEnv {
  return {
    getHash: () => win.location.hash,
    replaceHash: (hash) => win.history.replaceState(win.history.state, '', `#${hash}`),
    onHashChange: (fn) => {
      win.addEventListener('hashchange', fn);
      return () => win.removeEventListener('hashchange', fn);
    },
  };
}

type HashState = Pick<AppState, 'config' | 'runs' | 'runOrder' | 'paper' | 'paperSeeds'>;

/** The session's runs (all of them, in order) as the configs they were started with; paper mode's are left out. */
export function sessionRunConfigs(s: Pick<AppState, 'runs' | 'runOrder'> & Partial<Pick<AppState, 'paper'>>): TrainConfig[] {
  const paperIds = new Set((s.paper?.runs ?? []).map((r) => r.runId));
  return s.runOrder.filter((id) => !paperIds.has(id)).map((id) => s.runs[id]?.config).filter((c): c is TrainConfig => c !== undefined);
}

/**
 * The hash for the current controls and runs (no autostart: a shared link never starts training by itself). Paper
 * mode is written as paper=1 (and paperSeeds), not as its runs: the link re-queues it with the link's controls.
 */
export function currentHash(s: HashState): string {
  return format({ config: s.config, runs: sessionRunConfigs(s), paper: s.paper !== null, paperSeeds: s.paperSeeds });
}

/** A full link to share: the page address without its hash, plus the current hash. */
export function shareLink(s: HashState, href: string): string {
  const base = href.split('#')[0] ?? href;
  return `${base}#${currentHash(s)}`;
}

/** The link's runs that the session does not already have (same full config), each matched at most once. */
function runsNotInSession(store: AppStore, runs: readonly TrainConfig[]): TrainConfig[] {
  const have = sessionRunConfigs(store.getState()).map((c) => format({ config: c }));
  return runs.filter((c) => {
    const i = have.indexOf(format({ config: c }));
    if (i < 0) return true;
    have.splice(i, 1);
    return false;
  });
}

export interface UrlSync {
  /** What the page was opened with (the caller starts training when `autostart` is set). */
  initial: ParseResult;
  /** Writes the hash now (before copying a link). */
  flush(): void;
  dispose(): void;
}

export function startUrlSync(store: AppStore, env: UrlEnv, opts: { throttleMs?: number } = {}): UrlSync {
  const throttleMs = opts.throttleMs ?? 200;
  const initialHash = env.getHash();
  const initial = parse(initialHash);
  // An empty hash is a fresh visit, not a link: nothing to restore, nothing to report. After a reload the hash lists
  // the runs restored from storage: only runs the session does not already have are queued.
  if (initialHash.replace(/^#/, '') !== '') store.getState().applyShareLink({ ...initial, runs: runsNotInSession(store, initial.runs) });

  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    env.replaceHash(currentHash(store.getState()));
  };

  const offStore = store.subscribe((s, prev) => {
    if (s.config === prev.config && s.runOrder === prev.runOrder && s.paper === prev.paper && s.paperSeeds === prev.paperSeeds) return;
    if (timer === null) timer = setTimeout(write, throttleMs);
  });

  // A hand-edited hash: take its controls; drop runs still queued from an earlier link (paper mode's stay), then queue
  // the link's runs that the session does not already have (same full config), so editing one value does not
  // duplicate runs.
  const offHash = env.onHashChange(() => {
    const link = parse(env.getHash());
    const st = store.getState();
    const paperIds = new Set((st.paper?.runs ?? []).map((r) => r.runId));
    for (const id of st.runOrder) {
      const run = st.runs[id];
      if (run && run.status === 'queued' && run.origin === 'link' && !paperIds.has(id)) st.removeRun(id);
    }
    // Paper mode is queued once per session by a link; editing the hash of such a page does not queue it again.
    store.getState().applyShareLink({ ...link, runs: runsNotInSession(store, link.runs), paper: link.paper && store.getState().paper === null });
  });

  return {
    initial,
    flush() {
      if (timer !== null) clearTimeout(timer);
      write();
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      offStore();
      offHash();
    },
  };
}
