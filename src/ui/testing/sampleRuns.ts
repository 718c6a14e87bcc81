// Runs with real-looking data for the persistence, file and results-link tests, made through the store's own actions
// (the same path the bridge takes), so every field a run can hold is filled.
import { withDefaults, type TrainConfig } from '../../engine/config';
import type { AppStore } from '../store/appStore';
import { backendReport, evalPoint, metricsPoint, sample, teacherInfo } from './fakeWorker';

/**
 * Adds a run that trained `steps` steps (a metrics point per step, an evaluation every 4, a test evaluation at the end
 * when done, a live change at step 2, an insight sample) and leaves it in `status`. Returns its id.
 */
export function trainRun(store: AppStore, steps: number, status: 'student' | 'done', config: Partial<TrainConfig> = {}): string {
  const s = store.getState();
  const id = s.addRun(withDefaults({ distillation: 'soft', tau: 5, ...config }), 'manual');
  s.activateRun(id);
  s.setRunBackend(id, backendReport());
  s.setTeacher(id, teacherInfo());
  s.setRunStatus(id, 'student', 0);
  for (let i = 1; i <= steps; i++) {
    s.appendMetrics(id, [metricsPoint(i)]);
    if (i % 4 === 0) s.appendEval(id, evalPoint(i));
  }
  s.addMarker(id, 2, 128, { tau: 3 });
  s.setSample(id, sample());
  if (status === 'done') {
    s.appendEval(id, evalPoint(steps, { split: 'test', count: 10000 }));
    s.setRunStatus(id, 'done', steps);
  }
  return id;
}
