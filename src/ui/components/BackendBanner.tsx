// A banner whenever training does not run on WebGPU (or runs on a software WebGPU adapter), saying why.
import { useAppStore } from '../hooks/useAppStore';
import { adapterName, backendName } from './BackendBadge';

export function BackendBanner() {
  const report = useAppStore((s) => s.backend);
  if (!report) return null;
  if (report.backend === 'webgpu') {
    if (!report.adapter?.isFallbackAdapter) return null;
    return (
      <div className="notice notice-info" role="status" data-testid="backend-banner">
        <div className="notice-body">
          <strong>WebGPU on a software adapter</strong>{adapterName(report) && <> ({adapterName(report)})</>}: correct results, but far slower than a real GPU.
          Try the <em>deit-nano</em> student and a small batch.
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
