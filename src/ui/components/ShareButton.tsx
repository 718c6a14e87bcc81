// "Copy link": the full experiment (controls and runs) as a readable URL; falls back to a selectable field when the
// clipboard is not available (insecure origin, permissions).
import { useState } from 'react';
import { appStore } from '../store/appStore';
import { shareLink } from '../worker/urlSync';

export function ShareButton() {
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'copied' } | { kind: 'manual'; link: string }>({ kind: 'idle' });

  const copy = async () => {
    const link = shareLink(appStore.getState(), window.location.href);
    try {
      await navigator.clipboard.writeText(link);
      setState({ kind: 'copied' });
      setTimeout(() => setState({ kind: 'idle' }), 2000);
    } catch {
      setState({ kind: 'manual', link });
    }
  };

  return (
    <div className="share">
      <button type="button" className="btn" data-testid="copy-link" onClick={() => void copy()}
        title="A link with every setting and the runs to compare (they are re-trained when opened)">
        {state.kind === 'copied' ? '✓ Copied' : 'Copy link'}
      </button>
      <span className="sr-only" role="status">{state.kind === 'copied' ? 'Link copied to the clipboard' : ''}</span>
      {state.kind === 'manual' && (
        <label className="share-manual">
          <span>Copy this link:</span>
          <input readOnly value={state.link} data-testid="share-link" onFocus={(e) => e.currentTarget.select()} autoFocus />
        </label>
      )}
    </div>
  );
}
