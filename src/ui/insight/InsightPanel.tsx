// The insight views of the focused run and of every run shown, side by side with the training curves: token
// similarity by layer, where the tokens look, agreement with the teacher, and confusion per class.
import { AgreementChart } from './AgreementChart';
import { AttentionMaps } from './AttentionMaps';
import { ConfusionMatrix } from './ConfusionMatrix';
import { TokenCosineChart } from './TokenCosineChart';

export function InsightPanel() {
  return (
    <section className="panel insight-panel" aria-labelledby="insight-title">
      <header className="panel-head">
        <h2 id="insight-title">Inside the student</h2>
      </header>
      <p className="panel-note">
        Updated at each evaluation while the run trains (confusion: at the end of each epoch). Lines are coloured per run,
        as in the curves above; the maps and the matrix show the focused run.
      </p>
      <TokenCosineChart />
      <AgreementChart />
      <AttentionMaps />
      <ConfusionMatrix />
    </section>
  );
}
