// Entry point: creates the training worker client, connects the bridge (worker -> store), the run controller
// (store/buttons -> worker), restores saved runs (persistence), starts the URL sync, then renders the app. No tfjs
// here: it lives in the worker chunk.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { TrainingClient } from '../workers/client';
import { App } from './App';
import { ControllerContext } from './hooks/useController';
import { BASE_INTERVAL_MS, viewInterval } from './hooks/viewPace';
import { appStore } from './store/appStore';
import { startPersistence } from './store/persistence';
import { connectBridge } from './worker/bridge';
import { createRunController } from './worker/runController';
import { browserUrlEnv, startUrlSync } from './worker/urlSync';
import './styles.css';

const client = new TrainingClient();
connectBridge(client, appStore);
const controller = createRunController(client, appStore, {
  baseUrl: new URL(import.meta.env.BASE_URL, window.location.href).href,
});
// Saved runs come back before the link is read, so a reloaded link does not queue the runs it lists a second time.
// One write a second, spaced out like the views' redraws while the main thread waits for a core (up to one in 4 s):
// each write serialises the run's record on the main thread.
const persistence = await startPersistence(appStore, { delayMs: () => 1000 * viewInterval() / BASE_INTERVAL_MS });
window.addEventListener('pagehide', () => void persistence.flush());
const sync = startUrlSync(appStore, browserUrlEnv(window));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ControllerContext.Provider value={controller}>
      <App />
    </ControllerContext.Provider>
  </StrictMode>,
);

// The badge shows the backend really in use from the start (after the link's controls, which may request one).
controller.probeBackend();
// A link may ask to start at once; otherwise nothing trains until the user presses Start.
if (sync.initial.autostart) controller.start();
