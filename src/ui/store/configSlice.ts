// Config slice: the controls' TrainConfig (what the next run uses, and the source of live updates) and the
// application of a parsed share link.
import { DEFAULT_CONFIG, LIGHT_SETTINGS, validateConfig, type TrainConfig } from '../../engine/config';
import type { ParseResult } from '../shareCodec';
import type { SliceCreator } from './appStore';

export interface ConfigSlice {
  config: TrainConfig;
  /** Sets one field if the resulting config is valid (range, enum, cross-field); returns whether it was applied. */
  setParam<K extends keyof TrainConfig>(key: K, value: TrainConfig[K]): boolean;
  /** Replaces the whole config when it is valid; returns whether it was applied. */
  setConfig(config: TrainConfig): boolean;
  /** LIGHT_SETTINGS over the controls (smallest student, small batch and subsets); the rest stays. */
  applyLightSettings(): boolean;
  /**
   * Applies a parsed share link: the controls, the notice naming rejected fields, and the link's runs as queued
   * runs (re-trained on Start). `replaceQueued` drops runs still queued from an earlier link first.
   */
  applyShareLink(link: ParseResult, opts?: { replaceQueued?: boolean }): void;
}

export const createConfigSlice: SliceCreator<ConfigSlice> = (set, get) => ({
  config: { ...DEFAULT_CONFIG },

  setParam(key, value) {
    const next = { ...get().config, [key]: value };
    if (validateConfig(next).length > 0) return false;
    if (get().config[key] === value) return true;
    set({ config: next });
    return true;
  },

  setConfig(config) {
    if (validateConfig(config).length > 0) return false;
    set({ config: { ...config } });
    return true;
  },

  applyLightSettings() {
    return get().setConfig({ ...get().config, ...LIGHT_SETTINGS });
  },

  applyShareLink(link, opts = {}) {
    if (opts.replaceQueued) {
      for (const id of get().runOrder) {
        const run = get().runs[id];
        if (run && run.status === 'queued' && run.origin === 'link') get().removeRun(id);
      }
    }
    set({ config: { ...link.config }, urlNotice: link.errors });
    if (link.runs.length > 0) get().queueRuns(link.runs, 'link');
    get().setPaperSeeds(link.paperSeeds);
    if (link.paper) get().queuePaper(link.config, 'link');
  },
});
