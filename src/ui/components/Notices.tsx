// Notices above the charts: fields rejected from the link, runs not saved, a crashed worker (with Restart), and
// worker errors.
// Everything shown is React text: nothing from the URL or the worker is ever inserted as HTML.
import { useController } from '../hooks/useController';
import { useActions, useAppStore } from '../hooks/useAppStore';

export function UrlNotice() {
  const errors = useAppStore((s) => s.urlNotice);
  const { dismissUrlNotice } = useActions();
  if (errors.length === 0) return null;
  return (
    <div className="notice notice-warn" role="alert" data-testid="url-notice">
      <div className="notice-body">
        <strong>Some settings in this link were not valid and were not used.</strong> The defaults stand in for them:
        <ul className="notice-list">
          {errors.map((e, i) => <li key={i} data-field={e.key}><code>{e.key}</code> {e.message}</li>)}
        </ul>
      </div>
      <button type="button" className="btn btn-small" onClick={dismissUrlNotice}>Dismiss</button>
    </div>
  );
}

/** Why runs are not saved in this browser (no IndexedDB, full, a newer version's store); training is unaffected. */
export function StorageNotice() {
  const message = useAppStore((s) => s.storageNotice);
  const { setStorageNotice } = useActions();
  if (message === null) return null;
  return (
    <div className="notice notice-warn" role="status" data-testid="storage-notice">
      <div className="notice-body">{message}</div>
      <button type="button" className="btn btn-small" onClick={() => setStorageNotice(null)}>Dismiss</button>
    </div>
  );
}

export function CrashBanner() {
  const crash = useAppStore((s) => s.crash);
  const ctl = useController();
  if (!crash) return null;
  return (
    <div className="notice notice-error" role="alert" data-testid="worker-crash">
      <div className="notice-body">
        <strong>The training worker crashed:</strong> {crash.message}. Every run’s data is kept; the run in progress ended.
      </div>
      <button type="button" className="btn btn-primary btn-small" data-testid="restart-worker" onClick={ctl.restartWorker}>Restart worker</button>
    </div>
  );
}

export function ErrorNotices() {
  const errors = useAppStore((s) => s.errors);
  const { dismissError } = useActions();
  if (errors.length === 0) return null;
  return (
    <>
      {errors.map((e) => (
        <div key={e.id} className="notice notice-error" role="alert" data-testid="worker-error" data-code={e.code}>
          <div className="notice-body">
            <strong>Error{e.runNumber !== null ? ` in run #${e.runNumber}` : ''}{e.step !== null ? ` at step ${e.step}` : ''}</strong>{' '}
            <code>{e.code}</code>: {e.message}
            {e.code === 'non-finite-loss' && ' Try a lower learning rate.'}
          </div>
          <button type="button" className="btn btn-small" onClick={() => dismissError(e.id)}>Dismiss</button>
        </div>
      ))}
    </>
  );
}
