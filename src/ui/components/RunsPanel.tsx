// "Runs compared": one-click sweeps (none / soft / hard with one seed; a temperature sweep for soft), the queue,
// an honest note about runs restored from a link, and the table of every run.
import { memo } from 'react';
import { useController } from '../hooks/useController';
import { useActions, useAppStore } from '../hooks/useAppStore';
import { isLive } from '../store/runModel';
import { selectQueueLength } from '../store/selectors';
import { SWEEP_TAUS } from '../worker/runController';
import { RunFiles } from './RunFiles';
import { WeightDownloads } from './WeightDownloads';
import { RunsTable } from './RunsTable';

/**
 * Whether the runs are saved. Its own component: the state flips between saving and saved about once a second while a
 * run trains, and only this line should re-render for it (a synchronous re-render of the panel, table included, was a
 * 50-70 ms main-thread task on this machine).
 */
function StorageStatus() {
  const storage = useAppStore((s) => s.storageState);
  const writes = useAppStore((s) => s.storageWrites);
  return (
    <span data-testid="storage-status" data-state={storage} data-writes={writes}>
      {storage === 'saved' ? 'All runs are saved in this browser.' : storage === 'saving' ? 'Saving runs in this browser…' : 'Runs are kept in memory only.'}
    </span>
  );
}

// The panel re-renders when its own selections change (a run ends, the queue, a link's runs); these children read the
// store themselves and need not follow.
const Files = memo(RunFiles);
const Weights = memo(WeightDownloads);
const Table = memo(RunsTable);

export function RunsPanel() {
  const ctl = useController();
  const { clearQueue, clearRuns } = useActions();
  const removable = useAppStore((s) => s.runOrder.some((id) => { const r = s.runs[id]; return r !== undefined && !isLive(r.status); }));
  const queued = useAppStore(selectQueueLength);
  const fromLink = useAppStore((s) => s.runOrder.filter((id) => s.runs[id]?.origin === 'link' && s.runs[id]?.status === 'queued').length);
  const seed = useAppStore((s) => s.config.seed);
  const fromResults = useAppStore((s) => s.runOrder.filter((id) => s.runs[id]?.origin === 'results-link').join(','));
  const crashed = useAppStore((s) => s.crash !== null);
  return (
    <section className="panel" aria-labelledby="runs-title">
      <header className="panel-head">
        <h2 id="runs-title">Runs compared</h2>
        <div className="panel-actions">
          <button type="button" className="btn" data-testid="sweep-modes-button" onClick={ctl.sweepModes} disabled={crashed}
            title="Queue three runs with the settings on the left and the same seed, one per distillation mode">
            Sweep none / soft / hard
          </button>
          <button type="button" className="btn" data-testid="sweep-tau-button" onClick={() => ctl.sweepTau()} disabled={crashed}
            title="Queue soft-distillation runs at several temperatures, same seed">
            Sweep τ (soft: {SWEEP_TAUS.join(', ')})
          </button>
          <button type="button" className="btn btn-quiet" data-testid="clear-queue-button" onClick={clearQueue} disabled={queued === 0}>
            Clear queue
          </button>
          <button type="button" className="btn btn-quiet" data-testid="clear-all-button" onClick={clearRuns} disabled={!removable}
            title="Remove every run that is not training, here and from this browser's storage">
            Clear all
          </button>
        </div>
      </header>
      <p className="panel-note">
        Sweeps use the settings on the left with seed {seed} for every run, so only the distillation differs. Queued runs train one
        after another; every run stays here and on the charts (colour per run), across reloads, until you remove it.
        {queued > 0 && <strong> {queued} queued.</strong>}{' '}
        <StorageStatus />
      </p>
      {fromLink > 0 && (
        <p className="notice notice-info" data-testid="link-runs-note">
          {fromLink} run{fromLink > 1 ? 's' : ''} from the link {fromLink > 1 ? 'are' : 'is'} queued. A link holds settings, not results:
          press Start to re-train {fromLink > 1 ? 'them' : 'it'} with the same configs and seeds. Numbers can differ slightly across GPUs
          and backends, and live changes made during the original runs are not replayed.
        </p>
      )}
      {fromResults !== '' && (
        <p className="notice notice-info" data-testid="results-link-note">
          {fromResults.split(',').length} run{fromResults.includes(',') ? 's show' : ' shows'} results from a link, not trained here: the curves
          are as the sender's browser measured them (up to 100 points per line).{' '}
          <button type="button" className="btn btn-small" data-testid="retrain-link-runs" disabled={crashed}
            onClick={() => ctl.retrain(fromResults.split(','))}>Train these configs here</button>
        </p>
      )}
      <Files />
      <Weights />
      <Table />
    </section>
  );
}
