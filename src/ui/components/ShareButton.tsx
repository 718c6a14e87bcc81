// "Copy link": the full experiment (controls and runs) as a readable URL; "Copy link with results": the controls plus
// the results of the runs shown on the charts (resultsCodec.ts), so the recipient sees the curves without training.
// Falls back to a selectable field when the clipboard is not available (insecure origin, permissions); the results
// link always appears in a read-only field too, or the reason it does not fit.
import { useState } from 'react';
import { appStore } from '../store/appStore';
import { selectShownRuns } from '../store/selectors';
import { resultsLink, shareLink } from '../worker/urlSync';

type Shown = { kind: 'idle' } | { kind: 'copied' } | { kind: 'manual'; link: string };

async function copy(link: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(link);
    return true;
  } catch {
    return false;
  }
}

export function ShareButton() {
  const [state, setState] = useState<Shown>({ kind: 'idle' });
  const [results, setResults] = useState<{ link: string; copied: boolean } | { error: string } | null>(null);

  const copySettings = async () => {
    const link = shareLink(appStore.getState(), window.location.href);
    if (await copy(link)) {
      setState({ kind: 'copied' });
      setTimeout(() => setState({ kind: 'idle' }), 2000);
    } else {
      setState({ kind: 'manual', link });
    }
  };

  const copyResults = async () => {
    const s = appStore.getState();
    const r = resultsLink(s, selectShownRuns(s), window.location.href);
    if (!r.ok) return setResults({ error: r.message });
    setResults({ link: r.link, copied: await copy(r.link) });
  };

  return (
    <div className="share">
      <button type="button" className="btn" data-testid="copy-link" onClick={() => void copySettings()}
        title="A link with every setting and the runs to compare (they are re-trained when opened)">
        {state.kind === 'copied' ? '✓ Copied' : 'Copy link'}
      </button>
      <button type="button" className="btn" data-testid="share-results-button" onClick={() => void copyResults()}
        title="A link with the settings and the results of the runs shown on the charts: whoever opens it sees the curves at once">
        {results && 'copied' in results && results.copied ? '✓ Copied with results' : 'Copy link with results'}
      </button>
      <span className="sr-only" role="status">{state.kind === 'copied' ? 'Link copied to the clipboard' : ''}</span>
      {state.kind === 'manual' && (
        <label className="share-manual">
          <span>Copy this link:</span>
          <input readOnly value={state.link} data-testid="share-link" onFocus={(e) => e.currentTarget.select()} autoFocus />
        </label>
      )}
      {results && 'link' in results && (
        <label className="share-manual">
          <span>Link with results ({results.link.length} characters):</span>
          <input readOnly value={results.link} data-testid="results-link" onFocus={(e) => e.currentTarget.select()} />
        </label>
      )}
      {results && 'error' in results && <p className="share-error" role="alert" data-testid="results-link-error">No link: {results.error}.</p>}
    </div>
  );
}
