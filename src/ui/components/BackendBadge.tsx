// The backend really in use, as the worker reported it (tf.setBackend can fall back silently, so never assumed).
import type { BackendReport } from '../../workers/protocol';
import { useAppStore } from '../hooks/useAppStore';

const NAMES: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

export function backendName(b: string): string {
  return NAMES[b] ?? b;
}

/** "google swiftshader", or "" when there is no adapter ("unnamed adapter" when it says nothing about itself). */
export function adapterName(report: BackendReport): string {
  const a = report.adapter;
  if (!a) return '';
  return [a.vendor, a.architecture, a.device].filter((x) => x && x.trim()).join(' ') || a.description || 'unnamed adapter';
}

/** "google swiftshader (software adapter)" or "" when there is no adapter. */
export function adapterText(report: BackendReport): string {
  const name = adapterName(report);
  return name && report.adapter?.isFallbackAdapter ? `${name} (software adapter)` : name;
}

export function BackendBadge() {
  const report = useAppStore((s) => s.backend);
  const pending = useAppStore((s) => s.backendPending);
  const requested = useAppStore((s) => s.config.backend);
  if (!report) {
    return (
      <span className="badge badge-neutral" data-testid="backend" data-backend="none" data-pending={pending ?? undefined}
        title={pending ? 'The training worker is selecting a backend' : 'The worker selects the backend when a run starts'}>
        {pending ? `Backend: checking ${pending}…` : `Backend: chosen at Start (${requested})`}
      </span>
    );
  }
  const kind = report.backend === 'webgpu' ? (report.adapter?.isFallbackAdapter ? 'warn' : 'ok') : 'warn';
  const adapter = adapterText(report);
  const title = report.attempts.map((t) => `${t.backend}: ${t.ok ? 'ok' : `failed${t.reason ? ` (${t.reason})` : ''}`}`).join('\n');
  return (
    <span className={`badge badge-${kind}`} data-testid="backend" data-backend={report.backend} data-pending={pending ?? undefined} title={title}>
      {backendName(report.backend)}
      {adapter && <span className="badge-detail"> · {adapter}</span>}
      {report.backend !== 'webgpu' && <span className="badge-detail"> · {report.requested === report.backend ? 'as requested' : 'fallback'}</span>}
      {pending && pending !== report.requested && <span className="badge-detail"> · checking {pending}…</span>}
    </span>
  );
}
