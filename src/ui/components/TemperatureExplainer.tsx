// The temperature explainer: softmax(z / T) for editable logits, or for the teacher's logits on a test image,
// at T = 1 and at the Temperature slider's T. Computed here in float64 (stable log-sum-exp), not in the worker.
import { useMemo, useState } from 'react';
import { DATASETS } from '../../engine/config';
import { formatNats, formatParam, formatProb } from '../format';
import { useController } from '../hooks/useController';
import { useAppStore } from '../hooks/useAppStore';
import { entropy, parseLogits, softmaxT } from '../softmax';
import { isLive } from '../store/runModel';
import { selectActiveRun } from '../store/selectors';
import { SampleImage } from './SampleImage';

export const DEFAULT_LOGITS = '30, 5, 2, 2';

function ProbCell({ p, testId }: { p: number; testId: string }) {
  return (
    <td>
      <div className="prob-cell">
        <div className="prob-bar" aria-hidden="true"><span style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} /></div>
        <span className="num" data-testid={testId}>{formatProb(p)}</span>
      </div>
    </td>
  );
}

export function TemperatureExplainer() {
  const ctl = useController();
  const tau = useAppStore((s) => s.config.tau);
  const dataset = useAppStore((s) => s.config.dataset);
  const sample = useAppStore((s) => selectActiveRun(s)?.sample ?? null);
  const canSample = useAppStore((s) => {
    const r = selectActiveRun(s);
    return !!r && r.teacher !== null && (isLive(r.status) || r.status === 'done');
  });
  const [text, setText] = useState(DEFAULT_LOGITS);
  const [source, setSource] = useState<'custom' | 'teacher'>('custom');

  const custom = useMemo(() => parseLogits(text), [text]);
  const teacherLogits = sample?.teacherLogits ?? null;
  const useTeacher = source === 'teacher' && teacherLogits !== null;
  const logits = useTeacher ? teacherLogits : custom;
  const classNames = DATASETS[dataset].classNames;
  const names = logits?.map((_, i) => (useTeacher ? classNames[i] ?? `class ${i}` : `z${i + 1}`)) ?? [];
  const p1 = useMemo(() => (logits ? softmaxT(logits, 1) : []), [logits]);
  const pT = useMemo(() => (logits ? softmaxT(logits, tau) : []), [logits, tau]);
  const maxH = logits ? Math.log(logits.length) : 1;

  return (
    <section className="panel explainer" aria-labelledby="explainer-title" data-testid="temperature-explainer">
      <header className="panel-head">
        <h2 id="explainer-title">What the temperature does</h2>
      </header>
      <p className="panel-note">
        Soft distillation trains the distillation token to match softmax(z / T) of the teacher’s logits z. At T = 1 a confident
        teacher is nearly one-hot; a higher T reveals how it ranks the wrong classes (its “dark knowledge”). Hard distillation
        keeps only the top class, so T plays no part there. T follows the Temperature slider.
      </p>
      <div className="explainer-grid">
        <div className="explainer-inputs">
          <div className="segmented" role="radiogroup" aria-label="Logits">
            <label className={source === 'custom' ? 'seg-on' : ''}>
              <input type="radio" name="explainer-source" checked={source === 'custom'} onChange={() => setSource('custom')} data-testid="explainer-source-custom" />
              your logits
            </label>
            <label className={source === 'teacher' ? 'seg-on' : ''}>
              <input type="radio" name="explainer-source" checked={source === 'teacher'} onChange={() => setSource('teacher')} data-testid="explainer-source-teacher" />
              teacher on a test image
            </label>
          </div>
          {source === 'custom' ? (
            <div className="field">
              <div className="field-head"><label htmlFor="explainer-logits">Logits z (comma-separated)</label></div>
              <div className="field-row">
                <input id="explainer-logits" type="text" value={text} onChange={(e) => setText(e.currentTarget.value)}
                  aria-invalid={custom === null} data-testid="explainer-logits" spellCheck={false} />
                <button type="button" className="btn btn-small" onClick={() => setText(DEFAULT_LOGITS)}>Reset</button>
              </div>
              {custom === null && <p className="field-error" role="alert">Enter 2 to 20 numbers, e.g. 30, 5, 2, 2.</p>}
            </div>
          ) : (
            <div className="field">
              <button type="button" className="btn" data-testid="sample-button" disabled={!canSample} onClick={() => ctl.requestSample()}>
                {sample ? 'Another test image' : 'Show a test image'}
              </button>
              {!canSample && <p className="field-hint">Available once a run has its teacher (start a run in soft or hard mode).</p>}
              {sample && teacherLogits && (
                <div className="sample">
                  <SampleImage pixels={sample.image} size={sample.imageSize} label={`Test image ${sample.index}, a ${classNames[sample.label] ?? sample.label}`} />
                  <div>
                    <div>Test image #{sample.index}</div>
                    <div className="muted">label: <strong>{classNames[sample.label] ?? sample.label}</strong></div>
                  </div>
                </div>
              )}
              {sample && !teacherLogits && <p className="field-hint">This run has no teacher logits.</p>}
            </div>
          )}
          {logits && (
            <p className="explainer-entropy">
              Entropy: {formatNats(entropy(p1))} nats at T = 1, <strong>{formatNats(entropy(pT))}</strong> at T = {formatParam(tau)}
              {' '}(uniform: {maxH.toFixed(2)}).
            </p>
          )}
        </div>
        {logits && (
          <table className="explainer-table" data-testid="explainer-table">
            <thead>
              <tr>
                <th scope="col">{useTeacher ? 'class' : 'logit'}</th>
                <th scope="col" className="num">z</th>
                <th scope="col">softmax(z), T = 1</th>
                <th scope="col" data-testid="explainer-tau">softmax(z / T), T = {formatParam(tau)}</th>
              </tr>
            </thead>
            <tbody>
              {logits.map((z, i) => (
                <tr key={i} data-testid="explainer-row" className={useTeacher && sample?.label === i ? 'row-label' : ''}>
                  <th scope="row">{names[i]}</th>
                  <td className="num">{formatParam(Number(z.toPrecision(4)))}</td>
                  <ProbCell p={p1[i]!} testId="prob-t1" />
                  <ProbCell p={pT[i]!} testId="prob-tau" />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
