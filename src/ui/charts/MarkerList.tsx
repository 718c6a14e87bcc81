// Live changes as a list (the same markers the charts draw), so they can be read, and found by tests, as text.
import { useChartRuns } from '../hooks/useChartRuns';
import { runColor } from '../store/runModel';

export function MarkerList() {
  const { visible, xAxis } = useChartRuns();
  const items = visible.flatMap((run) => run.markers.map((m, i) => ({ run, m, key: `${run.id}:${i}` })));
  return (
    <section className="markers" aria-labelledby="markers-title">
      <h3 id="markers-title">Live changes</h3>
      {items.length === 0 ? (
        <p className="muted">None yet. Change mode, τ, α or the learning rate during a run: the change is applied at the next step and marked on the charts.</p>
      ) : (
        <ol data-testid="markers" className="marker-list">
          {items.map(({ run, m, key }) => (
            <li key={key} data-testid="marker" data-run-id={run.id} data-step={m.step} data-images={m.imagesSeen}>
              <span className="swatch" style={{ background: runColor(run) }} aria-hidden="true" />
              <span className="marker-run">#{run.number}</span> at {xAxis === 'step' ? `step ${m.step}` : `${m.imagesSeen} images`}: {m.label}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
