// Optimisation controls: learning rate (log scale, live), batch size, epochs (with the step count they mean),
// weight decay, warm-up and the evaluation interval (live).
import { NUMERIC_RANGES, stepsPerEpoch, totalSteps } from '../../engine/config';
import { formatInt, formatParam, formatTimeLeft, twoDecimals } from '../format';
import { useAppStore } from '../hooks/useAppStore';
import { useThrottledStore } from '../hooks/useThrottledStore';
import { useParam } from '../hooks/useParam';
import { selectPaceFor } from '../store/selectors';
import { BATCH_STOPS, LR_STOPS, WEIGHT_DECAY_STOPS } from '../sliderScale';
import { NumberField } from './NumberField';
import { StopSlider } from './StopSlider';

export function OptimizerControls() {
  const [lr, setLr] = useParam('lr');
  const [batch, setBatch] = useParam('batchSize');
  const [epochs, setEpochs] = useParam('epochs');
  const [wd, setWd] = useParam('weightDecay');
  const [warmup, setWarmup] = useParam('warmupSteps');
  const [evalInterval, setEvalInterval] = useParam('evalInterval');
  const trainSubset = useAppStore((s) => s.config.trainSubset);
  const evalSubset = useAppStore((s) => s.config.evalSubset);
  const perEpoch = stepsPerEpoch({ trainSubset, batchSize: batch });
  const steps = totalSteps({ trainSubset, batchSize: batch, epochs });
  // How long these settings take, from a run this session measured with the same student, batch and backend.
  const pace = useThrottledStore((s) => {
    const p = selectPaceFor(s, s.config);
    return { runNumber: p?.runNumber ?? 0, msPerStep: p?.msPerStep ?? 0 };
  }, { ticks: 5 });
  return (
    <section className="control-section" aria-labelledby="sec-optim">
      <h2 id="sec-optim">Optimisation</h2>
      <StopSlider
        id="lr" label="Learning rate" value={lr} stops={LR_STOPS} format={formatParam} onChange={setLr} testId="lr"
        scaleNote="log scale" live hint="AdamW peak rate after warm-up, then cosine decay."
      />
      <StopSlider
        id="batch" label="Batch size" value={batch} stops={BATCH_STOPS} format={String} onChange={setBatch} testId="batch"
        hint={`${formatInt(perEpoch)} steps per epoch on ${formatInt(trainSubset)} images.`}
      />
      <NumberField
        id="epochs" label="Epochs" value={epochs} range={NUMERIC_RANGES.epochs} onCommit={setEpochs} testId="epochs"
        hint={`= ${formatInt(steps)} student steps, ${formatInt(steps * batch)} images${pace.runNumber > 0
          ? `; ${formatTimeLeft(steps * pace.msPerStep)} at the pace of run #${pace.runNumber} (same student, batch and backend)` : ''}.`}
      />
      <StopSlider
        id="weight-decay" label="Weight decay" value={wd} stops={WEIGHT_DECAY_STOPS} format={twoDecimals}
        onChange={setWd} testId="weight-decay" hint="Decoupled (AdamW); not applied to norms, biases and tokens."
      />
      <NumberField
        id="warmup" label="Warm-up steps" value={warmup} range={NUMERIC_RANGES.warmupSteps} onCommit={setWarmup} testId="warmup"
        hint="Linear ramp of the learning rate from 0."
      />
      <NumberField
        id="eval-interval" label="Evaluate every (steps)" value={evalInterval} range={NUMERIC_RANGES.evalInterval}
        onCommit={setEvalInterval} testId="eval-interval" live
        hint={`Each evaluation scores ${formatInt(evalSubset)} test images with all three heads and the teacher.`}
      />
    </section>
  );
}
