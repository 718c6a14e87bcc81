// View slice: what the charts show (x axis, heads, loss parts, hidden runs), which run the numbers describe, and
// the notice about fields rejected from a share link.
import type { CodecError } from '../shareCodec';
import type { SliceCreator } from './appStore';

export type XAxisMode = 'step' | 'images';
export type Head = 'cls' | 'dist' | 'fused';
export type LossPart = 'total' | 'base' | 'distill';

export interface ViewSlice {
  xAxis: XAxisMode;
  heads: Record<Head, boolean>;
  lossParts: Record<LossPart, boolean>;
  /** Runs hidden from the charts (they stay in the table). */
  hiddenRuns: Record<string, boolean>;
  /** The run the user picked in the table; the live run takes precedence while training. */
  focusedRunId: string | null;
  /** Fields rejected from the link the page was opened with; shown until dismissed. */
  urlNotice: CodecError[];
  /** Why runs are not (or no longer) saved in this browser; null while saving works. */
  storageNotice: string | null;
  /** Whether every run is in storage ('saved'), a write is due ('saving'), or runs live in memory only ('off'). */
  storageState: 'saving' | 'saved' | 'off';
  /** Writes to storage completed since the page opened: while a run trains the state stays 'saving' between them. */
  storageWrites: number;
  setStorageNotice(message: string | null): void;
  setStorageState(state: 'saving' | 'saved' | 'off'): void;
  noteStorageWrite(): void;
  setXAxis(mode: XAxisMode): void;
  toggleHead(head: Head): void;
  toggleLossPart(part: LossPart): void;
  toggleRunVisible(id: string): void;
  focusRun(id: string | null): void;
  dismissUrlNotice(): void;
  addUrlNotice(e: CodecError): void;
}

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => ({
  xAxis: 'step',
  heads: { cls: true, dist: true, fused: true },
  lossParts: { total: true, base: true, distill: true },
  hiddenRuns: {},
  focusedRunId: null,
  urlNotice: [],
  storageNotice: null,
  storageState: 'off',
  storageWrites: 0,

  setStorageNotice(message) {
    set({ storageNotice: message });
  },
  setStorageState(state) {
    if (get().storageState !== state) set({ storageState: state });
  },
  noteStorageWrite() {
    set({ storageWrites: get().storageWrites + 1 });
  },

  setXAxis(mode) {
    set({ xAxis: mode });
  },
  toggleHead(head) {
    set({ heads: { ...get().heads, [head]: !get().heads[head] } });
  },
  toggleLossPart(part) {
    set({ lossParts: { ...get().lossParts, [part]: !get().lossParts[part] } });
  },
  toggleRunVisible(id) {
    set({ hiddenRuns: { ...get().hiddenRuns, [id]: !get().hiddenRuns[id] } });
  },
  focusRun(id) {
    set({ focusedRunId: id });
  },
  dismissUrlNotice() {
    set({ urlNotice: [] });
  },
  addUrlNotice(e) {
    set({ urlNotice: [...get().urlNotice, e] });
  },
});
