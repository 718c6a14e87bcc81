// Downloads of the weights of the run the worker holds (the live run, or the last one while nothing replaced it): the
// student as trained so far and its teacher, each as a checkpoint (.json manifest + .weights.bin, the shipped teacher's
// format). A downloaded teacher goes back in through "Load teacher from file" (Models).
import { useState } from 'react';
import { saveFile } from '../files/saveFile';
import { useAppStore } from '../hooks/useAppStore';
import { useController } from '../hooks/useController';
import { selectActiveRun } from '../store/selectors';

const READY: Record<'student' | 'teacher', readonly string[]> = {
  student: ['student', 'paused', 'done'],
  teacher: ['teacher', 'student', 'paused', 'done'],
};

export function WeightDownloads() {
  const ctl = useController();
  // Atomic selectors: the held run's id, number and status.
  const id = useAppStore((s) => selectActiveRun(s)?.id ?? null);
  const number = useAppStore((s) => selectActiveRun(s)?.number ?? 0);
  const status = useAppStore((s) => selectActiveRun(s)?.status ?? null);
  const run = id !== null && status !== null ? { id, number, status } : null;
  const [busy, setBusy] = useState<'student' | 'teacher' | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  const download = async (which: 'student' | 'teacher') => {
    if (!run) return;
    setBusy(which);
    setNote(null);
    try {
      const w = await ctl.exportWeights(run.id, which);
      saveFile(`${w.fileBase}.json`, w.json, 'application/json');
      saveFile(`${w.fileBase}.weights.bin`, w.weights, 'application/octet-stream');
      setNote({ ok: true, text: `Saved ${w.fileBase}.json and ${w.fileBase}.weights.bin (${(w.weights.byteLength / 1024).toFixed(0)} KB of weights).` });
    } catch (e) {
      setNote({ ok: false, text: `The ${which}'s weights were not saved: ${(e as Error).message}` });
    } finally {
      setBusy(null);
    }
  };

  const can = (which: 'student' | 'teacher') => run !== null && READY[which].includes(run.status) && busy === null;
  return (
    <div className="run-files" data-testid="weight-downloads">
      <span className="muted">{run ? `Weights of run #${run.number}:` : 'Weights: after a run starts'}</span>
      <button type="button" className="btn btn-small" data-testid="download-student-weights" disabled={!can('student')} onClick={() => void download('student')}
        title="The student as trained so far: a tfjs weights file and its JSON manifest">{busy === 'student' ? 'Preparing…' : 'Student weights'}</button>
      <button type="button" className="btn btn-small" data-testid="download-teacher-weights" disabled={!can('teacher')} onClick={() => void download('teacher')}
        title="The teacher of this run, in the format Load teacher from file reads">{busy === 'teacher' ? 'Preparing…' : 'Teacher weights'}</button>
      {note && (
        <p className={`notice ${note.ok ? 'notice-info' : 'notice-warn'}`} role={note.ok ? 'status' : 'alert'} data-testid={note.ok ? 'weights-saved' : 'weights-error'}>
          {note.text}
        </p>
      )}
    </div>
  );
}
