// The charts area: x-axis choice, accuracy (wide), loss and throughput side by side, and the list of live changes.
import { useActions, useAppStore } from '../hooks/useAppStore';
import { AccuracyChart } from './AccuracyChart';
import { LossChart } from './LossChart';
import { MarkerList } from './MarkerList';
import { ThroughputChart } from './ThroughputChart';

export function ChartsPanel() {
  const xAxis = useAppStore((s) => s.xAxis);
  const { setXAxis } = useActions();
  return (
    <section className="panel charts-panel" aria-labelledby="charts-title">
      <header className="panel-head">
        <h2 id="charts-title">Training curves</h2>
        <div className="segmented" role="radiogroup" aria-label="X axis">
          {(['step', 'images'] as const).map((m) => (
            <label key={m} className={xAxis === m ? 'seg-on' : ''}>
              <input type="radio" name="x-axis" value={m} checked={xAxis === m} onChange={() => setXAxis(m)} data-testid={`x-axis-${m}`} />
              {m === 'step' ? 'steps' : 'images seen'}
            </label>
          ))}
        </div>
      </header>
      <AccuracyChart />
      <div className="chart-grid">
        <LossChart />
        <ThroughputChart />
      </div>
      <MarkerList />
    </section>
  );
}
