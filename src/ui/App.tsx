// The page: header (title, backend badge, copy link), notices, the control column on the left and the main area
// with the run bar, progress, latest numbers, charts, runs compared, the insight views, paper mode and the temperature
// explainer.
import { ChartsPanel } from './charts/ChartsPanel';
import { BackendBadge } from './components/BackendBadge';
import { BackendBanner } from './components/BackendBanner';
import { ControlPanel } from './components/ControlPanel';
import { Intro } from './components/Intro';
import { MetricCards } from './components/MetricCards';
import { CrashBanner, ErrorNotices, StorageNotice, UrlNotice } from './components/Notices';
import { ProgressPanel } from './components/ProgressPanel';
import { RunBar } from './components/RunBar';
import { PaperPanel } from './components/PaperPanel';
import { RunsPanel } from './components/RunsPanel';
import { ShareButton } from './components/ShareButton';
import { TemperatureExplainer } from './components/TemperatureExplainer';
import { ViewPaceNote } from './components/ViewPaceNote';
import { InsightPanel } from './insight/InsightPanel';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <h1>DeiT Playground</h1>
          <p className="tagline">Knowledge distillation through attention, trained live in your browser</p>
        </div>
        <div className="header-actions">
          <BackendBadge />
          <ShareButton />
        </div>
      </header>
      <div className="notices">
        <UrlNotice />
        <StorageNotice />
        <CrashBanner />
        <BackendBanner />
        <ErrorNotices />
      </div>
      <div className="layout">
        <aside className="sidebar" aria-label="Experiment settings">
          <ControlPanel />
        </aside>
        <main className="main">
          <div className="run-area">
            <RunBar />
            <ProgressPanel />
            <ViewPaceNote />
          </div>
          <Intro />
          <MetricCards />
          <ChartsPanel />
          <RunsPanel />
          <InsightPanel />
          <PaperPanel />
          <TemperatureExplainer />
          <footer className="app-footer">
            Touvron et al., “Training data-efficient image transformers &amp; distillation through attention”, 2020.
            Fashion-MNIST © Zalando SE, MIT licence. Training runs in a Web Worker with TensorFlow.js; nothing leaves your machine.
          </footer>
        </main>
      </div>
    </div>
  );
}
