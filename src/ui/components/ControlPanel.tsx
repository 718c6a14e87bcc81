// The left column: every experiment control, grouped, with one line on what "live" means.
import { DataControls } from '../controls/DataControls';
import { DistillationControls } from '../controls/DistillationControls';
import { ModelControls } from '../controls/ModelControls';
import { OptimizerControls } from '../controls/OptimizerControls';

export function ControlPanel() {
  return (
    <div className="control-panel">
      <p className="panel-note">
        Controls tagged <span className="live-tag">live</span> change a run in progress (a marker appears on the charts);
        the others apply to the next run.
      </p>
      <DistillationControls />
      <OptimizerControls />
      <ModelControls />
      <DataControls />
    </div>
  );
}
