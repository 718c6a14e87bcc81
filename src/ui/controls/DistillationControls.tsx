// Distillation controls: mode (none / soft / hard), temperature tau (log scale) and alpha, all applied live.
import { useRef } from 'react';
import type { Distillation } from '../../engine/config';
import { paperModeState } from '../../engine/paperRuns';
import { formatParam, twoDecimals } from '../format';
import { useParam } from '../hooks/useParam';
import { ALPHA_STOPS, TAU_STOPS } from '../sliderScale';
import { RadioGroup, type RadioOption } from './RadioGroup';
import { StopSlider } from './StopSlider';

/** The modes, worded for the head the distillation term trains: headDist, or the class head without the token. */
function modes(distToken: boolean): readonly RadioOption<Distillation>[] {
  const target = distToken ? 'Distillation token' : 'Class head (no distillation token)';
  return [
    { value: 'none', label: 'none', description: 'Class token learns from labels only; no teacher signal.' },
    { value: 'soft', label: 'soft', description: `${target} matches softmax(teacher / τ) (KL, scaled by τ²).` },
    { value: 'hard', label: 'hard', description: `${target} learns the teacher's top class${distToken ? " (the paper's best)" : ''}.` },
  ];
}

export function DistillationControls() {
  const [mode, setMode] = useParam('distillation');
  const [tau, setTau] = useParam('tau');
  const [alpha, setAlpha] = useParam('alpha');
  const [distToken] = useParam('distToken');
  // The paper's settings for this mode, one click away (soft: τ=3, α=0.1; hard: α=0.5).
  const paper = paperModeState(mode, tau, alpha);
  // The button gives way to the note once the settings are set: the focus moves to the note rather than to the page.
  const focusNote = useRef(false);
  const noteRef = (el: HTMLParagraphElement | null) => {
    if (el && focusNote.current) el.focus();
    focusNote.current = false;
  };
  const usePaper = () => {
    if (paper?.settings.tau !== undefined) setTau(paper.settings.tau);
    if (paper?.settings.alpha !== undefined) setAlpha(paper.settings.alpha);
    focusNote.current = true;
  };
  return (
    <section className="control-section" aria-labelledby="sec-distillation">
      <h2 id="sec-distillation">Knowledge distillation</h2>
      <RadioGroup name="distillation" legend="Distillation" value={mode} options={modes(distToken)} onChange={setMode} testId="distillation" live />
      <div className={mode === 'soft' ? '' : 'field-muted'}>
        <StopSlider
          id="tau" label="Temperature τ" value={tau} stops={TAU_STOPS} format={formatParam} onChange={setTau}
          testId="tau" scaleNote="log scale" live
          hint={mode === 'soft' ? 'Higher τ spreads the teacher’s probability over wrong classes (see the explainer).' : 'Used only in soft mode.'}
        />
      </div>
      {paper && (paper.inUse ? (
        <p className="field-hint paper-settings" data-testid="paper-settings" data-in-use="true" ref={noteRef} tabIndex={-1}>
          <span aria-hidden="true">✓ </span>The paper’s {mode} settings: {paper.text} (Touvron et al.)
        </p>
      ) : (
        <p className="field-hint paper-settings" data-testid="paper-settings" data-in-use="false">
          <button type="button" className="btn btn-small" data-testid="paper-settings-button" onClick={usePaper}>
            Use the paper’s {mode} settings
          </button>{' '}
          {paper.text} (Touvron et al.)
        </p>
      ))}
      <div className={mode === 'none' ? 'field-muted' : ''}>
        <StopSlider
          id="alpha" label="Alpha α" value={alpha} stops={ALPHA_STOPS} format={twoDecimals} onChange={setAlpha}
          testId="alpha" live
          hint={mode === 'none' ? 'Unused in none mode.' : 'loss = (1 − α) · CE(class head, label) + α · distillation term'}
        />
      </div>
    </section>
  );
}
