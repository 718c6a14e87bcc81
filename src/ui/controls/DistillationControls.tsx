// Distillation controls: mode (none / soft / hard), temperature tau (log scale) and alpha, all applied live.
import type { Distillation } from '../../engine/config';
import { PAPER_MODE_SETTINGS } from '../../engine/paperRuns';
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
  const paper = mode === 'none' ? null : PAPER_MODE_SETTINGS[mode];
  const usingPaper = paper !== null && (paper.tau === undefined || paper.tau === tau) && (paper.alpha === undefined || paper.alpha === alpha);
  const paperText = paper ? [paper.tau !== undefined ? `τ=${paper.tau}` : '', paper.alpha !== undefined ? `α=${paper.alpha}` : ''].filter(Boolean).join(', ') : '';
  const usePaper = () => {
    if (paper?.tau !== undefined) setTau(paper.tau);
    if (paper?.alpha !== undefined) setAlpha(paper.alpha);
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
      {paper && (
        <p className="field-hint" data-testid="paper-settings">
          <button type="button" className="btn btn-small" data-testid="paper-settings-button" disabled={usingPaper} onClick={usePaper}>
            Paper’s {mode} settings
          </button>{' '}
          {paperText} (Touvron et al.){usingPaper ? ': in use' : ''}
        </p>
      )}
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
