// Files of the runs shown on the charts (ticked in the table): the runs file (JSON, README "Files"), their curves as
// CSV, the table as Markdown; and importing a runs file, whose runs join the table marked "imported". A refused file
// changes nothing and says why.
import { useRef, useState } from 'react';
import { exportRunsFile, MAX_FILE_CHARS, readRunsFile } from '../files/runsFile';
import { curvesCsv, runsMarkdown } from '../files/runTables';
import { saveFile as download } from '../files/saveFile';
import { useActions, useAppStore } from '../hooks/useAppStore';
import { appStore } from '../store/appStore';
import { selectShownRuns } from '../store/selectors';


const stamp = () => new Date().toISOString().slice(0, 19).replaceAll(':', '-');

export function RunFiles() {
  const { addFinishedRuns } = useActions();
  const count = useAppStore((s) => selectShownRuns(s).length);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const importFile = async (file: File) => {
    if (file.size > MAX_FILE_CHARS * 4) {
      setResult({ ok: false, message: `${file.name}: the file is ${(file.size / 1048576).toFixed(0)} MB; runs files are limited to ${MAX_FILE_CHARS / 1048576} MB` });
      return;
    }
    const r = readRunsFile(await file.text());
    if (!r.ok) {
      setResult({ ok: false, message: `${file.name} was not imported: ${r.message}` });
      return;
    }
    addFinishedRuns(r.runs, 'imported');
    setResult({ ok: true, message: `Imported ${r.runs.length} run${r.runs.length > 1 ? 's' : ''} from ${file.name}.` });
  };

  const exportAs = (kind: 'json' | 'csv' | 'md') => {
    const runs = selectShownRuns(appStore.getState());
    if (kind === 'json') download(`deit-runs-${stamp()}.json`, exportRunsFile(runs, Date.now()), 'application/json');
    if (kind === 'csv') download(`deit-curves-${stamp()}.csv`, curvesCsv(runs), 'text/csv');
    if (kind === 'md') download(`deit-runs-${stamp()}.md`, runsMarkdown(runs), 'text/markdown');
  };

  return (
    <div className="run-files">
      <span className="muted">{count} run{count === 1 ? '' : 's'} shown:</span>
      <button type="button" className="btn btn-small" data-testid="export-json" disabled={count === 0} onClick={() => exportAs('json')}
        title="The runs shown on the charts, whole, as one JSON file you can import again">Export JSON</button>
      <button type="button" className="btn btn-small" data-testid="export-csv" disabled={count === 0} onClick={() => exportAs('csv')}
        title="Every logged point and evaluation of the runs shown, one row each">Curves CSV</button>
      <button type="button" className="btn btn-small" data-testid="export-md" disabled={count === 0} onClick={() => exportAs('md')}
        title="The table of the runs shown, as Markdown">Table Markdown</button>
      <button type="button" className="btn btn-small" data-testid="import-button" onClick={() => input.current?.click()}>Import JSON…</button>
      <input ref={input} type="file" accept=".json,application/json" hidden data-testid="import-file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) void importFile(file);
        }} />
      {result && (
        <p className={`notice ${result.ok ? 'notice-info' : 'notice-warn'}`} role={result.ok ? 'status' : 'alert'}
          data-testid={result.ok ? 'import-done' : 'import-error'}>
          {result.message} <button type="button" className="btn btn-small" onClick={() => setResult(null)}>Dismiss</button>
        </p>
      )}
    </div>
  );
}
