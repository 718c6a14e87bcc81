// Datasets kept across runs in one worker: a new run of the same dataset skips the download and the checks.
import type { DatasetName } from '../engine/config';
import { loadDataset, type Dataset, type FetchBytes } from '../engine/data/dataset';

export type DatasetProgress = (done: number, total: number, detail: string) => void;

export class DatasetCache {
  private readonly entries = new Map<DatasetName, Promise<Dataset>>();

  /**
   * The dataset, loaded once. Byte progress goes to the caller that started the load, ending on what was loaded
   * (not the last file's "decode ..." line); a later caller gets one final progress report ('cached'). A failed load
   * is forgotten, so the next run tries again.
   */
  async load(name: DatasetName, fetchBytes: FetchBytes, onProgress: DatasetProgress): Promise<Dataset> {
    const cached = this.entries.get(name);
    if (cached) {
      const d = await cached;
      onProgress(totalBytes(d), totalBytes(d), `${name}: ${imageCount(d)} cached in this worker`);
      return d;
    }
    const loading = loadDataset(name, fetchBytes, (p) => onProgress(p.loadedBytes, p.totalBytes, `${p.phase} ${p.file}`));
    this.entries.set(name, loading);
    try {
      const d = await loading;
      onProgress(totalBytes(d), totalBytes(d), `${name}: ${imageCount(d)} loaded, checksums verified`);
      return d;
    } catch (e) {
      this.entries.delete(name);
      throw e;
    }
  }
}

const totalBytes = (d: Dataset) => {
  const { train, test } = d.manifest.splits;
  return train.images.bytes + train.labels.bytes + test.images.bytes + test.labels.bytes;
};

const imageCount = (d: Dataset) => `${(d.train.count + d.test.count).toLocaleString('en-US')} images`;
