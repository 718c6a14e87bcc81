// Distillation controls: mode (none / soft / hard), temperature tau (log scale) and alpha, all applied live.
import type { Distillation } from '../../engine/config';
import { formatParam } from '../format';
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
      <div className={mode === 'none' ? 'field-muted' : ''}>
        <StopSlider
          id="alpha" label="Alpha α" value={alpha} stops={ALPHA_STOPS} format={(v) => v.toFixed(2)} onChange={setAlpha}
          testId="alpha" live
          hint={mode === 'none' ? 'Unused in none mode.' : 'loss = (1 − α) · CE(class head, label) + α · distillation term'}
        />
      </div>
    </section>
  );
}
