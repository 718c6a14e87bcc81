// Start / Pause / Resume / Step / Stop / Evaluate now, and the status of the run the worker holds.
import { useController } from '../hooks/useController';
import { useAppStore } from '../hooks/useAppStore';
import { isRunning, type UiRunStatus } from '../store/runModel';
import { selectActiveStatus, selectQueueLength } from '../store/selectors';

const STATUS_TEXT: Record<UiRunStatus | 'none', string> = {
  none: 'Ready: press Start',
  queued: 'Queued',
  initializing: 'Starting the worker…',
  idle: 'Prepared',
  loading: 'Loading data',
  teacher: 'Training the teacher',
  student: 'Training the student',
  paused: 'Paused',
  done: 'Done',
  error: 'Stopped by an error',
  stopped: 'Stopped',
  interrupted: 'Interrupted by a reload',
};

export function RunBar() {
  const ctl = useController();
  const status = useAppStore(selectActiveStatus);
  const queued = useAppStore(selectQueueLength);
  const crashed = useAppStore((s) => s.crash !== null);
  const running = isRunning(status);
  const live = running || status === 'initializing' || status === 'idle' || status === 'paused';
  const startLabel = queued > 0 ? `Start queue (${queued})` : 'Start';
  return (
    <div className="run-bar" role="toolbar" aria-label="Training">
      <button type="button" className="btn btn-primary" data-testid="start-button" disabled={live || crashed} onClick={ctl.start}
        title={queued > 0 ? 'Train the queued runs one after another' : 'Train a student with the settings on the left'}>
        ▶ {startLabel}
      </button>
      <button type="button" className="btn" data-testid="pause-button" disabled={!running} onClick={ctl.pause}>❚❚ Pause</button>
      <button type="button" className="btn" data-testid="resume-button" disabled={status !== 'paused'} onClick={ctl.resume}>▶ Resume</button>
      <button type="button" className="btn" data-testid="step-button" disabled={status !== 'paused'} onClick={() => ctl.step(1)}
        title="Run one student step, then stay paused">Step</button>
      <button type="button" className="btn btn-danger" data-testid="stop-button" disabled={!live} onClick={ctl.stop}>■ Stop</button>
      <button type="button" className="btn" data-testid="eval-button" disabled={status !== 'student' && status !== 'paused'} onClick={ctl.evalNow}
        title="Evaluate all heads on the evaluation subset now">Evaluate now</button>
      <div className="run-status" data-testid="run-status" data-status={status} role="status" aria-live="polite">
        <span className={`status-dot status-${status}`} aria-hidden="true" />
        {STATUS_TEXT[status]}
      </div>
    </div>
  );
}
