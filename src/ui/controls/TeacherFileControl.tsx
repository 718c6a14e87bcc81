// "Load teacher from file": a teacher checkpoint (.json + .weights.bin, as "Teacher weights" downloads it) becomes the
// teacher of the next runs in place of the shipped one. Checked here (format, architecture, dataset, size), then in
// the worker (shapes, and above chance on the evaluation subset, or the run stops with the reason).
import { useRef, useState } from 'react';
import { formatPct } from '../format';
import { readTeacherFiles } from '../files/teacherFiles';
import { useActions, useAppStore } from '../hooks/useAppStore';

export function TeacherFileControl() {
  const { setTeacherFile } = useActions();
  const loaded = useAppStore((s) => s.teacherFile);
  const dataset = useAppStore((s) => s.config.dataset);
  const teacher = useAppStore((s) => s.config.teacher);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const load = async (files: File[]) => {
    const r = await readTeacherFiles(files, dataset);
    if (!r.ok) {
      setError(`Not loaded: ${r.message}. The teacher stays as it was.`);
      return;
    }
    setError(null);
    setTeacherFile(r.teacher);
  };

  return (
    <div className="field" data-testid="teacher-file">
      <button type="button" className="btn btn-small" data-testid="load-teacher-button" onClick={() => input.current?.click()}
        aria-describedby="teacher-file-hint">Load teacher from file…</button>
      <input ref={input} type="file" multiple accept=".json,.bin,application/json,application/octet-stream" hidden data-testid="teacher-file-input"
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          if (files.length > 0) void load(files);
        }} />
      {loaded ? (
        <p className="field-hint" data-testid="teacher-file-status" role="status">
          Next runs’ teacher: <strong>{loaded.name}</strong> ({loaded.parameters.toLocaleString('en-US')} parameters, recorded{' '}
          {formatPct(loaded.recordedAccuracy)} on {loaded.accuracyImages === null ? 'the full test set' : `${loaded.accuracyImages} test images`})
          {teacher === 'train' ? '; used only with the pre-trained teacher option' : ', in place of the shipped one'}.{' '}
          <button type="button" className="btn btn-small" data-testid="clear-teacher-file" onClick={() => setTeacherFile(null)}>Use the shipped teacher</button>
        </p>
      ) : (
        <p className="field-hint" id="teacher-file-hint">Pick a checkpoint’s .json and .weights.bin together (e.g. a “Teacher weights” download). Kept in this tab only.</p>
      )}
      {error && <p className="notice notice-warn" role="alert" data-testid="teacher-file-error">{error}</p>}
    </div>
  );
}
