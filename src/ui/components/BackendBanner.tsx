// A banner whenever training does not run on WebGPU (or runs on a software WebGPU adapter), saying why. On a
// software adapter it offers the two ways out that the benchmark measured: lighter settings, or the CPU via wasm.
import { useActions, useAppStore } from '../hooks/useAppStore';
import { adapterName, backendName } from './BackendBadge';

export function BackendBanner() {
  const report = useAppStore((s) => s.backend);
  const { applyLightSettings, setParam } = useActions();
  if (!report) return null;
  if (report.backend === 'webgpu') {
    if (!report.adapter?.isFallbackAdapter) return null;
    return (
      <div className="notice notice-info" role="status" data-testid="backend-banner">
        <div className="notice-body">
          <strong>WebGPU on a software adapter</strong>{adapterName(report) && <> ({adapterName(report)})</>}: correct results, but far slower than a real GPU.
          Try the <em>deit-nano</em> student and a small batch, or WebAssembly, which runs on the CPU directly and is
          usually much faster than a software GPU for these small models.
          <div className="notice-actions">
            <button type="button" className="btn" data-testid="light-settings" onClick={() => applyLightSettings()}
              title="deit-nano, batch 16, 1,000 training images, 200 evaluation images: a run takes minutes here">
              Use light settings
            </button>
            <button type="button" className="btn" data-testid="use-wasm" onClick={() => setParam('backend', 'wasm')}
              title="Backend: WebAssembly (CPU) for the next run">
              Train on the CPU (WebAssembly)
            </button>
          </div>
        </div>
      </div>
    );
  }
  if (report.requested === report.backend) {
    return (
      <div className="notice notice-info" role="status" data-testid="backend-banner">
        <div className="notice-body">
          <strong>Training on {backendName(report.backend)}</strong>, as chosen in the Backend control (Data &amp;
          reproducibility). Set it to auto to use WebGPU when the browser has it.
        </div>
      </div>
    );
  }
  const failed = report.attempts.filter((a) => !a.ok);
  return (
    <div className="notice notice-warn" role="status" data-testid="backend-banner">
      <div className="notice-body">
        <strong>Training on {backendName(report.backend)}, not WebGPU.</strong>{' '}
        Why: {report.fallbackReason ?? 'WebGPU was not used'}. The maths is the same; expect it to be slower
        {report.convImpl === 'im2col' ? ' (convolutions run as im2col + matMul on this backend)' : ''}.
        {failed.length > 0 && (
          <ul className="notice-list">
            {failed.map((a) => <li key={a.backend}>{backendName(a.backend)}: {a.reason ?? 'unavailable'}</li>)}
          </ul>
        )}
      </div>
    </div>
  );
}
